// SPDX-License-Identifier: GPL-2.0
/*
 * Drives lib/rowidx.c with many keys and prints "name value" lines for
 * tests/host/rowidx.sh.  Key comparisons are counted through the linker's
 * --wrap=memcmp, so the cost of a lookup is checked without a clock: folding
 * N entries must stay O(N), whatever the machine's speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rowidx.h"

int __real_memcmp(const void *a, const void *b, size_t n);
static unsigned long compares;

int __wrap_memcmp(const void *a, const void *b, size_t n)
{
	compares++;
	return __real_memcmp(a, b, n);
}

/* A key like the tools' (ids of a process, an IOAS, a device), 24 bytes. */
struct key {
	unsigned int pid, ioas;
	unsigned long long dev, extra;
};

static struct key key_of(unsigned int i)
{
	struct key k;

	memset(&k, 0, sizeof(k));
	k.pid = 1000 + i % 97;
	k.ioas = i / 97;
	k.dev = i;
	return k;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 20000, i, bad = 0;
	struct rowidx ix = ROWIDX_INIT(sizeof(struct key));
	struct key k;

	printf("empty_find %d\n", rowidx_find(&ix, &(struct key){ 0 }));
	for (i = 0; i < n; i++) {
		k = key_of(i);
		if (rowidx_add(&ix, &k, (int)i))
			bad++;
	}
	printf("add_failures %u\n", bad);
	compares = 0;
	for (i = 0, bad = 0; i < n; i++) {
		k = key_of(i);
		if (rowidx_find(&ix, &k) != (int)i)
			bad++;
	}
	printf("wrong_rows %u\n", bad);
	printf("compares_per_hit %.2f\n", (double)compares / n);
	compares = 0;
	for (i = n, bad = 0; i < 2 * n; i++) {
		k = key_of(i);
		if (rowidx_find(&ix, &k) != -1)
			bad++;
	}
	printf("false_hits %u\n", bad);
	printf("compares_per_miss %.2f\n", (double)compares / n);
	rowidx_clear(&ix);
	k = key_of(7);
	printf("after_clear %d\n", rowidx_find(&ix, &k));
	rowidx_add(&ix, &k, 3);
	printf("readded %d\n", rowidx_find(&ix, &k));
	rowidx_free(&ix);
	printf("after_free %d\n", rowidx_find(&ix, &k));
	return 0;
}
