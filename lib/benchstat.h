/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every benchmark reports the same way: summary statistics of a set
 * of samples (median, p99, min, max, mean, CV over N) and the environment
 * block (kernel, platform, CPU) of its JSON document, through lib/json.
 *
 * Platform: "QEMU TCG", "KVM", another hypervisor's CPUID signature, or
 * "hardware", from CPUID (hypervisor bit, leaf 0x40000000) and the DMI
 * vendor; a benchmark's --platform option overrides it.
 *
 * Header-only (static inline): the guest programs link a fixed list of
 * lib/ sources, and the BPF tools link every lib/ .c file without the guests'
 * include paths, so the benchmarks' shared code lives in headers.
 */
#ifndef IOASID_LIB_BENCHSTAT_H
#define IOASID_LIB_BENCHSTAT_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "json.h"

struct bstat {
	size_t n;
	double median, p99, min, max, mean, cv;	/* cv: stddev / mean */
};

static inline int bstat_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @v (n > 0). */
static inline double bstat_rank(const double *v, size_t n, double p)
{
	size_t r = (size_t)ceil(p / 100.0 * n);

	return v[r ? r - 1 : 0];
}

/* Statistics of @n samples; sorts @v in place. */
static inline struct bstat bstat_of(double *v, size_t n)
{
	struct bstat s = { .n = n };
	double sum = 0, sq = 0;
	size_t i;

	if (!n) {
		s.median = s.p99 = s.min = s.max = s.mean = s.cv = NAN;
		return s;
	}
	qsort(v, n, sizeof(*v), bstat_cmp);
	for (i = 0; i < n; i++)
		sum += v[i];
	s.mean = sum / n;
	for (i = 0; i < n; i++)
		sq += (v[i] - s.mean) * (v[i] - s.mean);
	s.cv = n > 1 && s.mean ? sqrt(sq / (n - 1)) / s.mean : 0;
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s.p99 = bstat_rank(v, n, 99);
	s.min = v[0];
	s.max = v[n - 1];
	return s;
}

/* The members of a case object: n, median, p99, min, max, mean, cv. */
static inline void bstat_json(struct json *j, const struct bstat *s)
{
	json_uint(j, "n", s->n);
	json_double(j, "median", s->median);
	json_double(j, "p99", s->p99);
	json_double(j, "min", s->min);
	json_double(j, "max", s->max);
	json_double(j, "mean", s->mean);
	json_double(j, "cv", s->cv);
}

static inline uint64_t bstat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* First line of @path (newline stripped) into @buf, or "" */
static inline const char *bstat_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, len, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* The platform as described in the header comment, into @buf. */
static inline const char *bstat_platform(char *buf, size_t len)
{
	char vendor[64];
	bool hv = false;
	char sig[13] = "";

#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31))) {
		hv = true;
		__cpuid(0x40000000, a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		sig[12] = 0;
	}
#endif
	bstat_read_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor));
	if (!strcmp(sig, "TCGTCGTCGTCG") || (hv && !sig[0] && !strcmp(vendor, "QEMU")))
		snprintf(buf, len, "QEMU TCG");
	else if (!strncmp(sig, "KVMKVMKVM", 9))
		snprintf(buf, len, "KVM%s", !strcmp(vendor, "QEMU") ? " (QEMU)" : "");
	else if (hv)
		snprintf(buf, len, "hypervisor %s", sig[0] ? sig : "(no signature)");
	else
		snprintf(buf, len, "hardware");
	return buf;
}

/* "model name" of /proc/cpuinfo into @buf, or "". */
static inline const char *bstat_cpu(char *buf, size_t len)
{
	char line[256], *p;
	FILE *f = fopen("/proc/cpuinfo", "r");

	buf[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) || !(p = strchr(line, ':')))
			continue;
		p += 1 + strspn(p + 1, " \t");
		p[strcspn(p, "\n")] = 0;
		snprintf(buf, len, "%s", p);
		break;
	}
	if (f)
		fclose(f);
	return buf;
}

/*
 * The "environment" object: kernel release and version, whether the
 * ioasid-trace events exist (tracefs), platform (@platform if not NULL),
 * CPU model and count, clock.
 */
static inline void bstat_env_json(struct json *j, const char *platform)
{
	char plat[64], cpu[128];
	struct utsname u;

	uname(&u);
	json_object_begin(j, "environment");
	json_string(j, "kernel", u.release);
	json_string(j, "kernel_version", u.version);
	json_string(j, "machine", u.machine);
	json_bool(j, "series_events", !access("/sys/kernel/tracing/events/iommufd", F_OK));
	json_string(j, "platform", platform ? platform : bstat_platform(plat, sizeof(plat)));
	json_bool(j, "platform_detected", !platform);
	json_string(j, "cpu", bstat_cpu(cpu, sizeof(cpu)));
	json_int(j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	json_string(j, "clock", "CLOCK_MONOTONIC");
	json_object_end(j);
}

/* The same, as two lines of text. */
static inline void bstat_env_print(FILE *f, const char *platform)
{
	char plat[64], cpu[128];
	struct utsname u;

	uname(&u);
	fprintf(f, "kernel %s, %s, platform %s%s\n", u.release, u.machine,
		platform ? platform : bstat_platform(plat, sizeof(plat)),
		platform ? " (given)" : "");
	fprintf(f, "cpu %s x %ld\n", bstat_cpu(cpu, sizeof(cpu)), sysconf(_SC_NPROCESSORS_ONLN));
}

#endif
