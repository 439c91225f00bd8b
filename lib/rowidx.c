// SPDX-License-Identifier: GPL-2.0
/* Key -> row index for folding map entries into rows (see rowidx.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rowidx.h"

/* FNV-1a over the key's bytes */
static unsigned int hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* The slot holding @key, or the empty slot where it would go. */
static unsigned int slot_of(const struct rowidx *ix, const void *key)
{
	unsigned int i = hash(key, ix->key_size) & (ix->cap - 1);

	while (ix->rows[i] >= 0 && memcmp(ix->keys + (size_t)i * ix->key_size, key, ix->key_size))
		i = (i + 1) & (ix->cap - 1);
	return i;
}

int rowidx_find(const struct rowidx *ix, const void *key)
{
	return ix->cap ? ix->rows[slot_of(ix, key)] : -1;
}

/* Twice the slots (at least 64), every key placed again. */
static int grow(struct rowidx *ix)
{
	struct rowidx big = { .key_size = ix->key_size, .cap = ix->cap ? ix->cap * 2 : 64 };
	unsigned int i, s;

	big.keys = malloc((size_t)big.cap * big.key_size);
	big.rows = malloc(big.cap * sizeof(*big.rows));
	if (!big.keys || !big.rows) {
		rowidx_free(&big);
		return -ENOMEM;
	}
	memset(big.rows, 0xff, big.cap * sizeof(*big.rows));
	for (i = 0; i < ix->cap; i++) {
		if (ix->rows[i] < 0)
			continue;
		s = slot_of(&big, ix->keys + (size_t)i * ix->key_size);
		memcpy(big.keys + (size_t)s * big.key_size, ix->keys + (size_t)i * ix->key_size,
		       ix->key_size);
		big.rows[s] = ix->rows[i];
	}
	big.n = ix->n;
	rowidx_free(ix);
	*ix = big;
	return 0;
}

int rowidx_add(struct rowidx *ix, const void *key, int row)
{
	unsigned int s;

	if ((ix->n + 1) * 2 > ix->cap && grow(ix))
		return -ENOMEM;
	s = slot_of(ix, key);
	memcpy(ix->keys + (size_t)s * ix->key_size, key, ix->key_size);
	ix->rows[s] = row;
	ix->n++;
	return 0;
}

void rowidx_clear(struct rowidx *ix)
{
	if (ix->cap)
		memset(ix->rows, 0xff, ix->cap * sizeof(*ix->rows));
	ix->n = 0;
}

void rowidx_free(struct rowidx *ix)
{
	free(ix->keys);
	free(ix->rows);
	ix->keys = NULL;
	ix->rows = NULL;
	ix->cap = ix->n = 0;
}
