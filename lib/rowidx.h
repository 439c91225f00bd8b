/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An index from fixed-size keys (a BPF map's key struct, compared as
 * bytes: zero its padding) to row numbers, so that folding N map entries
 * into rows costs O(N), not O(N x rows).  Open addressing, grows itself.
 */
#ifndef IOASID_LIB_ROWIDX_H
#define IOASID_LIB_ROWIDX_H

#include <stddef.h>

struct rowidx {
	size_t key_size;
	unsigned int cap, n;	/* slots, keys held */
	char *keys;
	int *rows;		/* -1: empty slot */
};

#define ROWIDX_INIT(ks)	{ .key_size = (ks) }

/* @key's row, or -1. */
int rowidx_find(const struct rowidx *ix, const void *key);
/* Add @key (not in the index) as @row: 0, or -ENOMEM. */
int rowidx_add(struct rowidx *ix, const void *key, int row);
/* Forget every key (keeps the memory). */
void rowidx_clear(struct rowidx *ix);
void rowidx_free(struct rowidx *ix);

#endif
