// SPDX-License-Identifier: GPL-2.0
/*
 * emptytp: attach emptytp.bpf.c's empty programs to maplat's _start and
 * end events, print a "Tracing" banner (bench/overhead-guest waits for it)
 * and stay attached until SIGINT or SIGTERM.  Starts like the tools of
 * bpf/ (lib/bpftool.h); a kernel without the series' events is an error,
 * not a fallback: there is no floor to measure there.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpftool.h"
#include "cli.h"
#include "emptytp.skel.h"
#include "probe.h"
#include "util.h"

/* The events emptytp.bpf.c attaches to, in its order. */
static const char *const events[] = {
	"iommufd_ioas_map_start", "iommufd_ioas_map",
	"iommufd_ioas_unmap_start", "iommufd_ioas_unmap",
	"iommufd_ioas_copy_start", "iommufd_ioas_copy",
	"vfio_iommu_type1_dma_map_start", "vfio_iommu_type1_dma_map",
	"vfio_iommu_type1_dma_unmap_start", "vfio_iommu_type1_dma_unmap",
};

static const char usage_text[] =
"usage: emptytp [-h] [-v]\n"
"\n"
"The floor of bench/overhead: an empty tp_btf program on each _start and\n"
"end event maplat uses (iommufd_ioas_{map,unmap,copy}[_start],\n"
"vfio_iommu_type1_dma_{map,unmap}[_start]), attached until Ctrl-C or SIGTERM.\n"
"\n"
"  -h, --help     this help\n"
"  -v, --verbose  libbpf debug output\n";

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{},
};

/* 0: run; 1: help printed, exit 0; -1: usage error printed, exit 2. */
static int parse_args(int argc, char **argv)
{
	int opt;

	opterr = 0;	/* cli_option_error(): "emptytp: ...", the synopsis */
	while ((opt = getopt_long(argc, argv, ":hv", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case 'v':
			cli_verbose = true;
			break;
		default:
			cli_option_error(usage_text, opt, argv);
			return -1;
		}
	}
	if (optind < argc) {
		cli_usage_error(usage_text, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

/* Every event needs BTF: one message naming those missing, -ENOENT. */
static int probe_events(void)
{
	char miss[512] = "";
	size_t i, len = 0;

	for (i = 0; i < ARRAY_SIZE(events); i++) {
		if (probe_tp_btf(events[i]))
			continue;
		len += snprintf(miss + len, sizeof(miss) - len, "%s%s", len ? ", " : "",
				events[i]);
		if (len >= sizeof(miss))
			break;
	}
	if (!len)
		return 0;
	fprintf(stderr, "emptytp: no BTF for tracepoint(s) %s: this kernel lacks the "
		"ioasid-trace series' map/unmap/copy events\n", miss);
	return -ENOENT;
}

int main(int argc, char **argv)
{
	struct emptytp_bpf *obj = NULL;
	sigset_t set;
	int err;

	cli_name = "emptytp";
	err = parse_args(argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	if (bpftool_start(&set))
		return 1;
	err = probe_events();
	if (err)
		goto cleanup;

	obj = emptytp_bpf__open();
	err = bpftool_opened(obj);
	if (err)
		goto cleanup;
	err = bpftool_load_attach(obj->skeleton);
	if (err)
		goto cleanup;

	fflush(bpftool_banner(false, "the map/unmap/copy _start/end events with empty programs"));
	/* no interval: only a signal ends the wait */
	while (!cli_wait(&set, INT_MAX))
		;
cleanup:
	emptytp_bpf__destroy(obj);
	probe_free();
	return err ? 1 : 0;
}
