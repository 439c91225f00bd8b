// SPDX-License-Identifier: GPL-2.0
/* Benchmark statistics and environment (benchstat.h). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "benchstat.h"
#include "sysinfo.h"
#include "tracefs.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bstat_pct(const double *v, size_t n, double p)
{
	double pos = p / 100.0 * (n - 1);
	size_t lo = (size_t)pos;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (v[lo + 1] - v[lo]) * (pos - lo);
}

struct bstat bstat_of(double *v, size_t n)
{
	struct bstat s = { .n = n };
	double sum = 0, sq = 0;
	size_t i;

	if (!n) {
		s.median = s.p99 = s.min = s.max = s.mean = s.cv = NAN;
		return s;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	s.mean = sum / n;
	for (i = 0; i < n; i++)
		sq += (v[i] - s.mean) * (v[i] - s.mean);
	s.cv = n > 1 && s.mean ? sqrt(sq / (n - 1)) / s.mean : 0;
	s.median = bstat_pct(v, n, 50);
	s.p99 = bstat_pct(v, n, 99);
	s.min = v[0];
	s.max = v[n - 1];
	return s;
}

int bstat_of_u64(struct bstat *s, const uint64_t *v, size_t n)
{
	double *d = malloc((n ? n : 1) * sizeof(*d));
	size_t i;

	if (!d)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		d[i] = v[i];
	*s = bstat_of(d, n);
	free(d);
	return 0;
}

void bstat_json(struct json *j, const struct bstat *s)
{
	json_uint(j, "n", s->n);
	json_double(j, "median", s->median);
	json_double(j, "p99", s->p99);
	json_double(j, "min", s->min);
	json_double(j, "max", s->max);
	json_double(j, "mean", s->mean);
	json_double(j, "cv", s->cv);
}

uint64_t bstat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

const char *bstat_read_line(const char *path, char *buf, size_t len)
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

void bstat_platform_detect(struct bstat_platform *p)
{
	bool hv = false, qemu;

	p->sig[0] = 0;
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31))) {
		hv = true;
		__cpuid(0x40000000, a, b, c, d);
		memcpy(p->sig, &b, 4);
		memcpy(p->sig + 4, &c, 4);
		memcpy(p->sig + 8, &d, 4);
		p->sig[12] = 0;
	}
#endif
	bstat_read_line("/sys/class/dmi/id/sys_vendor", p->dmi, sizeof(p->dmi));
	qemu = !strncmp(p->dmi, "QEMU", 4);
	if (!hv)
		snprintf(p->name, sizeof(p->name), "hardware");
	else if (!strcmp(p->sig, "TCGTCGTCGTCG"))
		snprintf(p->name, sizeof(p->name), "QEMU TCG");
	else if (!strncmp(p->sig, "KVMKVMKVM", 9))
		snprintf(p->name, sizeof(p->name), "%s", qemu ? "QEMU KVM" : "KVM");
	else if (qemu)
		snprintf(p->name, sizeof(p->name), "QEMU (unknown accelerator)");
	else
		snprintf(p->name, sizeof(p->name), "hypervisor %s",
			 p->sig[0] ? p->sig : "(no signature)");
}

const char *bstat_platform(char *buf, size_t len)
{
	struct bstat_platform p;

	bstat_platform_detect(&p);
	snprintf(buf, len, "%s", p.name);
	return buf;
}

const char *bstat_cpu(char *buf, size_t len)
{
	char line[512], *p;
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

const char *bstat_cpu_model(char *buf, size_t len)
{
	if (!bstat_cpu(buf, len)[0])
		snprintf(buf, len, "unknown");
	return buf;
}

void bstat_env_json(struct json *j, const char *platform)
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

void bstat_env_print(FILE *f, const char *platform)
{
	char plat[64], cpu[128];
	struct utsname u;

	uname(&u);
	fprintf(f, "kernel %s, %s, platform %s%s\n", u.release, u.machine,
		platform ? platform : bstat_platform(plat, sizeof(plat)),
		platform ? " (given)" : "");
	fprintf(f, "cpu %s x %ld\n", bstat_cpu(cpu, sizeof(cpu)), sysconf(_SC_NPROCESSORS_ONLN));
}

bool bstat_series_events(void)
{
	return tracefs_event_exists("iommufd", "iommufd_ioas_map") == 1 &&
	       tracefs_event_exists("vfio_iommu_type1", "vfio_iommu_type1_dma_map") == 1;
}

void bstat_env_begin(struct json *j)
{
	struct utsname u;

	json_object_begin(j, "env");
	uname(&u);
	json_string(j, "kernel", u.release);
	json_string(j, "machine", u.machine);
	json_bool(j, "series_events", bstat_series_events());
}

void bstat_host_json(struct json *j, const char *series)
{
	struct bstat_platform plat;
	char buf[256];

	if (series)
		json_string(j, "series", series);
	else
		json_null(j, "series");
	bstat_platform_detect(&plat);
	json_string(j, "platform", plat.name);
	json_string(j, "hypervisor_sig", plat.sig);
	json_string(j, "dmi_vendor", plat.dmi);
	json_string(j, "cpu", bstat_cpu_model(buf, sizeof(buf)));
	json_int(j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	json_uint(j, "mem_total", sys_meminfo("MemTotal"));
	bstat_read_line("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf));
	json_string(j, "thp_enabled", buf);
	json_int(j, "hugepages_2m_free", sys_read_long(SYS_HUGEDIR_2M "/free_hugepages"));
}
