// SPDX-License-Identifier: GPL-2.0
/* Numbering kernel identities in the order seen (see seen.h). */
#include "seen.h"

unsigned int seen_number(struct seen *s, uint64_t key)
{
	unsigned int i;

	if (!key)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->keys[i] == key)
			return i + 1;
	if (s->n == SEEN_MAX)
		return 0;
	s->keys[s->n++] = key;
	return s->n;
}
