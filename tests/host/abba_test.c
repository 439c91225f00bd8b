// SPDX-License-Identifier: GPL-2.0
/*
 * lib/abba.c for tests/host/abba.sh.  Each stdin line is
 * "lower|higher SEED A1,A2,... B1,B2,..." (nan for a missing figure,
 * "-" for no pairs); prints the summary object per line.
 * "order SEED N" prints the orders of pairs 0..N-1 instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abba.h"

#define MAXK 4096

static int parse_list(char *s, double *v)
{
	char *tok, *save;
	int n = 0;

	if (!strcmp(s, "-"))
		return 0;
	for (tok = strtok_r(s, ",", &save); tok && n < MAXK; tok = strtok_r(NULL, ",", &save))
		v[n++] = strtod(tok, NULL);
	return n;
}

static int one(char *line)
{
	static double a[MAXK], b[MAXK];
	char better[16], as[65536], bs[65536];
	unsigned long seed;
	struct abba r;
	struct json j;
	int na, nb;

	if (sscanf(line, "order %lu %d", &seed, &na) == 2) {
		for (nb = 0; nb < na; nb++)
			printf("%s%s", nb ? " " : "", abba_order(seed, nb));
		printf("\n");
		return 0;
	}
	if (sscanf(line, "%15s %lu %65535s %65535s", better, &seed, as, bs) != 4)
		return -1;
	na = parse_list(as, a);
	nb = parse_list(bs, b);
	if (na != nb)
		return -1;
	abba_summarize(a, b, na, !strcmp(better, "higher"), seed, &r);
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	abba_json(&j, &r);
	json_object_end(&j);
	return 0;
}

int main(void)
{
	static char line[140000];

	while (fgets(line, sizeof(line), stdin))
		if (one(line)) {
			fprintf(stderr, "abba_test: bad line: %s", line);
			return 2;
		}
	return 0;
}
