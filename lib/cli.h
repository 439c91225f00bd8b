/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command-line vocabulary every tool shares (-h -v -p -j -i [count]):
 * number parsing, "interval [count]" positionals, one-line usage errors,
 * libbpf's log gated by -v, and the interval loop's wait that ends on
 * SIGINT/SIGTERM without losing a signal.
 */
#ifndef IOASID_LIB_CLI_H
#define IOASID_LIB_CLI_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <bpf/libbpf.h>

/* The long options every benchmark has: -h, -j, -n, -w and --platform (-P). */
#define CLI_BENCH_LONG_OPTS						\
	{ "help", no_argument, NULL, 'h' },				\
	{ "json", no_argument, NULL, 'j' },				\
	{ "count", required_argument, NULL, 'n' },			\
	{ "warmup", required_argument, NULL, 'w' },			\
	{ "platform", required_argument, NULL, 'P' }

/* What those options set; @max bounds -n and -w. */
struct cli_bench {
	bool json;		/* -j */
	long n, warm;		/* -n (1..max), -w (0..max) */
	long max;
	const char *platform;	/* --platform NAME */
};
/*
 * getopt_long()'s @o for a benchmark whose optstring starts with ':': -h
 * prints @usage on stdout and gives 1; -j, -n, -w and --platform fill @b
 * and give 0; a bad value, a missing one or an unknown option print the
 * usage error and give -1; any other option gives 2 (the benchmark's own).
 */
int cli_bench_opt(int o, const char *usage, char *const argv[], struct cli_bench *b);

/* The tool's name for messages ("maplat"); set once in main(). */
extern const char *cli_name;
/* -v: libbpf debug output too. */
extern bool cli_verbose;

/* Decimal @s into @out if it is a whole number >= @min; else -EINVAL. */
int cli_parse_long(const char *s, long min, long *out);
/*
 * An option's number in [@min, @max] into @out: 0, or -1 after the usage
 * error "invalid <what> '<arg>' (<min>..<max>)".
 */
int cli_bounded_long(const char *usage, const char *what, const char *arg, long min,
		     long max, long *out);
/*
 * A comma-separated list of at most @max numbers in [@lo, @hi] into @out:
 * how many, or -1 (an empty item such as "1,,2" or "4," is an error).
 */
int cli_parse_list(const char *s, long lo, long hi, long *out, int max);
/*
 * A comma list of names out of @names[@n] into @on[@n], cleared first:
 * 0, or -1 with the first name not in @names copied into @bad.
 */
int cli_parse_names(const char *s, const char *const *names, int n, bool *on, char *bad,
		    size_t badlen);
/*
 * "maplat: <message>", the synopsis (@usage up to its first blank line)
 * and "Try 'maplat --help' for more." on stderr.
 */
void cli_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The usage error for getopt_long()'s ':' (missing value) or '?'
 * (unknown option) @opt; the optstring starts with ':' and opterr is 0.
 */
void cli_option_error(const char *usage, int opt, char *const argv[]);
/*
 * The positionals after the options: "interval [count]", or only
 * "[count]" when -i gave the interval (@have_interval).  0, or -1 after a
 * usage error was printed.
 */
int cli_interval_count(int argc, char **argv, int optind, bool have_interval,
		       long *interval, long *count, const char *usage);
/* libbpf_set_print() callback: warnings always, debug with -v. */
int cli_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);
/* Block SIGINT, SIGTERM, SIGHUP and SIGQUIT (call before attaching), so cli_wait() sees them. */
void cli_block_signals(sigset_t *set);
/* Sleep @seconds or until SIGINT/SIGTERM: true if a signal ended it. */
bool cli_wait(const sigset_t *set, long seconds);
/* Wall-clock time as "HH:MM:SS" into @buf (>= 9 bytes). */
const char *cli_clock(char *buf, unsigned long len);
/* CLOCK_MONOTONIC in seconds. */
double cli_now(void);

#endif
