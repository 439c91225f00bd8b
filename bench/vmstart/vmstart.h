/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmstart's pieces, in the order of its data flow:
 *
 *   main.c    options, the list of cases, the starts in ABBA block pairs
 *   check.c   what must hold before anything starts (root, QEMU, device,
 *             memory, hugetlbfs) and the FOLL_PIN count
 *   qemu.c    the run directory, QEMU's command line and one start
 *   qmp.c     the QMP client: connect, commands, QEMU's memory map
 *   trace.c   the series' events in a private tracefs instance
 *   output.c  statistics of the starts, the iommufd/type1 comparisons
 *             (lib/abba), the JSON document, the tables
 *
 * Options live in @cfg (set by main.c), what the checks found in @host.
 */
#ifndef IOASID_BENCH_VMSTART_H
#define IOASID_BENCH_VMSTART_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#define SZ_1M		((uint64_t)1 << 20)
#define SZ_2M		((uint64_t)2 << 20)
#define MAX_SIZES	16
#define MAX_EXTRA	64
/* The QMP socket's path, NUL included, must fit in sun_path (108 on Linux). */
#define SOCK_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)
#define RUNDIR_NAME	"vmstart.XXXXXX"
#define SOCK_NAME	"qmp.sock"

enum backend { BE_IOMMUFD, BE_TYPE1, BE_NR };
enum backing { BK_ANON, BK_HUGETLB, BK_NR };

extern const char *const be_names[BE_NR];
extern const char *const bk_names[BK_NR];

/* One QEMU start. */
struct run {
	int seq;		/* 1-based position among all the starts */
	double ready_ms;	/* exec -> query-status answered "prelaunch" */
	double quit_ms;		/* quit sent -> QEMU reaped */
	/* From the events (trace mode only), up to ready. */
	double map_ms;		/* sum of the time inside the map calls */
	uint64_t map_calls, map_bytes, map_errors;
	uint64_t unmap_calls, unmap_bytes;
	uint64_t pin_calls, pinned_pages;
	uint64_t iotlb_syncs;
	double attach_at_ms;	/* exec -> device attached; NAN if not seen */
	double map_start_at_ms;	/* exec -> first map call entered; NAN if none */
	double map_end_at_ms;	/* exec -> last map call returned; NAN if none */
	/* From QEMU's memory map ("info mtree -f", AS "memory"): what it should map. */
	uint64_t expected_bytes;
};

/* One backend x RAM size x backing, and its starts so far. */
struct vcase {
	enum backend be;
	uint64_t ram;
	enum backing bk;
	struct run *runs;
	int n;
};

struct vs_config {
	const char *bdf_opt, *json_path, *series, *hugetlbfs_opt, *boot_opt;
	const char *append, *qemu, *accel;
	bool json_stdout, progress, dry_run, pin_check;
	bool backend_on[BE_NR], backing_on[BK_NR];
	uint64_t sizes[MAX_SIZES];
	int nsizes;
	long repeat, timeout_s, buffer_kb, smp;
	int prealloc;		/* -1 auto: on for hugetlb, off for anon */
	unsigned long seed;	/* ABBA order of the block pairs, bootstrap */
	char *extra[MAX_EXTRA];	/* after "--": QEMU's */
	int nextra;
	char boot_kernel[2048], boot_initrd[2048];
};

struct vs_host {
	char bdf[32];
	char qemu_path[4096], qemu_version[256];
	char hugedir[4096];
	bool tracing;		/* the series' events are there and in use */
};

extern struct vs_config cfg;
extern struct vs_host host;
extern volatile sig_atomic_t stop;	/* SIGINT, SIGTERM, SIGHUP */

/* main.c: "vmstart: <message>" after cleanup(), exit 1. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* No QEMU running, no run directory, no trace instance. */
void cleanup(void);
void case_id(const struct vcase *c, char *buf, size_t len);
bool case_prealloc(const struct vcase *c);

/* check.c */
void precheck(const struct vcase *cases, int ncases);
void find_device(char *err, size_t errlen);
int find_hugetlbfs(void);
int resolve_qemu(const char *name, char *out, size_t len);
long long pinned_now(void);

/* qemu.c */
struct argv {
	char *v[128 + MAX_EXTRA];
	int n;
};
const char *tmp_base(char *buf, size_t len);
void make_rundir(void);
const char *rundir(void);
void qemu_cleanup(void);
int probe_qemu(int *maj, int *min, char *err, size_t errlen);
bool qemu_has_object(const char *type);
void build_cmd(const struct vcase *c, const char *sock, struct argv *a);
void argv_free(struct argv *a);
void print_cmd(FILE *f, const struct argv *a);
int run_one(struct vcase *c, struct run *r, char *err, size_t errlen);
/* Has QEMU gone?  Then reaped, and why in @err. */
bool child_gone(char *err, size_t errlen, const char *id);
void kill_child(void);
void copy_str(char *out, size_t len, const char *src);

/* qmp.c */
struct qmp {
	int fd;
	char *buf;
	size_t len, cap;
};
int qmp_connect(struct qmp *q, const char *sock, uint64_t deadline, char *err,
		size_t errlen, const char *id);
ssize_t qmp_line(struct qmp *q, uint64_t deadline, char *err, size_t errlen, const char *id);
void qmp_consume(struct qmp *q, size_t l);
ssize_t qmp_cmd(struct qmp *q, const char *cmd, uint64_t deadline, char *err, size_t errlen,
		const char *id);
char *json_return_string(char *line);
uint64_t expected_from_mtree(const char *text);

/* trace.c */
void trace_setup(void);
void trace_cleanup(void);
int trace_arm(char *err, size_t errlen);
int trace_collect(struct run *r, uint64_t t0, uint64_t t_ready, char *err, size_t errlen);

/* output.c */
void write_json(FILE *f, const struct vcase *cases, int ncases);
void print_table(FILE *f, const struct vcase *cases, int ncases);

#endif
