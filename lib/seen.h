/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small numbers for kernel identities a tool must tell apart but never
 * print (a type1 container's or an iommufd context's address): 1, 2, ...
 * in the order first seen.  An address freed and reused keeps its number.
 */
#ifndef IOASID_LIB_SEEN_H
#define IOASID_LIB_SEEN_H

#include <stdint.h>

#define SEEN_MAX 4096

struct seen {
	uint64_t keys[SEEN_MAX];
	unsigned int n;
};

/* @key's number, 1 up; 0 for key 0 or once SEEN_MAX keys are numbered. */
unsigned int seen_number(struct seen *s, uint64_t key);

#endif
