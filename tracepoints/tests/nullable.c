// SPDX-License-Identifier: GPL-2.0
/*
 * nullable EVENT:INDEX...: the verifier and the series' __nullable
 * tracepoint arguments (the list comes from the catalog: tracepoints/check
 * nullable).  For each argument, nullable.bpf.c's two programs are loaded
 * one at a time: the one that reads the object without a NULL test must be
 * refused for that reason (the log names a "..._or_null_" pointer), the one
 * with a test must load.  A program for an argument the catalog does not
 * list, or a listed argument without programs, fails as well.  The
 * control__* programs read an argument that is never NULL without a test
 * and must load (a kernel that refuses every unchecked read, as it does
 * for a module's tracepoints, would pass the rest without the names).
 * A program on an event the running kernel does not define (tracefs'
 * available_events: the vIOMMU's before 6.15) is skipped, and said; the
 * catalog leaves that event's arguments out of the list on such a kernel.
 * TAP.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "nullable.skel.h"

#define LOG_SIZE (256 * 1024)

static char log_buf[LOG_SIZE];
static int test_no, failed;
static char *available;		/* tracefs available_events, or NULL */

__attribute__((format(printf, 2, 3)))
static void tap(bool good, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", good ? "" : "not ", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed += !good;
}

static void load_available_events(void)
{
	FILE *f = fopen("/sys/kernel/tracing/available_events", "r");
	size_t len = 0, cap = 0;
	char line[256];

	if (!f) {	/* fail safe: every program is loaded, none skipped */
		printf("# tracefs available_events unreadable: no program skipped\n");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		char *p;

		if (len + n + 1 > cap) {
			cap = (cap + n + 1) * 2;
			p = realloc(available, cap);
			if (!p)
				break;
			available = p;
		}
		memcpy(available + len, line, n + 1);
		len += n;
	}
	fclose(f);
}

/* The tp_btf event of @prog is one this kernel defines (or tracefs is unread). */
static bool event_in_kernel(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	char want[128];

	if (!available || strncmp(sec, "tp_btf/", 7))
		return true;
	snprintf(want, sizeof(want), ":%s\n", sec + 7);
	return strstr(available, want) != NULL;
}

/* The last lines of the verifier log (or the error), as TAP comments. */
static void log_tail(int err)
{
	const char *p = log_buf + strlen(log_buf);
	int lines = 0;

	if (!log_buf[0]) {
		printf("#   load: %s (no verifier log)\n", strerror(-err));
		return;
	}

	while (p > log_buf && lines < 6)
		if (*--p == '\n')
			lines++;
	for (; *p; p++) {
		if (p == log_buf || p[-1] == '\n')
			fputs("#   ", stdout);
		putchar(*p);
	}
}

/* Load only the program NAME; its verifier log in log_buf. */
static int load_one(const char *name, bool *found)
{
	struct bpf_program *prog, *want = NULL;
	struct nullable_bpf *skel;
	int err;

	log_buf[0] = '\0';
	*found = false;
	skel = nullable_bpf__open();
	if (!skel)
		return -errno;
	bpf_object__for_each_program(prog, skel->obj) {
		if (strcmp(bpf_program__name(prog), name)) {
			bpf_program__set_autoload(prog, false);
			continue;
		}
		want = prog;
	}
	if (!want) {
		nullable_bpf__destroy(skel);
		return -ENOENT;
	}
	*found = true;
	bpf_program__set_log_buf(want, log_buf, sizeof(log_buf));
	bpf_program__set_log_level(want, 1);
	err = nullable_bpf__load(skel);
	nullable_bpf__destroy(skel);
	return err;
}

static void check_arg(const char *arg)
{
	char name[128], ev[96];
	const char *colon = strchr(arg, ':');
	bool found;
	int err;

	if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(ev)) {
		tap(false, "argument %s: not EVENT:INDEX", arg);
		return;
	}
	snprintf(ev, sizeof(ev), "%.*s", (int)(colon - arg), arg);

	snprintf(name, sizeof(name), "%s__%s__deref", ev, colon + 1);
	err = load_one(name, &found);
	if (!found) {
		tap(false, "%s: no program %s in nullable.bpf.c", arg, name);
		return;
	}
	if (!err)
		tap(false, "%s: %s loaded: the verifier trusts a pointer that can be NULL",
		    arg, name);
	else if (!strstr(log_buf, "or_null"))
		tap(false, "%s: %s refused, but not for a NULL pointer", arg, name);
	else
		tap(true, "%s: refused without a NULL test (%s)", arg, name);
	if (err && !strstr(log_buf, "or_null"))
		log_tail(err);

	snprintf(name, sizeof(name), "%s__%s__tested", ev, colon + 1);
	err = load_one(name, &found);
	if (!found) {
		tap(false, "%s: no program %s in nullable.bpf.c", arg, name);
		return;
	}
	tap(!err, "%s: loads with a NULL test (%s)", arg, name);
	if (err)
		log_tail(err);
}

/* Every program in the object tests an argument the catalog lists. */
static void check_coverage(int argc, char **argv)
{
	struct bpf_program *prog;
	struct nullable_bpf *skel;
	char want[128];
	int i;

	skel = nullable_bpf__open();
	if (!skel) {
		tap(false, "open nullable.bpf.o: %s", strerror(errno));
		return;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		bool listed = false;

		if (!strncmp(name, "control__", 9))
			continue;
		if (!event_in_kernel(prog)) {
			printf("ok %d %s # SKIP %s: no such event in this kernel\n", ++test_no,
			       name, bpf_program__section_name(prog) + 7);
			continue;
		}
		for (i = 1; i < argc && !listed; i++) {
			const char *colon = strchr(argv[i], ':');

			if (!colon)
				continue;
			snprintf(want, sizeof(want), "%.*s__%s__", (int)(colon - argv[i]), argv[i],
				 colon + 1);
			listed = !strncmp(name, want, strlen(want));
		}
		tap(listed, "%s tests an argument the catalog calls __nullable", name);
	}
	nullable_bpf__destroy(skel);
}

/* The control__* programs: an unchecked read of a never-NULL argument loads. */
static void check_controls(void)
{
	struct bpf_program *prog;
	struct nullable_bpf *skel;
	char names[8][64];
	int n = 0, i, err;
	bool found;

	skel = nullable_bpf__open();
	if (!skel) {
		tap(false, "open nullable.bpf.o: %s", strerror(errno));
		return;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		if (strncmp(bpf_program__name(prog), "control__", 9) || n >= 8)
			continue;
		if (!event_in_kernel(prog)) {
			printf("ok %d %s # SKIP %s: no such event in this kernel\n", ++test_no,
			       bpf_program__name(prog), bpf_program__section_name(prog) + 7);
			continue;
		}
		snprintf(names[n++], sizeof(names[0]), "%s", bpf_program__name(prog));
	}
	nullable_bpf__destroy(skel);
	tap(n > 0, "%d control program(s) in nullable.bpf.c", n);
	for (i = 0; i < n; i++) {
		err = load_one(names[i], &found);
		tap(!err, "%s loads: an argument that is never NULL needs no test", names[i]);
		if (err)
			log_tail(err);
	}
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: nullable EVENT:INDEX... (tracepoints/check nullable)\n");
		return 2;
	}
	libbpf_set_print(quiet);
	load_available_events();
	check_coverage(argc, argv);
	check_controls();
	for (i = 1; i < argc; i++)
		check_arg(argv[i]);
	printf("1..%d\n", test_no);
	free(available);
	return failed ? 1 : 0;
}
