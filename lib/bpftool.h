/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The life of a BPF tool of bpf/, once: the start after the options
 * (libbpf log, BPF privileges, signals), load and attach with the tools'
 * error messages ("<cli_name>: failed to ..."), the fallback's choice of
 * ioctl syscall events, the banner's stream, draining a hash map of
 * per-key aggregates, and the interval loop.  Links with -lbpf.
 */
#ifndef IOASID_LIB_BPFTOOL_H
#define IOASID_LIB_BPFTOOL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <bpf/libbpf.h>

/*
 * After parse_args(): libbpf's log through cli_libbpf_print(), the BPF
 * probe of lib/probe.h (its reason printed as "<cli_name>: <why>"), and
 * SIGINT/SIGTERM blocked into @set for cli_wait().  0, or -errno after
 * the message (exit 1).
 */
int bpftool_start(sigset_t *set);
/* @obj from <tool>_bpf__open(): 0, or -errno after "failed to open BPF object". */
int bpftool_opened(const void *obj);
/* Load and attach the skeleton (obj->skeleton): 0, or -errno after the message. */
int bpftool_load_attach(struct bpf_object_skeleton *skel);

/* The fallback's ioctl syscall events (bits.bpf.h's IOCTL_SYSCALL_PROGS). */
enum bpftool_ioctl_events {
	BPFTOOL_SYSCALLS = 1,		/* syscalls:sys_{enter,exit}_ioctl */
	BPFTOOL_RAW_SYSCALLS,		/* raw_syscalls:sys_{enter,exit} */
};
/* Which of them this kernel has (tracefs), the first preferred; 0 if none. */
int bpftool_ioctl_events(void);
/* "syscalls:sys_{enter,exit}_ioctl" or "raw_syscalls:sys_{enter,exit}". */
const char *bpftool_ioctl_events_name(int which);

/*
 * Print "Tracing <what>. Ctrl-C to end." and return the stream for the
 * rest of the banner: stderr with -j (@json: stdout is the JSON), else
 * stdout.  The caller flushes it.
 */
FILE *bpftool_banner(bool json, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Where bpftool_drain() puts each entry: an array of @max records of
 * @stride bytes, each zeroed, then the key at @key_off and the value at
 * @val_off (offsetof() of the caller's struct).
 */
struct bpftool_rows {
	void *base;
	size_t stride;
	size_t key_off, key_size;
	size_t val_off, val_size;
	int max;
};
/*
 * Move every entry of hash map @fd out into @rows (batch lookup-and-delete,
 * one syscall per batch; before 5.6 lookup-and-delete per key, or lookup
 * then delete before 5.14): how many, or -errno.
 */
int bpftool_drain(int fd, const struct bpftool_rows *rows);
/* Copy every entry of hash map @fd into @rows (batch, or per key): how many, or -errno. */
int bpftool_read(int fd, const struct bpftool_rows *rows);
/*
 * Delete the entries of hash map @fd, keyed by a u64 tgid << 32 | x, whose
 * process is gone (up to 64 a call: tools call it once per interval).
 */
void bpftool_sweep_gone(int fd);

/*
 * The interval loop: wait @interval seconds (0: until a signal), call
 * @report with the seconds since the last call, until a signal or
 * @count reports (0: no limit).  0, or @report's negative return.
 */
int bpftool_loop(const sigset_t *set, long interval, long count,
		 int (*report)(void *ctx, double seconds), void *ctx);

#endif
