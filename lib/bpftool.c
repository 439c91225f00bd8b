// SPDX-License-Identifier: GPL-2.0
/* The life of a BPF tool of bpf/ (see bpftool.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftool.h"
#include "cli.h"
#include "hist.h"
#include "json.h"
#include "probe.h"
#include "tracefs.h"
#include "util.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's, not in libc's errno.h */
#endif

/* One of the common options: 0, 1 (-h), -1 (usage error) or BPFTOOL_OPT_UNKNOWN. */
static int common_opt(struct bpftool_opts *o, int opt, const char *arg, const char *usage)
{
	long v;

	switch (opt) {
	case 'h':
		fputs(usage, stdout);
		return 1;
	case 'v':
		cli_verbose = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'T':
		o->timestamp = true;
		return 0;
	case 'F':
		o->fallback = true;
		return 0;
	case 'N':
	case 'm':
		if (o->unit) {
			cli_usage_error(usage, "-N and -m: one unit");
			return -1;
		}
		o->unit = opt == 'N' ? &hist_ns : &hist_ms;
		return 0;
	case 'p':
		if (cli_parse_long(arg, 1, &v) || v > INT_MAX) {
			cli_usage_error(usage, "invalid PID '%s'", arg);
			return -1;
		}
		o->pid = v;
		return 0;
	case 'c':
		if (!arg[0]) {
			cli_usage_error(usage, "-c needs a cgroup directory");
			return -1;
		}
		o->cgroup = arg;
		return 0;
	case 'i':
		if (cli_parse_long(arg, 1, &o->interval)) {
			cli_usage_error(usage, "invalid interval '%s'", arg);
			return -1;
		}
		o->have_interval = true;
		return 0;
	}
	return BPFTOOL_OPT_UNKNOWN;
}

int bpftool_parse(int argc, char **argv, const char *optstring, const struct option *longopts,
		  const char *usage, struct bpftool_opts *o, int (*own)(int opt, const char *arg))
{
	int opt, err;

	opterr = 0;	/* cli_option_error(): "<cli_name>: ...", the synopsis */
	while ((opt = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		err = common_opt(o, opt, optarg, usage);
		if (err == BPFTOOL_OPT_UNKNOWN && own)
			err = own(opt, optarg);
		if (err == BPFTOOL_OPT_UNKNOWN) {
			cli_option_error(usage, opt, argv);
			return -1;
		}
		if (err)
			return err;
	}
	if (!o->unit)
		o->unit = &hist_us;
	if (!o->stream)
		return cli_interval_count(argc, argv, optind, o->have_interval, &o->interval,
					  &o->count, usage);
	if (optind < argc) {
		cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

int bpftool_begin(const char *name, int argc, char **argv, int (*parse_args)(int, char **),
		  sigset_t *set)
{
	int err;

	cli_name = name;
	err = parse_args(argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	return bpftool_start(set) ? 1 : -1;
}

static int cgroup_fd = -1;	/* -c's directory, from the check to the map */

int bpftool_cgroup_map(struct bpf_map *map, const char *path)
{
	const unsigned long cgroup2_magic = 0x63677270;	/* CGROUP2_SUPER_MAGIC */
	struct statfs sf;

	bpf_map__set_autocreate(map, path != NULL);
	if (!path)
		return 0;
	cgroup_fd = open(path, O_RDONLY | O_DIRECTORY);
	if (cgroup_fd < 0) {
		fprintf(stderr, "%s: cannot open cgroup %s: %s\n", cli_name, path, strerror(errno));
		return -errno;
	}
	if (fstatfs(cgroup_fd, &sf) || (unsigned long)sf.f_type != cgroup2_magic) {
		fprintf(stderr, "%s: %s is not a cgroup v2 directory (e.g. under "
			"/sys/fs/cgroup)\n", cli_name, path);
		close(cgroup_fd);
		cgroup_fd = -1;
		return -EINVAL;
	}
	return 0;
}

int bpftool_set_cgroup(struct bpf_map *map, const char *path)
{
	__u32 zero = 0;
	int err = 0;

	if (bpf_map_update_elem(bpf_map__fd(map), &zero, &cgroup_fd, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "%s: cannot filter on cgroup %s: %s\n", cli_name, path,
			strerror(errno));
	}
	close(cgroup_fd);
	cgroup_fd = -1;
	return err;
}

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

unsigned int bpftool_page_shift(void)
{
	long sz = sysconf(_SC_PAGESIZE);

	return sz > 0 ? (unsigned int)__builtin_ctzl(sz) : 12;
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

bool bpftool_have_tp(const char *tp)
{
	if (probe_tp_btf(tp))
		return true;
	if (cli_verbose)
		fprintf(stderr, "%s: no BTF for tracepoint %s\n", cli_name, tp);
	return false;
}

bool bpftool_have_func(const char *func)
{
	if (probe_btf_func(func))
		return true;
	if (cli_verbose)
		fprintf(stderr, "%s: no BTF for function %s\n", cli_name, func);
	return false;
}

/*
 * Each tracepoint's state, probed once (mode choice and program selection
 * ask twice; a module loaded in between must not change the answer), and
 * the modules found absent, for the banner and the loop.
 */
static struct {
	const char *tp;
	int state;
} tp_states[64];
static int ntp_states;

static struct {
	const char *module, *backend;
	int state;		/* PROBE_TP_UNLOADED, _NOT_BUILT or _NO_MODULE_BTF */
	bool loaded_since;	/* said once: loaded after the tool attached */
} absent[4];
static int nabsent;
static const char *old_proto_tp;	/* an event with an older series' prototype */
static bool note_fallback;	/* the banner's mode, for the loaded-since line */

static void note_absent(const char *tp, int st)
{
	const char *module, *backend;
	int i;

	module = probe_tp_module(tp, &backend);
	for (i = 0; i < nabsent; i++)
		if (absent[i].module == module)
			return;
	if (nabsent == (int)ARRAY_SIZE(absent))
		return;
	absent[nabsent].module = module;
	absent[nabsent].backend = backend;
	absent[nabsent++].state = st;
	if (cli_verbose)
		fprintf(stderr, "%s: tracepoint %s: module %s %s\n", cli_name, tp, module,
			st == PROBE_TP_UNLOADED ? "not loaded" : st == PROBE_TP_NOT_BUILT ?
			"not in this kernel" : "loaded without BTF");
}

int bpftool_tp_state(const char *tp)
{
	int st, i;

	for (i = 0; i < ntp_states; i++)
		if (!strcmp(tp_states[i].tp, tp))
			return tp_states[i].state;
	st = probe_tp_state(tp);
	if (ntp_states < (int)ARRAY_SIZE(tp_states)) {
		tp_states[ntp_states].tp = tp;
		tp_states[ntp_states++].state = st;
	}
	if (st == PROBE_TP_MISSING && cli_verbose)
		fprintf(stderr, "%s: no BTF for tracepoint %s\n", cli_name, tp);
	if (st == PROBE_TP_OLD_PROTO)
		old_proto_tp = old_proto_tp ?: tp;
	else if (st != PROBE_TP_OK && st != PROBE_TP_MISSING)
		note_absent(tp, st);
	return st;
}

int bpftool_tp_tally(struct bpftool_tps *t, const char *tp)
{
	int st = bpftool_tp_state(tp);

	switch (st) {
	case PROBE_TP_OK:
		t->any = true;
		break;
	case PROBE_TP_UNLOADED:
	case PROBE_TP_NOT_BUILT:
		break;		/* that backend is absent: left out */
	default:
		t->missing = true;
	}
	return st;
}

bool bpftool_tp_mode(const struct bpftool_tps *t)
{
	return t->any && !t->missing;
}

int bpftool_unloaded(void)
{
	int i, n = 0;

	for (i = 0; i < nabsent; i++)
		n += absent[i].state == PROBE_TP_UNLOADED;
	return n;
}

const char *bpftool_missing_why(void)
{
	static char buf[160];
	int i;

	if (old_proto_tp) {
		snprintf(buf, sizeof(buf), "tracepoint %s has an earlier version's prototype "
			 "of the series: these tools read the current one's", old_proto_tp);
		return buf;
	}
	for (i = 0; i < nabsent; i++) {
		if (absent[i].state != PROBE_TP_NO_MODULE_BTF)
			continue;
		snprintf(buf, sizeof(buf), "module %s is loaded without BTF "
			 "(CONFIG_DEBUG_INFO_BTF_MODULES=n): no events of it", absent[i].module);
		return buf;
	}
	return NULL;
}

void bpftool_unloaded_note(FILE *f, bool fallback)
{
	int i;

	note_fallback = fallback;
	for (i = 0; i < nabsent; i++) {
		if (absent[i].state == PROBE_TP_NOT_BUILT)
			fprintf(f, "  %s: not in this kernel (no module %s)\n", absent[i].backend,
				absent[i].module);
		else if (absent[i].state != PROBE_TP_UNLOADED)
			continue;
		else if (fallback)
			fprintf(f, "  module %s not loaded: %s seen through its syscalls once "
				"loaded\n", absent[i].module, absent[i].backend);
		else
			fprintf(f, "  %s not traced: module %s not loaded (load it and restart, "
				"or -F: its syscalls)\n", absent[i].backend, absent[i].module);
	}
}

const char *bpftool_unloaded_list(void)
{
	static char buf[128];
	size_t l = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < nabsent && l < sizeof(buf); i++)
		if (absent[i].state == PROBE_TP_UNLOADED)
			l += snprintf(buf + l, sizeof(buf) - l, "%s%s", l ? ", " : "",
				      absent[i].module);
	return buf;
}

void bpftool_unloaded_json(struct json *j)
{
	int i;

	if (!bpftool_unloaded())
		return;
	json_array_begin(j, "modules_not_loaded");
	for (i = 0; i < nabsent; i++)
		if (absent[i].state == PROBE_TP_UNLOADED)
			json_string(j, NULL, absent[i].module);
	json_array_end(j);
}

void bpftool_unloaded_recheck(void)
{
	int i;

	for (i = 0; i < nabsent; i++) {
		if (absent[i].state != PROBE_TP_UNLOADED || absent[i].loaded_since ||
		    !probe_module_loaded(absent[i].module))
			continue;
		absent[i].loaded_since = true;
		if (note_fallback)
			fprintf(stderr, "%s: module %s was loaded after %s started: seen through "
				"its syscalls (restart %s for its events)\n", cli_name,
				absent[i].module, cli_name, cli_name);
		else
			fprintf(stderr, "%s: module %s was loaded after %s started: its events "
				"are not traced until %s restarts\n", cli_name, absent[i].module,
				cli_name, cli_name);
	}
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

int bpftool_no_events(void)
{
	fprintf(stderr, "%s: nothing to attach to: this kernel has neither the "
		"iommufd/vfio_iommu_type1 events (BTF) nor syscalls:sys_enter_ioctl or "
		"raw_syscalls:sys_enter (tracefs at %s)\n", cli_name, tracefs_root());
	return -ENOENT;
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

void bpftool_json_begin(struct json *j, const char *mode, bool fallback, double seconds)
{
	json_init(j, stdout);
	json_object_begin(j, NULL);
	json_string(j, "tool", cli_name);
	json_string(j, "mode", mode);
	json_bool(j, "fallback", fallback);
	bpftool_unloaded_json(j);
	json_time(j, "time");
	json_double(j, "seconds", seconds);
}

/* *@buf at least @size bytes (grown, contents not kept); NULL if out of memory. */
static char *grow_buf(char **buf, size_t *cap, size_t size)
{
	char *b;

	if (*cap >= size)
		return *buf;
	b = realloc(*buf, size);
	if (!b)
		return NULL;
	*cap = size;
	return *buf = b;
}

/*
 * Every entry of @fd into @rows in a few syscalls (the batch commands,
 * 5.6+), moved out if @del: how many; -EOPNOTSUPP where the kernel has
 * no batch for this map (nothing read), or -errno.
 */
static int batch_rows(int fd, const struct bpftool_rows *rows, bool del)
{
	/* kept from call to call: the tools read every interval */
	static char *keys, *vals;
	char *token;
	static size_t kcap, vcap;
	size_t ks = rows->key_size, vs = rows->val_size;
	__u32 count;
	int n = 0, i, err = 0;
	bool first = true;

	/* the keys, then the batch token (a hash map's is a u32 bucket) */
	if (!grow_buf(&keys, &kcap, (size_t)rows->max * ks + (ks > 8 ? ks : 8)) ||
	    !grow_buf(&vals, &vcap, (size_t)rows->max * vs))
		return -ENOMEM;
	token = keys + (size_t)rows->max * ks;
	while (n < rows->max) {
		count = rows->max - n;
		err = del ? bpf_map_lookup_and_delete_batch(fd, first ? NULL : token, token,
							    keys + n * ks, vals + n * vs, &count, NULL) :
			    bpf_map_lookup_batch(fd, first ? NULL : token, token,
						 keys + n * ks, vals + n * vs, &count, NULL);
		if (err)
			err = -errno;
		first = false;
		/* set on -ENOENT (the last batch); other errors leave it as passed */
		if (!err || err == -ENOENT)
			n += count;
		if (err)
			break;
	}
	if (err == -ENOENT)
		err = 0;
	if (err && !n && (err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP))
		err = -EOPNOTSUPP;
	else if (n)
		err = 0;	/* what was moved out is returned; the rest stays */
	for (i = 0; !err && i < n; i++) {
		char *e = (char *)rows->base + (size_t)i * rows->stride;

		memset(e, 0, rows->stride);
		memcpy(e + rows->key_off, keys + i * ks, ks);
		memcpy(e + rows->val_off, vals + i * vs, vs);
	}
	return err ? err : n;
}

int bpftool_read(int fd, const struct bpftool_rows *rows)
{
	static bool no_batch;
	char *keys, *e;
	int n = 0, i, m = 0;
	bool first = true;

	if (!no_batch) {
		n = batch_rows(fd, rows, false);
		if (n != -EOPNOTSUPP)
			return n;
		no_batch = true;
	}
	keys = calloc(rows->max + 1, rows->key_size);
	if (!keys)
		return -ENOMEM;
	for (n = 0; n < rows->max; n++) {
		if (bpf_map_get_next_key(fd, first ? NULL : keys + (size_t)(n - 1) * rows->key_size,
					 keys + (size_t)n * rows->key_size))
			break;
		first = false;
	}
	for (i = 0; i < n; i++) {
		e = (char *)rows->base + (size_t)m * rows->stride;
		memset(e, 0, rows->stride);
		if (bpf_map_lookup_elem(fd, keys + (size_t)i * rows->key_size, e + rows->val_off))
			continue;	/* deleted meanwhile */
		memcpy(e + rows->key_off, keys + (size_t)i * rows->key_size, rows->key_size);
		m++;
	}
	free(keys);
	return m;
}

int bpftool_drain(int fd, const struct bpftool_rows *rows)
{
	static bool no_lookup_and_delete, no_batch;
	char *keys, *e, *prev = NULL;
	int n = 0, i, m = 0, err = 0;

	if (!no_batch) {
		n = batch_rows(fd, rows, true);
		if (n != -EOPNOTSUPP)
			return n;
		no_batch = true;
		n = 0;
	}
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
		bpftool_unloaded_recheck();
		err = report(ctx, t - last);
		if (err < 0)
			return err;
		last = t;
		if (stop || --count == 0)
			return 0;
	}
}

void bpftool_sweep_gone(int fd)
{
	__u64 k, next, gone[64];
	int n = 0, i;
	bool first = true;

	while (n < (int)ARRAY_SIZE(gone) &&
	       !bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (kill((pid_t)(k >> 32), 0) && errno == ESRCH)
			gone[n++] = k;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &gone[i]);
}
