// SPDX-License-Identifier: GPL-2.0
/* Prints lib/probe.c's probe_tp_nargs() of each tracepoint named. */
#include <stdio.h>

#include "probe.h"

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		printf("%s %d\n", argv[i], probe_tp_nargs(argv[i]));
	probe_free();
	return 0;
}
