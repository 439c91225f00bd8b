// SPDX-License-Identifier: GPL-2.0
/*
 * emptytp: load emptytp.bpf.c's empty programs, attach them, print a
 * "Tracing" banner (bench/overhead-guest waits for it) and stay attached
 * until SIGINT or SIGTERM.  A kernel without the series' end events fails
 * the load: there is no floor to measure there.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "emptytp.skel.h"

static volatile sig_atomic_t done;

static void on_signal(int sig)
{
	done = 1;
}

int main(int argc, char **argv)
{
	struct emptytp_bpf *obj;
	int err;

	if (argc > 1) {
		fprintf(stderr, "usage: emptytp\n\nAttach an empty tp_btf program to each "
			"end event maplat uses, until SIGINT/SIGTERM.\n");
		return argv[1][0] == '-' && argv[1][1] == 'h' ? 0 : 2;
	}
	obj = emptytp_bpf__open_and_load();
	if (!obj) {
		fprintf(stderr, "emptytp: failed to load BPF object: %s\n", strerror(errno));
		return 1;
	}
	err = emptytp_bpf__attach(obj);
	if (err) {
		fprintf(stderr, "emptytp: failed to attach BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("Tracing the map/unmap/copy end events with empty programs... "
	       "Hit Ctrl-C to end.\n");
	fflush(stdout);
	while (!done)
		pause();
cleanup:
	emptytp_bpf__destroy(obj);
	return err ? 1 : 0;
}
