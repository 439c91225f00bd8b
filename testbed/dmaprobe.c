// SPDX-License-Identifier: GPL-2.0
/*
 * dmaprobe: map and unmap one buffer N times through each DMA backend of
 * a vfio-pci device and print the latency of both calls.  A first look
 * at the two paths for the demo; bench/mapbench is the real benchmark.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "json.h"
#include "sysinfo.h"
#include "vfio.h"

#define IOVA 0x100000ULL

static const char usage[] =
	"usage: dmaprobe [-d BDF] [-b A[,B]|both] [-s BYTES] [-n COUNT | -t SECS]\n"
	"                [-j] [-L LABEL]\n"
	"\n"
	"Map and unmap one buffer COUNT times at a fixed IOVA through each\n"
	"backend of a device bound to vfio-pci; print mean/min/max per call.\n"
	"\n"
	"  -d BDF     PCI device (default 0000:00:03.0)\n"
	"  -b A[,B]   one backend or two, one after the other: iommufd, type1 or\n"
	"             compat (type1's ioctls on iommufd); both = iommufd,type1 (the\n"
	"             default)\n"
	"  -s BYTES   buffer size, a multiple of 4096, suffix k/m (default 4k)\n"
	"  -n COUNT   iterations after 10 warm-up rounds (default 1000)\n"
	"  -t SECS    iterate for SECS seconds after the warm-up instead, per\n"
	"             backend: a load of a given length whatever the speed of the\n"
	"             machine (not with -n)\n"
	"  -j         one JSON document per backend instead of the table\n"
	"  -L LABEL   a label copied into the JSON documents\n"
	"  -h         this help\n";

struct stat_acc {
	double sum, min, max;
	unsigned long n;
};

static void acc_add(struct stat_acc *a, double us)
{
	if (!a->n || us < a->min)
		a->min = us;
	if (!a->n || us > a->max)
		a->max = us;
	a->sum += us;
	a->n++;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double run_us;	/* -t, in microseconds: 0 when counting */
static int header_done;
static int json_out;
static const char *label;

static void print_json(enum vdev_backend b, unsigned long len, const struct stat_acc *map,
		       const struct stat_acc *unmap)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	if (label)
		json_string(&j, "label", label);
	json_string(&j, "backend", vdev_backend_name(b));
	json_uint(&j, "bytes", len);
	json_uint(&j, "n", map->n);
	json_string(&j, "unit", "us");
	json_double(&j, "map_mean", map->sum / map->n);
	json_double(&j, "map_min", map->min);
	json_double(&j, "map_max", map->max);
	json_double(&j, "unmap_mean", unmap->sum / unmap->n);
	json_double(&j, "unmap_min", unmap->min);
	json_double(&j, "unmap_max", unmap->max);
	json_object_end(&j);
}

static int probe(const char *bdf, enum vdev_backend b, void *buf, unsigned long len,
		 unsigned long count)
{
	struct stat_acc map = { 0 }, unmap = { 0 };
	unsigned long i;
	struct vdev d;
	double t0, t1, t2 = 0, end = 0;
	int ret;

	ret = vdev_open(&d, bdf, b);
	if (ret) {
		fprintf(stderr, "dmaprobe: %s\n", d.err);
		return ret;
	}
	ret = vdev_iova_check(&d, IOVA, len);
	for (i = 0; !ret && (run_us ? i < 10 || t2 < end : i < count + 10); i++) {
		t0 = now_us();
		ret = vdev_map(&d, buf, IOVA, len);
		if (ret)
			break;
		t1 = now_us();
		ret = vdev_unmap(&d, IOVA, len, NULL);
		t2 = now_us();
		if (i == 9)
			end = t2 + run_us;
		if (!ret && i >= 10) {
			acc_add(&map, t1 - t0);
			acc_add(&unmap, t2 - t1);
		}
	}
	if (ret) {
		fprintf(stderr, "dmaprobe: %s\n", d.err);
	} else if (json_out) {
		print_json(b, len, &map, &unmap);
	} else {
		if (!header_done++)
			printf("%-8s %9s %6s %9s %7s %8s %9s %7s %8s\n", "BACKEND", "BYTES", "N",
			       "MAP(us)", "min", "max", "UNMAP(us)", "min", "max");
		printf("%-8s %9lu %6lu %9.1f %7.1f %8.1f %9.1f %7.1f %8.1f\n",
		       vdev_backend_name(b), len, map.n, map.sum / map.n, map.min, map.max,
		       unmap.sum / unmap.n, unmap.min, unmap.max);
	}
	vdev_close(&d);
	return ret;
}

struct args {
	const char *bdf;
	enum vdev_backend b[2];
	int nb;
	unsigned long len, count;
};

/* -b LIST: one backend or two, comma-separated ("both": iommufd,type1). */
static int parse_backends(const char *which, struct args *a)
{
	char list[64], *second;

	snprintf(list, sizeof(list), "%s", which);
	second = strchr(list, ',');
	if (second)
		*second++ = '\0';
	a->nb = second ? 2 : 1;
	return vdev_backend_parse(list, &a->b[0]) ||
	       (second && vdev_backend_parse(second, &a->b[1]));
}

/* 0 to run, 1 after -h (exit 0), 2 on bad input (said). */
static int parse_args(int argc, char **argv, struct args *a)
{
	const char *which = "iommufd,type1";
	bool have_count = false;
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "d:b:s:n:t:jL:h")) != -1) {
		switch (opt) {
		case 'd': a->bdf = optarg; break;
		case 'b': which = strcmp(optarg, "both") ? optarg : "iommufd,type1"; break;
		case 's':
			a->len = sys_size(optarg);
			if (!a->len || a->len % 4096) {
				fprintf(stderr, "dmaprobe: bad size '%s' (a multiple of 4096)\n", optarg);
				return 2;
			}
			break;
		case 'n':
			have_count = true;
			a->count = strtoul(optarg, NULL, 0);
			if (!a->count) {
				fprintf(stderr, "dmaprobe: bad count '%s'\n", optarg);
				return 2;
			}
			break;
		case 't':
			run_us = strtod(optarg, &end) * 1e6;
			if (*end || !(run_us > 0 && run_us <= 86400e6)) {
				fprintf(stderr, "dmaprobe: bad duration '%s' (seconds, up to a day)\n",
					optarg);
				return 2;
			}
			break;
		case 'j': json_out = 1; break;
		case 'L': label = optarg; break;
		case 'h': fputs(usage, stdout); return 1;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (have_count && run_us) {
		fprintf(stderr, "dmaprobe: -n and -t: one or the other\n");
		return 2;
	}
	if (optind != argc || parse_backends(which, a)) {
		fputs(usage, stderr);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { .bdf = "0000:00:03.0", .len = 4096, .count = 1000 };
	void *buf;
	int i, ret = 0;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret == 1 ? 0 : 2;
	buf = mmap(NULL, a.len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "dmaprobe: failed to allocate %lu bytes: %s\n", a.len,
			strerror(errno));
		return 1;
	}
	for (i = 0; i < a.nb && !ret; i++)
		ret = probe(a.bdf, a.b[i], buf, a.len, a.count);
	munmap(buf, a.len);
	return ret ? 1 : 0;
}
