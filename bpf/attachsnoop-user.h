/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attachsnoop's user space, in two files: attachsnoop.c (options, which
 * programs run in which mode, the ring-buffer loop) hands each record to
 * attachsnoop-lines.c (the fallback's fd table, a record decoded into one
 * line, printed as text or JSON), which never touches the skeleton.
 */
#ifndef __ATTACHSNOOP_USER_H
#define __ATTACHSNOOP_USER_H

#include <stdbool.h>

#include <linux/types.h>

#include "attachsnoop.h"

enum mode {
	MODE_TP,		/* the series' events, tp_btf */
	MODE_SYSCALLS,		/* syscalls:sys_{enter,exit}_ioctl, sys_enter_close */
	MODE_RAW_SYSCALLS,	/* raw_syscalls:sys_{enter,exit} */
};

/* JSON "mode" values, by enum mode */
extern const char *const mode_names[];

/* The ioctls: what starts a latency, what the fallback reports. */
struct ioctl_info {
	__u32 cmd;
	const char *name;
	const char *event;	/* the fallback's event name */
	const char *backend;
	bool arg_is_ptr;
	bool track;		/* success: fd now bound / in a container */
	bool untrack;
};

/* indexed by enum as_ioctl (attachsnoop.h) */
extern const struct ioctl_info ioctl_infos[MAX_IOCTLS];

/* How records are printed (the mode and the options). */
struct view {
	int mode;		/* enum mode */
	bool json;		/* -j */
	bool timestamp;		/* -T */
	double wall_offset;	/* CLOCK_REALTIME - CLOCK_MONOTONIC, to date records */
};

/* attachsnoop-lines.c: one record, decoded and printed as @v says. */
void print_record(const struct event *e, const struct view *v);

#endif /* __ATTACHSNOOP_USER_H */
