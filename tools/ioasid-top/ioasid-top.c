// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-top: live dashboard of DMA-map activity per process, backend
 * and IOAS/container, and of device attachments (see README.md).
 *
 * One BPF object aggregates in the kernel (ioasid-top.bpf.c); once per
 * refresh collect.c reads its maps into a frame and diffs with the previous
 * refresh.  Views: ncurses (screen.c), batch text (batch.c), JSON lines
 * (out_json.c), a Prometheus text file (out_prom.c).  top.h says which
 * file does what.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bpftool.h"
#include "cli.h"
#include "probe.h"
#include "top.h"
#include "ioasid-top.skel.h"

static struct options opts;
static volatile int stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int parse(int argc, char **argv)
{
	return parse_args(argc, argv, &opts);
}

/*
 * The screen, unless -b, -j, -1, --prometheus (the file is the output:
 * frames on stdout only with -b or -j) or not a terminal (*@not_tty:
 * frames as with -b).
 */
static bool want_screen(bool *not_tty)
{
	*not_tty = false;
	if (opts.batch || opts.prom)
		return false;
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		/* said once it runs: a failure stays one message */
		*not_tty = true;
		opts.batch = true;
		return false;
	}
	return true;
}

/* What runs, for the views: kernel, mode. */
static void describe(struct frame *f, int mode)
{
	struct utsname un;

	uname(&un);
	snprintf(f->kernel, sizeof(f->kernel), "%s", un.release);
	f->mode = mode_names[mode];
	f->mode_id = mode_json[mode];
	f->fallback = mode != MODE_TP;
	f->forced = opts.fallback;
}

/* What runs, on stderr so -j and -b stay parseable. */
static void print_start(int mode, const char *missing, bool screen, bool not_tty)
{
	if (not_tty)
		fprintf(stderr, "ioasid-top: not a terminal: printing text frames as with -b\n");
	if (screen)
		return;
	fprintf(stderr, "Tracing DMA map activity, mode %s. Ctrl-C to end.\n", mode_names[mode]);
	if (mode != MODE_TP)
		fprintf(stderr, "FALLBACK: %s; unavailable: %s\n",
			opts.fallback ? "forced by -F" : progs_tps.missing ?
			(bpftool_missing_why() ?: "no iommufd/vfio_iommu_type1 events") :
			"neither backend's module is loaded", unavailable_text());
	else if (missing[0])
		fprintf(stderr, "missing tracepoints (their columns stay 0): %s\n", missing);
	bpftool_unloaded_note(stderr, mode != MODE_TP);
}

static int run_screen(struct frame *f)
{
	int err = 0, r;

	/* the first frame at once, empty; then every delay */
	collect(&opts.view);
	for (;;) {
		r = screen_run(f, &opts.view, &stop);
		if (r == 0 || stop)
			break;
		if (r == 2)
			collect_reset();
		err = collect(&opts.view);
		if (err)
			break;
	}
	screen_end();
	return err;
}

/*
 * The Prometheus file each refresh.  A failure (disk full, say) is said
 * once and retried: ending would lose every counter since start.
 */
static void prom_refresh(const struct frame *f)
{
	static int last_err;
	int err = prom_write(f, opts.prom);

	if (err && err != last_err)
		fprintf(stderr, "ioasid-top: cannot write %s: %s (retrying each refresh)\n",
			opts.prom, strerror(-err));
	else if (!err && last_err)
		fprintf(stderr, "ioasid-top: %s written again\n", opts.prom);
	last_err = err;
}

/* --prometheus: its lock, then the file at once; 0 or -errno after the message. */
static int prom_start(const struct frame *f)
{
	long owner;
	int err = prom_lock(opts.prom, &owner);

	if (err == -EBUSY) {
		fprintf(stderr, "ioasid-top: %s is written by another ioasid-top", opts.prom);
		if (owner > 0)
			fprintf(stderr, " (pid %ld)", owner);
		fputs(": one per file\n", stderr);
		return err;
	}
	if (err) {
		fprintf(stderr, "ioasid-top: cannot write %s: %s\n", opts.prom, strerror(-err));
		return err;
	}
	err = prom_write(f, opts.prom);
	if (err) {
		fprintf(stderr, "ioasid-top: cannot write %s: %s\n", opts.prom, strerror(-err));
		prom_remove(opts.prom);
	}
	return err;
}

static int run_batch(const struct frame *f, const sigset_t *set)
{
	long done = 0;
	bool sig;
	int err;

	for (;;) {
		sig = cli_wait(set, opts.delay) || stop;
		bpftool_unloaded_recheck();
		err = collect(&opts.view);
		if (err) {
			fprintf(stderr, "ioasid-top: failed to read the maps: %s\n",
				strerror(-err));
			return err;
		}
		if (opts.prom)
			prom_refresh(f);
		if (opts.json)
			print_json(f);
		else if (opts.batch)
			print_batch(f, &opts.view);
		if (sig || (opts.count > 0 && ++done >= opts.count))
			return 0;
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct ioasid_top_bpf *obj;
	const char *missing = "";
	bool screen, not_tty;
	struct frame *f;
	sigset_t set;
	int err, mode;

	err = bpftool_begin("ioasid-top", argc, argv, parse, &set);
	if (err >= 0)
		return err;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a logout or a quit too: --prometheus's file must not outlive the tool */
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	screen = want_screen(&not_tty);

	obj = progs_load(opts.fallback, &mode, &missing, &err);
	if (!obj)
		goto cleanup;
	f = collect_init(obj, &opts.storm);
	if (!f) {
		err = -ENOMEM;
		goto cleanup;
	}
	describe(f, mode);

	if (screen && screen_init()) {
		opts.batch = true;
		fprintf(stderr, "ioasid-top: cannot start the screen (TERM=%s): printing text "
			"frames as with -b\n", getenv("TERM") ? getenv("TERM") : "");
		screen = false;
	}
	/* the file at once (the tool and its mode), and a bad path said now */
	err = opts.prom ? prom_start(f) : 0;
	if (err)
		goto cleanup;
	print_start(mode, missing, screen, not_tty);
	collect_start();
	err = screen ? run_screen(f) : run_batch(f, &set);
	if (opts.prom)
		prom_remove(opts.prom);

cleanup:
	ioasid_top_bpf__destroy(obj);
	collect_free();
	probe_free();
	return err ? 1 : 0;
}
