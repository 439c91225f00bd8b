// SPDX-License-Identifier: GPL-2.0
/*
 * Prints what lib/tracefs.c reads out of a trace buffer's text (given as a
 * file) for tests/host/tracefs.sh: "ret pid ts_ns count" per query; with
 * KEY VALUE, the index trace_find() gives instead; with @NTH, the offset
 * trace_record_offset() gives.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tracefs.h"

int main(int argc, char **argv)
{
	unsigned long long ts = 0;
	char buf[1 << 16];
	size_t n;
	FILE *f;
	int pid = 0, ret;

	if ((argc != 4 && argc != 5) || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: tracefs_test FILE EVENT NTH|KEY [VALUE]\n");
		return 2;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	if (argc == 5) {
		printf("%d\n", trace_find(buf, argv[2], argv[3], strtoll(argv[4], NULL, 0)));
		return 0;
	}
	if (argv[3][0] == '@') {
		printf("%ld\n", trace_record_offset(buf, argv[2], atoi(argv[3] + 1)));
		return 0;
	}
	ret = trace_record_time(buf, argv[2], atoi(argv[3]), &pid, &ts);
	printf("%d %d %llu %d\n", ret, pid, ts, trace_count(buf, argv[2]));
	return 0;
}
