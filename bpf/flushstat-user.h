/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flushstat's user space, in three files along its data flow:
 * flushstat.c (options, programs, the interval loop) reads each interval
 * through flushstat-rows.c (the maps folded into process and domain rows,
 * a struct report) and prints it through flushstat-out.c (text, JSON,
 * storm alerts), which reads the report and never the maps.
 */
#ifndef __FLUSHSTAT_USER_H
#define __FLUSHSTAT_USER_H

#include <stdbool.h>

#include <linux/types.h>

#include "flushstat.h"
#include "storm.h"

#define MAX_KEYS 10240		/* max_entries of counts */
#define MAX_USERS 8		/* IOAS/containers listed per domain */

/* Where the operations a flush is charged to come from. */
enum attrib {
	ATTR_TP,		/* the series' *_start / end events */
	ATTR_SYSCALLS,		/* syscalls:sys_{enter,exit}_ioctl */
	ATTR_RAW_SYSCALLS,	/* raw_syscalls:sys_{enter,exit} */
	ATTR_NONE,
};

/* --source names and JSON "source" values, by enum fs_source */
extern const char *const source_names[];

/* A process row: (tgid, backend, id), everything summed. */
struct prow {
	__u32 tgid, id;
	__u8 backend;
	char comm[TASK_COMM_LEN];
	__u64 syncs, flush_all, range_bytes, empty_syncs;
	__u64 unmap_syncs, unmaps, unmaps_failed, maps, copies;
};

struct user {
	__u8 backend;
	__u32 id;
};

struct drow {
	__u32 dom;
	__u64 syncs, flush_all, range_bytes, empty_syncs;
	int nusers;
	struct user users[MAX_USERS];
	bool more_users;
};

struct entry;

/* One interval: what the output prints. */
struct report {
	int attrib;		/* enum attrib */
	int src;		/* enum fs_source in use */
	double secs;		/* the interval's length */
	__u64 dropped;		/* events the kernel could not count: its table was full */
	struct prow *p;		/* sorted: most syncs first */
	int np;
	struct drow *d;
	int nd;
	struct fs_hist ranges[FS_NR_BACKENDS];	/* this interval's range sizes */
	struct entry *entries;	/* flushstat-rows.c's: the map's rows */
};

/* How to print (the options). */
struct view {
	bool json;		/* -j */
	bool timestamp;		/* -T */
	bool ranges;		/* -R */
	long rows;		/* -r */
};

/* flushstat-rows.c */

/* Room for the rows, and the range map's counts so far: 0 or -ENOMEM. */
int report_init(struct report *r, int ranges_fd);
/* Drain the interval's counters (map @counts_fd) and ranges into @r: 0 or -errno, said. */
int report_read(struct report *r, int counts_fd, int ranges_fd);
void report_free(struct report *r);

/* flushstat-out.c */

void print_human(const struct report *r, const struct view *v);
void print_json(const struct report *r);
/* Detect storms with @p, alerts printed as @v says: 0 or -ENOMEM. */
int storms_init(const struct storm_params *p, const struct view *v);
/* The interval's rows into the detector; alerts printed at once. */
void storms_update(const struct report *r);
/* Tracing stops: the END of every storm still on, then forget them. */
void storms_close(void);
void storms_free(void);

#endif /* __FLUSHSTAT_USER_H */
