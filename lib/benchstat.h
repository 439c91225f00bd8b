/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every benchmark reports the same way: summary statistics of a set
 * of samples (median, p99, min, max, mean, CV over N) and the pieces of
 * its environment block (kernel, platform, CPU), through lib/json.
 *
 * Percentiles (median and p99 alike) interpolate linearly between the
 * closest ranks of the sorted samples: p at position p/100 * (N - 1),
 * numpy.percentile's default (Hyndman & Fan type 7), so anyone can
 * recompute them from the raw samples a benchmark keeps.  The CV is the
 * sample standard deviation (N - 1) over the mean.
 *
 * Platform: "QEMU TCG" (CPUID hypervisor signature TCGTCGTCGTCG), "QEMU
 * KVM" or "KVM" (KVMKVMKVM, with or without QEMU as the DMI vendor), "QEMU
 * (unknown accelerator)" (hypervisor bit, no known signature, DMI vendor
 * QEMU), "hypervisor SIG" (another signature), or "hardware" (no
 * hypervisor bit, or not x86); a benchmark's --platform option overrides it.
 */
#ifndef IOASID_LIB_BENCHSTAT_H
#define IOASID_LIB_BENCHSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

struct bstat {
	size_t n;
	double median, p99, min, max, mean, cv;	/* cv: stddev / mean */
};

/* Percentile @p (0..100) of sorted @v (n > 0), as described above. */
double bstat_pct(const double *v, size_t n, double p);
/* Statistics of @n samples; sorts @v in place.  n = 0: all NAN. */
struct bstat bstat_of(double *v, size_t n);
/* The same of integer samples, left as they are; -ENOMEM or 0. */
int bstat_of_u64(struct bstat *s, const uint64_t *v, size_t n);
/* The members of a case object: n, median, p99, min, max, mean, cv. */
void bstat_json(struct json *j, const struct bstat *s);

uint64_t bstat_now_ns(void);	/* CLOCK_MONOTONIC */
/* First line of @path (newline stripped) into @buf, or "". */
const char *bstat_read_line(const char *path, char *buf, size_t len);

struct bstat_platform {
	char name[64];		/* as described above */
	char sig[13];		/* CPUID 0x40000000 signature, "" without the hypervisor bit */
	char dmi[128];		/* /sys/class/dmi/id/sys_vendor, "" */
};
void bstat_platform_detect(struct bstat_platform *p);
/* Just the name, into @buf. */
const char *bstat_platform(char *buf, size_t len);
/* "model name" of /proc/cpuinfo into @buf, or "". */
const char *bstat_cpu(char *buf, size_t len);
/* The same, "unknown" if /proc/cpuinfo does not name one. */
const char *bstat_cpu_model(char *buf, size_t len);

/*
 * The "environment" object of faultbench and invbench: kernel release and
 * version, whether the ioasid-trace events exist (tracefs), platform
 * (@platform if not NULL), CPU model and count, clock.
 */
void bstat_env_json(struct json *j, const char *platform);
/* The same, as two lines of text. */
void bstat_env_print(FILE *f, const char *platform);

/* Are the series' map events there, for iommufd and for type1? */
bool bstat_series_events(void);
/*
 * The "env" object of mapbench and vmstart: bstat_env_begin() opens it
 * with kernel, machine and series_events; each tool adds its own members
 * and the host's with bstat_host_json(): series (@series, or null),
 * platform, hypervisor_sig, dmi_vendor, cpu, cpus, mem_total, thp_enabled
 * and hugepages_2m_free; then its own again, and closes it.
 */
void bstat_env_begin(struct json *j);
void bstat_host_json(struct json *j, const char *series);

#endif
