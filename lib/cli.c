// SPDX-License-Identifier: GPL-2.0
/* The tools' shared command-line vocabulary (see cli.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util.h"

const char *cli_name = "ioasid-trace";
bool cli_verbose;

int cli_parse_long(const char *s, long min, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_list(const char *s, long lo, long hi, long *out, int max)
{
	char buf[256], *tok, *rest = buf;
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	while ((tok = strsep(&rest, ","))) {
		if (n >= max || cli_parse_long(tok, lo, &out[n]) || out[n] > hi)
			return -1;
		n++;
	}
	return n ? n : -1;
}

int cli_parse_names(const char *s, const char *const *names, int n, bool *on, char *bad,
		    size_t badlen)
{
	char buf[128], *tok, *save;
	int i;

	snprintf(buf, sizeof(buf), "%s", s);
	memset(on, 0, n * sizeof(*on));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n && strcmp(tok, names[i]); i++)
			;
		if (i == n) {
			snprintf(bad, badlen, "%s", tok);
			return -1;
		}
		on[i] = true;
	}
	return 0;
}

void cli_usage_error(const char *usage, const char *fmt, ...)
{
	const char *end = strstr(usage, "\n\n");
	va_list ap;

	fprintf(stderr, "%s: ", cli_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	/* The synopsis (the usage text to its first blank line), not the help. */
	fprintf(stderr, "%.*s\nTry '%s --help' for more.\n",
		end ? (int)(end - usage) : (int)strlen(usage), usage, cli_name);
}

int cli_bounded_long(const char *usage, const char *what, const char *arg, long min,
		     long max, long *out)
{
	if (!cli_parse_long(arg, min, out) && *out <= max)
		return 0;
	cli_usage_error(usage, "invalid %s '%s' (%ld..%ld)", what, arg, min, max);
	return -1;
}

int cli_bench_opt(int o, const char *usage, char *const argv[], struct cli_bench *b)
{
	switch (o) {
	case 'h':
		fputs(usage, stdout);
		return 1;
	case 'j':
		b->json = true;
		return 0;
	case 'n':
		return cli_bounded_long(usage, "count", optarg, 1, b->max, &b->n);
	case 'w':
		return cli_bounded_long(usage, "warm-up", optarg, 0, b->max, &b->warm);
	case 'P':
		b->platform = optarg;
		return 0;
	case ':':
	case '?':
		cli_option_error(usage, o, argv);
		return -1;
	default:
		return 2;
	}
}

void cli_option_error(const char *usage, int opt, char *const argv[])
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		cli_usage_error(usage, "option '%s' needs a value", arg);
	else if (optopt && arg[0] == '-' && arg[1] != '-')
		cli_usage_error(usage, "unknown option '-%c'", optopt);
	else if (optopt && strchr(arg, '='))
		cli_usage_error(usage, "option '%.*s' takes no value", (int)strcspn(arg, "="), arg);
	else
		cli_usage_error(usage, "unknown option '%s'", arg);
}

int cli_interval_count(int argc, char **argv, int optind, bool have_interval,
		       long *interval, long *count, const char *usage)
{
	if (!have_interval && optind < argc) {
		if (cli_parse_long(argv[optind], 1, interval)) {
			cli_usage_error(usage, "invalid interval '%s'", argv[optind]);
			return -1;
		}
		optind++;
	}
	if (optind < argc) {
		if (cli_parse_long(argv[optind], 1, count)) {
			cli_usage_error(usage, "invalid count '%s'", argv[optind]);
			return -1;
		}
		optind++;
	}
	if (optind < argc) {
		cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

int cli_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !cli_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void cli_noop(int sig)
{
}

void cli_block_signals(sigset_t *set)
{
	struct sigaction sa = { .sa_handler = cli_noop };

	/* a logout (HUP) or a quit ends a tool as cleanly as Ctrl-C */
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	unsigned int i;

	sigemptyset(set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		sigaddset(set, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, set, NULL);
}

bool cli_wait(const sigset_t *set, long seconds)
{
	double end = cli_now() + seconds, left;
	struct timespec t;

	/*
	 * At least one look at the signals (a 0 s wait polls them); EINTR is
	 * no interval's end: a stop and continue (job control) or a debugger
	 * or strace attaching interrupts the wait, which goes on.
	 */
	for (;;) {
		left = end - cli_now();
		if (left < 0)
			left = 0;
		t.tv_sec = (time_t)left;
		t.tv_nsec = (long)((left - (double)t.tv_sec) * 1e9);
		if (sigtimedwait(set, NULL, &t) >= 0)
			return true;
		if (errno == EAGAIN)
			return false;
		if (errno != EINTR)
			return true;
	}
}

const char *cli_clock(char *buf, unsigned long len)
{
	time_t t = time(NULL);
	struct tm tm;

	strftime(buf, len, "%H:%M:%S", localtime_r(&t, &tm));
	return buf;
}

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
