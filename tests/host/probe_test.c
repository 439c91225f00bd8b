// SPDX-License-Identifier: GPL-2.0
/*
 * Prints lib/probe.c's probe_tp_nargs() of each tracepoint named, and with
 * "name:N" the BTF kind of its argument N (probe_tp_arg_kind()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		char *colon = strchr(argv[i], ':');

		if (colon) {
			*colon = '\0';
			printf("%s:%s %d\n", argv[i], colon + 1,
			       probe_tp_arg_kind(argv[i], atoi(colon + 1)));
		} else {
			printf("%s %d\n", argv[i], probe_tp_nargs(argv[i]));
		}
	}
	probe_free();
	return 0;
}
