// SPDX-License-Identifier: GPL-2.0
/* The life of a BPF tool of bpf/ (see bpftool.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftool.h"
#include "cli.h"
#include "probe.h"
#include "tracefs.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's, not in libc's errno.h */
#endif

int bpftool_start(sigset_t *set)
{
	char why[256];
	int err;

	libbpf_set_print(cli_libbpf_print);
	err = probe_bpf(why, sizeof(why));
	if (err) {
		fprintf(stderr, "%s: %s\n", cli_name, why);
		return err;
	}
	/* signals end cli_wait(); blocked until then so none is lost */
	cli_block_signals(set);
	return 0;
}

int bpftool_opened(const void *obj)
{
	int err = errno;

	if (obj)
		return 0;
	fprintf(stderr, "%s: failed to open BPF object: %s\n", cli_name, strerror(err));
	return err ? -err : -EINVAL;
}

int bpftool_load_attach(struct bpf_object_skeleton *skel)
{
	int err;

	err = bpf_object__load_skeleton(skel);
	if (err) {
		fprintf(stderr, "%s: failed to load BPF object: %s\n", cli_name, strerror(-err));
		return err;
	}
	err = bpf_object__attach_skeleton(skel);
	if (err)
		fprintf(stderr, "%s: failed to attach BPF programs: %s\n", cli_name,
			strerror(-err));
	return err;
}

int bpftool_ioctl_events(void)
{
	if (tracefs_event_exists("syscalls", "sys_enter_ioctl") &&
	    tracefs_event_exists("syscalls", "sys_exit_ioctl"))
		return BPFTOOL_SYSCALLS;
	if (tracefs_event_exists("raw_syscalls", "sys_enter") &&
	    tracefs_event_exists("raw_syscalls", "sys_exit"))
		return BPFTOOL_RAW_SYSCALLS;
	return 0;
}

const char *bpftool_ioctl_events_name(int which)
{
	return which == BPFTOOL_SYSCALLS ? "syscalls:sys_{enter,exit}_ioctl" :
	       "raw_syscalls:sys_{enter,exit}";
}

FILE *bpftool_banner(bool json, const char *fmt, ...)
{
	FILE *f = json ? stderr : stdout;
	va_list ap;

	fputs("Tracing ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputs(". Ctrl-C to end.\n", f);
	return f;
}

int bpftool_drain(int fd, const struct bpftool_rows *rows)
{
	static bool no_lookup_and_delete;
	char *keys, *e, *prev = NULL;
	int n = 0, i, m = 0, err = 0;

	keys = calloc(rows->max, rows->key_size);
	if (!keys)
		return -ENOMEM;
	/* the keys first: deleting while walking would restart the walk */
	while (n < rows->max &&
	       !bpf_map_get_next_key(fd, prev, keys + (size_t)n * rows->key_size)) {
		prev = keys + (size_t)n * rows->key_size;
		n++;
	}
	for (i = 0; i < n; i++) {
		const char *key = keys + (size_t)i * rows->key_size;

		e = (char *)rows->base + (size_t)m * rows->stride;
		memset(e, 0, rows->stride);
		if (!no_lookup_and_delete &&
		    !bpf_map_lookup_and_delete_elem(fd, key, e + rows->val_off)) {
			memcpy(e + rows->key_off, key, rows->key_size);
			m++;
			continue;
		}
		/* hash maps gained lookup-and-delete in 5.14 */
		if (errno == EINVAL || errno == ENOTSUPP || errno == EOPNOTSUPP)
			no_lookup_and_delete = true;
		if (bpf_map_lookup_elem(fd, key, e + rows->val_off)) {
			if (errno == ENOENT)
				continue;
			err = -errno;
			break;
		}
		bpf_map_delete_elem(fd, key);
		memcpy(e + rows->key_off, key, rows->key_size);
		m++;
	}
	free(keys);
	return err ? err : m;
}

int bpftool_loop(const sigset_t *set, long interval, long count,
		 int (*report)(void *ctx, double seconds), void *ctx)
{
	double last = cli_now(), t;
	bool stop;
	int err;

	for (;;) {
		stop = cli_wait(set, interval);
		t = cli_now();
		err = report(ctx, t - last);
		if (err < 0)
			return err;
		last = t;
		if (stop || --count == 0)
			return 0;
	}
}
