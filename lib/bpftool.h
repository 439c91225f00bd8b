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

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <bpf/libbpf.h>

struct hist_unit;
struct json;

/*
 * The options the tools of bpf/ spell alike (DESIGN.md 6.6): -h -v -j -T
 * -F -p PID -c CGROUP -i SEC and -N/-m.  The tool sets the defaults of interval and
 * count, and keeps its other options to itself.
 */
struct bpftool_opts {
	pid_t pid;			/* -p; 0: every process */
	const char *cgroup;		/* -c: a cgroup v2 directory; NULL: every task */
	bool json;			/* -j */
	bool timestamp;			/* -T */
	bool fallback;			/* -F */
	const struct hist_unit *unit;	/* -N, -m; else lib/hist's microseconds */
	long interval, count;		/* -i SEC, or the positionals "interval [count]" */
	bool have_interval;		/* -i given: the positionals are only [count] */
	bool stream;			/* set by the tool: no positionals, it runs to a signal */
};

/* A tool's long_opts[]: the common options all have ... */
#define BPFTOOL_LONG_OPTS						\
	{ "help", no_argument, NULL, 'h' },				\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "json", no_argument, NULL, 'j' },				\
	{ "timestamp", no_argument, NULL, 'T' },			\
	{ "fallback", no_argument, NULL, 'F' },				\
	{ "pid", required_argument, NULL, 'p' },			\
	{ "cgroup", required_argument, NULL, 'c' }
/* ... the interval tools' -i ... */
#define BPFTOOL_LONG_INTERVAL { "interval", required_argument, NULL, 'i' }
/* ... and the latency tools' time units */
#define BPFTOOL_LONG_UNITS						\
	{ "nanoseconds", no_argument, NULL, 'N' },			\
	{ "milliseconds", no_argument, NULL, 'm' }

/* What a tool's own option parser returns for an option that is not its. */
#define BPFTOOL_OPT_UNKNOWN 2

/*
 * getopt_long() over @argv (@optstring starts with ':'): the common options
 * into @o, the others to @own (0, -1 after its usage error, or
 * BPFTOOL_OPT_UNKNOWN: the usage error is said here), then the positionals
 * "interval [count]" (none if o->stream).  0: run; 1: -h printed @usage;
 * -1: a usage error was printed.
 */
int bpftool_parse(int argc, char **argv, const char *optstring, const struct option *longopts,
		  const char *usage, struct bpftool_opts *o, int (*own)(int opt, const char *arg));
/*
 * Before the load, -c's @path (NULL: no -c) checked to be a cgroup v2
 * directory, and @map (the tool's cgroup_map) created only with -c: a
 * kernel without CONFIG_CGROUPS has no cgroup array, and the programs'
 * dead filter code loads without it.  0, or -errno after one message.
 */
int bpftool_cgroup_map(struct bpf_map *map, const char *path);
/*
 * After the load, with -c: its cgroup into @map (filter_cg set before the
 * load).  0, or -errno after one message.
 */
int bpftool_set_cgroup(struct bpf_map *map, const char *path);
/*
 * main()'s start: cli_name = @name, @parse_args (0 run, 1 help, -1 usage
 * error), then bpftool_start().  -1 to go on; else main()'s exit status:
 * 0 after the help, 2 after a usage error, 1 if BPF cannot run here.
 */
int bpftool_begin(const char *name, int argc, char **argv, int (*parse_args)(int, char **),
		  sigset_t *set);

/*
 * After parse_args(): libbpf's log through cli_libbpf_print(), the BPF
 * probe of lib/probe.h (its reason printed as "<cli_name>: <why>"), and
 * SIGINT/SIGTERM blocked into @set for cli_wait().  0, or -errno after
 * the message (exit 1).
 */
int bpftool_start(sigset_t *set);
/* @obj from <tool>_bpf__open(): 0, or -errno after "failed to open BPF object". */
int bpftool_opened(const void *obj);
/* log2 of the page size, for bits.bpf.h's targ_page_shift */
unsigned int bpftool_page_shift(void);
/* Load and attach the skeleton (obj->skeleton): 0, or -errno after the message. */
int bpftool_load_attach(struct bpf_object_skeleton *skel);

/* probe_tp_btf(); with -v "<cli_name>: no BTF for tracepoint <tp>" if it fails. */
bool bpftool_have_tp(const char *tp);
/* probe_btf_func(); with -v "<cli_name>: no BTF for function <func>" if it fails. */
bool bpftool_have_func(const char *func);

/*
 * probe_tp_state() of tracepoint @tp (lib/probe.h), probed once per run;
 * remembers each module found absent; with -v it names what is missing.
 */
int bpftool_tp_state(const char *tp);
/*
 * A tool's tracepoint-mode choice over the events it needs: a backend
 * whose module is not loaded (or not built) is left out, not a reason for
 * the fallback.  Tally each event, then bpftool_tp_mode(): tracepoint mode
 * if at least one has BTF and none is missing.
 */
struct bpftool_tps {
	bool any;	/* one has BTF */
	bool missing;	/* one is missing: the kernel lacks the series, or a module its BTF */
};
int bpftool_tp_tally(struct bpftool_tps *t, const char *tp);
bool bpftool_tp_mode(const struct bpftool_tps *t);
/* How many modules bpftool_tp_state() found not loaded (not those not built). */
int bpftool_unloaded(void);
/*
 * Why events are missing when that is known, else NULL: an event with an
 * earlier version's prototype of the series, or a module loaded without BTF.
 */
const char *bpftool_missing_why(void);
/*
 * The banner's lines for the modules found absent: in tracepoint mode
 * (@fallback false) the backend is not traced; in the fallback it is seen
 * through its syscalls once loaded; one not in this kernel, either way.
 */
void bpftool_unloaded_note(FILE *f, bool fallback);
/* Their names, ", " between them ("" if none). */
const char *bpftool_unloaded_list(void);
/*
 * Say once on stderr of each that has been loaded since the tool started
 * (its events stay untraced until a restart); bpftool_loop() calls it
 * each interval.
 */
void bpftool_unloaded_recheck(void);
/* "modules_not_loaded": [...] in a JSON document, if there are any (bpftool_json_begin() adds it). */
void bpftool_unloaded_json(struct json *j);

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
 * "<cli_name>: nothing to attach to: ..." for a tool of the DMA ioctls on a
 * kernel with neither the series' events nor the ioctl syscall events:
 * -ENOENT.
 */
int bpftool_no_events(void);

/*
 * Print "Tracing <what>. Ctrl-C to end." and return the stream for the
 * rest of the banner: stderr with -j (@json: stdout is the JSON), else
 * stdout.  The caller flushes it.
 */
FILE *bpftool_banner(bool json, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * An interval's JSON document begun on stdout: "tool" (cli_name), "mode",
 * "fallback", "modules_not_loaded" (if any), "time", "seconds"; the caller
 * adds the rest and ends it.
 */
void bpftool_json_begin(struct json *j, const char *mode, bool fallback, double seconds);

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
