/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioasid-top user space: the frame the collector builds and the views
 * draw, and what each file offers the others.  The data flow, one way:
 *
 *   args.c      the command line -> struct options
 *   progs.c     the BPF object, its programs chosen for this kernel
 *   collect.c   the BPF maps -> struct frame (rows, devices, vIOMMUs, totals)
 *   model.c     rows, columns, sorting, filtering, cell text: the frame's
 *               vocabulary, which everything else uses and which uses none
 *   batch.c, out_json.c, screen.c   the frame -> text, JSON lines, ncurses
 *   out_prom.c  the frame -> a Prometheus text file (--prometheus)
 *   ioasid-top.c  main(): the above in order, and the refresh loops
 *
 * The outputs read the frame only; a new one (OpenMetrics, say) needs
 * nothing of collect.c: every row and device is in the frame, with its
 * cumulative counters (struct row's cum, struct top_dev).
 */
#ifndef IOASID_TOP_INT_H
#define IOASID_TOP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/types.h>

#include "ioasid-top.h"
#include "storm.h"

enum col {
	COL_PID, COL_COMM, COL_BACKEND, COL_IOAS, COL_MAP, COL_UNMAP, COL_MIB,
	COL_MAP_P50, COL_MAP_P99, COL_UNMAP_P99, COL_FLUSH, COL_FLUSH_UNMAP,
	COL_FAULT, COL_FAULT_P99, COL_INVAL, COL_DIRTY, COL_DIRTY_PCT, COL_ACCESS, NR_COLS,
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

/* A vIOMMU of the device view (iommufd, 6.13 on): cumulative counters. */
struct viommu {
	struct top_viommu_key key;
	struct top_viommu v;
	unsigned int ctx;	/* its context's number, as a device's */
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
	const char *mode_id;	/* JSON: "tracepoints", "syscalls", "raw_syscalls" */
	bool fallback;
	bool forced;		/* the fallback asked for (-F) */
	double seconds;		/* this interval */
	long delay;
	struct row **rows;	/* shown, sorted */
	int nrows;
	struct row *all;	/* every row, shown or not, in no order */
	int nrows_all;
	struct dev *devs;
	int ndevs;
	struct viommu *viommus;	/* live, and destroyed in the last minute */
	int nviommus;
	struct storm_event events[MAX_STORM_EVENTS];	/* this refresh's */
	int nevents;
	int storms;		/* active now */
	/* totals over every row (not only the shown ones) */
	double map_s, unmap_s, copy_s, mib_s, flush_s, fault_s, inval_s, dirty_s, access_s;
	double other_flush_s;
	uint64_t other_flushes;	/* since start: the syncs no row owns */
	uint64_t dropped;	/* since start */
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

/* model.c: the frame's vocabulary */

extern const char keys_help[];
/* The columns the fallback leaves empty, for its banners. */
const char *unavailable_text(void);
const char *backend_name(unsigned int b);
/* "attached", "detached" (the last event seen was a detach) or "failed" */
const char *dev_state(const struct dev *d);
/* What @d is attached to (or was, last): "container c2", "hwpt 4 ioas 3", "hwpt 4". */
const char *dev_attached_to(const struct dev *d, char *buf, size_t len);
/* Seconds since @d's last change. */
double dev_age(const struct dev *d);
/* "-" for the RID (IOMMU_NO_PASID, and type1), else the PASID. */
const char *dev_pasid(const struct dev *d, char *buf, size_t len);
/* The device view's header and lines (no newline), batch and screen alike. */
const char *dev_head(char *buf, size_t len);
const char *dev_line(const struct dev *d, char *buf, size_t len);
const char *viommu_head(char *buf, size_t len);
const char *viommu_line(const struct viommu *v, char *buf, size_t len);
/* Its type's name ("smmuv3", "selftest", ...), else the number. */
const char *viommu_type(const struct viommu *v, char *buf, size_t len);
/* "live", "destroyed" */
const char *viommu_state(const struct viommu *v);
/* The process that allocated it: "-" when its alloc was not seen. */
const char *viommu_pid(const struct viommu *v, char *buf, size_t len);
const char *as_str(const struct row *r, char *buf, size_t len);
/* Format numeric column @c of @r into @buf (width not applied). */
const char *cell(const struct row *r, int c, bool fallback, char *buf, size_t len);
/* f->rows: the rows of f->all that @v shows, sorted as it says (after a key, too). */
void frame_resort(struct frame *f, const struct view *v);
/* 0: ok; else one message in @why. */
int parse_filter(const char *s, struct view *v, char *why, size_t len);

/* args.c */

struct options {
	bool batch, json, once, fallback;
	const char *prom;	/* --prometheus: the file, or NULL */
	long delay, count;
	struct view view;
	struct storm_params storm;
};
/* Into @o: 0: run; 1: help printed, exit 0; -1: usage error printed, exit 2. */
int parse_args(int argc, char **argv, struct options *o);

/* progs.c */

struct ioasid_top_bpf;
enum mode { MODE_TP, MODE_SYSCALLS, MODE_RAW_SYSCALLS };
extern const char *const mode_names[];	/* for people */
extern const char *const mode_json[];	/* for JSON */
/*
 * The object opened, its mode chosen (the fallback if @fallback), its
 * programs selected, loaded and attached; *@missing: the optional
 * tracepoints this kernel lacks ("" if none).  NULL and *@err after one
 * message.
 */
struct ioasid_top_bpf *progs_load(bool fallback, int *mode, const char **missing, int *err);
/* progs_load()'s tracepoint tally: .missing if the fallback is for want of events */
extern struct bpftool_tps progs_tps;

/* collect.c: the BPF maps -> the frame */

/*
 * Read @obj's maps, storms detected with @storm: the frame (the caller
 * says what runs: kernel, mode), or NULL after "out of memory".
 */
struct frame *collect_init(struct ioasid_top_bpf *obj, const struct storm_params *storm);
/* The first interval starts now. */
void collect_start(void);
/* A refresh: the interval since the last one into the frame, @v's rows shown; 0 or -errno. */
int collect(const struct view *v);
/* Forget everything: the maps' rows and devices, storms, numbering. */
void collect_reset(void);
void collect_free(void);

/* batch.c, out_json.c: a frame on stdout */

void print_batch(const struct frame *f, const struct view *v);
void print_json(const struct frame *f);
/* out_prom.c: the frame's cumulative counters into @path (atomically); 0 or -errno */
int prom_write(const struct frame *f, const char *path);
/*
 * Take @path's lock (".NAME.lock" beside it): 0; -EBUSY if another
 * ioasid-top holds it (its pid in *@owner when known), or -errno.
 */
int prom_lock(const char *path, long *owner);
/* Remove @path and its lock file. */
void prom_remove(const char *path);

/* screen.c */

int screen_init(void);
/* Draw, then wait up to delay for a key; 1: refresh now, 0: quit, 2: reset. */
int screen_run(struct frame *f, struct view *v, volatile int *stop);
void screen_end(void);

#endif
