/* SPDX-License-Identifier: GPL-2.0 */
/* ioasid-top user space: the frame the collector builds and the views draw. */
#ifndef IOASID_TOP_INT_H
#define IOASID_TOP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#include "ioasid-top.h"

enum col {
	COL_PID, COL_COMM, COL_BACKEND, COL_IOAS, COL_MAP, COL_UNMAP, COL_MIB,
	COL_MAP_P50, COL_MAP_P99, COL_UNMAP_P99, COL_FLUSH, COL_FLUSH_UNMAP,
	COL_FAULT, COL_FAULT_P99, COL_INVAL, NR_COLS,
};

struct col_desc {
	const char *head;	/* column title */
	const char *sort;	/* -s name */
	int width;
	bool left;		/* left-aligned text */
	bool tp_only;		/* needs the series' events */
	const char *what;	/* for --help */
};
extern const struct col_desc cols[NR_COLS];

struct row {
	struct top_key key;
	char comm[TOP_COMM_LEN];
	unsigned int as;	/* IOAS id, or container number; 0: unknown */
	struct top_stats cum, prev, d;	/* cumulative, at the last refresh, delta */
	double v[NR_COLS];	/* numeric columns (NAN: none) */
	bool storm;
	bool active;		/* something happened in the interval */
	bool alive;		/* still in the map */
};

struct dev {
	struct top_dev_key key;
	struct top_dev d;
	char name[64];		/* BDF(s) */
	unsigned int container;	/* type1: number */
	unsigned int ctx;	/* iommufd: its context's number (dev_ids are per context) */
	unsigned int ioas;	/* iommufd: IOAS of the HWPT, if known */
};

#define MAX_STORM_EVENTS 8
struct storm_event {
	bool begin;
	char clock[16];
	struct top_key key;
	unsigned int as;
	char comm[TOP_COMM_LEN];
	double rate, mean_range;
	unsigned int intervals;
};

struct frame {
	char clock[16];
	char kernel[65];
	const char *mode;	/* "tracepoints", "fallback (syscalls)", ... */
	bool fallback;
	double seconds;		/* this interval */
	long delay;
	struct row **rows;	/* shown, sorted */
	int nrows;
	int nrows_all;
	struct dev *devs;
	int ndevs;
	struct storm_event events[MAX_STORM_EVENTS];	/* this refresh's */
	int nevents;
	int storms;		/* active now */
	/* totals over every row (not only the shown ones) */
	double map_s, unmap_s, copy_s, mib_s, flush_s, fault_s, inval_s;
	double other_flush_s;
	uint64_t dropped;
};

/* State the views change. */
struct view {
	int sort;		/* enum col */
	bool reverse;
	bool devices;		/* device view */
	bool all;		/* idle rows too */
	pid_t pid;		/* filter: 0 none */
	char comm[TOP_COMM_LEN];	/* filter: substring, "" none */
	long delay;
};

#define DELAY_MIN 1
#define DELAY_MAX 60

extern const char keys_help[];
const char *backend_name(unsigned int b);
/* "attached", "detached" (the last event seen was a detach) or "failed" */
const char *dev_state(const struct dev *d);
const char *as_str(const struct row *r, char *buf, size_t len);
/* Format numeric column @c of @r into @buf (width not applied). */
const char *cell(const struct row *r, int c, bool fallback, char *buf, size_t len);
void sort_rows(struct frame *f, const struct view *v);
/* 0: ok; else one message in @why. */
int parse_filter(const char *s, struct view *v, char *why, size_t len);

/* screen.c */
int screen_init(void);
/* Draw, then wait up to delay for a key; 1: refresh now, 0: quit, 2: reset. */
int screen_run(struct frame *f, struct view *v, volatile int *stop);
void screen_end(void);
/* Fetch a fresh frame (ioasid-top.c), for re-sorting after a key. */
void frame_resort(struct frame *f, const struct view *v);

#endif
