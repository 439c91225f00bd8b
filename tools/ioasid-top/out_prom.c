// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-top: the frame as a Prometheus text exposition (format 0.0.4)
 * for node_exporter's textfile collector (--prometheus PATH).
 *
 * Values are cumulative since the tool started, as counters must be (a
 * row's struct top_stats is cumulative in the kernel).  A process that
 * exits leaves the file with its rows (its series go stale).  In the
 * fallback (no series events) only the map, unmap and copy families are
 * written: the rest are unknown, not 0.  Latencies are histograms in
 * seconds on the kernel's log2 buckets (slot i: [2^i, 2^(i+1)) ns), from
 * about 1 us up (the slots below fold into the first bucket), with _sum
 * from exact nanosecond sums.  Every process is written, whatever the
 * view's -p or --comm.  The file is written to a new temporary file in
 * PATH's directory (O_EXCL: no symlink followed) and renamed over PATH,
 * so the collector never reads half a file.  One ioasid-top per PATH: a
 * lock file beside it (".NAME.lock", flock, holding the writer's pid)
 * refuses a second; it is removed with PATH at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bpftool.h"
#include "top.h"

static const char *const op_names[TOP_NR_OPS] = { "map", "unmap", "copy" };

/* Length of the valid UTF-8 sequence at @s, 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
	int n, i;

	if (*s < 0x80)
		return 1;
	if (*s < 0xc2 || *s > 0xf4)	/* continuation, overlong lead, > U+10FFFF */
		return 0;
	n = *s < 0xe0 ? 2 : *s < 0xf0 ? 3 : 4;
	/* overlong 3/4-byte forms, surrogates, > U+10FFFF */
	if ((*s == 0xe0 && s[1] < 0xa0) || (*s == 0xed && s[1] > 0x9f) ||
	    (*s == 0xf0 && s[1] < 0x90) || (*s == 0xf4 && s[1] > 0x8f))
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * A label value: backslash, double quote and newline escaped, and bytes
 * that are not UTF-8 as '?' (any process can name itself so, and the
 * collector refuses the whole file for one such value).
 */
static void label_value(FILE *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	while (*s) {
		n = utf8_len(s);
		if (!n) {
			fputc('?', o);
			s++;
			continue;
		}
		if (*s == '\\' || *s == '"')
			fputc('\\', o);
		if (*s == '\n')
			fputs("\\n", o);
		else
			fwrite(s, 1, n, o);
		s += n;
	}
}

static void family(FILE *o, const char *name, const char *type, const char *help)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels of a row, without the braces. */
static void row_labels(FILE *o, const struct row *r)
{
	fprintf(o, "pid=\"%u\",comm=\"", r->key.tgid);
	label_value(o, r->comm);
	fprintf(o, "\",backend=\"%s\",as=\"%u\"", backend_name(r->key.backend), r->as);
}

/* The first bucket's slot: 2^10 ns, about 1 us (the ones below fold in). */
#define PROM_FIRST_SLOT 9

/* "le" of slot @i: its largest value, (2^(i+1) - 1) ns, in seconds exactly. */
static void le_str(char *buf, size_t len, unsigned int i)
{
	unsigned long long ns = (2ULL << i) - 1;

	snprintf(buf, len, "%llu.%09llu", ns / 1000000000ULL, ns % 1000000000ULL);
}

/* One histogram of @r: @slots (ns) and @sum_ns; @extra: more labels or "". */
static void histogram(FILE *o, const char *name, const struct row *r, const char *extra,
		      const __u64 *slots, __u64 sum_ns)
{
	unsigned long long cum = 0;
	unsigned int i;
	char le[32];

	/* the last slot is open above (clamped): only +Inf bounds it */
	for (i = 0; i < TOP_SLOTS - 1; i++) {
		cum += slots[i];
		if (i < PROM_FIRST_SLOT)
			continue;
		le_str(le, sizeof(le), i);
		fprintf(o, "%s_bucket{", name);
		row_labels(o, r);
		fprintf(o, "%s,le=\"%s\"} %llu\n", extra, le, cum);
	}
	cum += slots[TOP_SLOTS - 1];
	fprintf(o, "%s_bucket{", name);
	row_labels(o, r);
	fprintf(o, "%s,le=\"+Inf\"} %llu\n", extra, cum);
	fprintf(o, "%s_sum{", name);
	row_labels(o, r);
	fprintf(o, "%s} %llu.%09llu\n", extra, (unsigned long long)sum_ns / 1000000000ULL,
		(unsigned long long)sum_ns % 1000000000ULL);
	fprintf(o, "%s_count{", name);
	row_labels(o, r);
	fprintf(o, "%s} %llu\n", extra, cum);
}

/*
 * The rows written: those still in the kernel's map (a row kept only for
 * its storm has its counters zeroed: a false reset), and no copy on type1,
 * which has none.
 */
static bool row_out(const struct row *r)
{
	return r->alive;
}

static bool op_out(const struct row *r, int op)
{
	return op != TOP_COPY || r->key.backend != TOP_TYPE1;
}

/* Per row and operation: the counters of one family. */
static void op_counter(FILE *o, const struct frame *f, const char *name, const char *help,
		       size_t off)
{
	const struct top_stats *s;
	int i, op;

	family(o, name, "counter", help);
	for (i = 0; i < f->nrows_all; i++) {
		s = &f->all[i].cum;
		for (op = 0; op < TOP_NR_OPS; op++) {
			if (!row_out(&f->all[i]) || !op_out(&f->all[i], op))
				continue;
			fprintf(o, "%s{", name);
			row_labels(o, &f->all[i]);
			fprintf(o, ",op=\"%s\"} %llu\n", op_names[op],
				(unsigned long long)((const __u64 *)((const char *)s + off))[op]);
		}
	}
}

/* Per row: one counter of one family (@off: the __u64 in struct top_stats). */
/* A counter family from the rows' field at @off; @backend: its rows only, -1 all. */
static void row_counter_of(FILE *o, const struct frame *f, const char *name, const char *help,
			   size_t off, int backend)
{
	int i;

	family(o, name, "counter", help);
	for (i = 0; i < f->nrows_all; i++) {
		if (!row_out(&f->all[i]) ||
		    (backend >= 0 && f->all[i].key.backend != (__u32)backend))
			continue;
		fprintf(o, "%s{", name);
		row_labels(o, &f->all[i]);
		fprintf(o, "} %llu\n",
			(unsigned long long)*(const __u64 *)((const char *)&f->all[i].cum + off));
	}
}

#define ROW_COUNTER(o, f, name, field, help) \
	row_counter_of(o, f, name, help, offsetof(struct top_stats, field), -1)
/* iommufd's own: type1 rows would be zeros */
#define IOMMUFD_COUNTER(o, f, name, field, help) \
	row_counter_of(o, f, name, help, offsetof(struct top_stats, field), TOP_IOMMUFD)

static void rows_out(FILE *o, const struct frame *f)
{
	char extra[32];
	int i, op;

	op_counter(o, f, "ioasid_dma_ops_total", "DMA map, unmap and copy operations that succeeded.",
		   offsetof(struct top_stats, ops));
	op_counter(o, f, "ioasid_dma_errors_total", "DMA map, unmap and copy operations that failed.",
		   offsetof(struct top_stats, errors));
	op_counter(o, f, "ioasid_dma_bytes_total", "Bytes of the operations that succeeded.",
		   offsetof(struct top_stats, bytes));
	family(o, "ioasid_dma_latency_seconds", "histogram",
	       "Latency of the operations that succeeded (log2 buckets).");
	for (i = 0; i < f->nrows_all; i++)
		for (op = 0; op < TOP_NR_OPS; op++) {
			if (!row_out(&f->all[i]) || !op_out(&f->all[i], op))
				continue;
			snprintf(extra, sizeof(extra), ",op=\"%s\"", op_names[op]);
			histogram(o, "ioasid_dma_latency_seconds", &f->all[i], extra,
				  f->all[i].cum.lat[op], f->all[i].cum.lat_sum[op]);
		}
	/* the fallback sees only the ioctls: the rest would be zeros that lie */
	if (f->fallback)
		return;
	ROW_COUNTER(o, f, "ioasid_pinned_pages_total", pinned, "Pages pinned for DMA.");
	ROW_COUNTER(o, f, "ioasid_unpinned_pages_total", unpinned, "Pages unpinned.");
	ROW_COUNTER(o, f, "ioasid_iotlb_syncs_total", flushes,
		    "IOTLB syncs (the driver's iotlb_sync after an unmap), empty gathers included.");
	ROW_COUNTER(o, f, "ioasid_iotlb_sync_bytes_total", flush_bytes,
		    "Bytes the non-empty IOTLB syncs covered.");
	ROW_COUNTER(o, f, "ioasid_iotlb_flush_all_total", flush_all, "Full-domain IOTLB flushes.");
	ROW_COUNTER(o, f, "ioasid_iopf_faults_total", faults,
		    "I/O page fault groups answered by user space.");
	ROW_COUNTER(o, f, "ioasid_iopf_lost_total", faults_lost,
		    "I/O page fault groups answered by the kernel on detach or close.");
	family(o, "ioasid_iopf_latency_seconds", "histogram",
	       "I/O page fault groups, queued to responded (log2 buckets).");
	for (i = 0; i < f->nrows_all; i++)
		if (row_out(&f->all[i]) && f->all[i].key.backend == TOP_IOMMUFD)
			histogram(o, "ioasid_iopf_latency_seconds", &f->all[i], "",
				  f->all[i].cum.fault_lat, f->all[i].cum.fault_lat_sum);
	ROW_COUNTER(o, f, "ioasid_hwpt_invalidations_total", invals,
		    "IOMMU_HWPT_INVALIDATE calls.");
	ROW_COUNTER(o, f, "ioasid_hwpt_invalidation_entries_total", inval_entries,
		    "Invalidation entries the driver handled.");
}

/* Live migration's dirty bitmap reads and emulated devices' accesses. */
static void rows_out_vm(FILE *o, const struct frame *f)
{
	ROW_COUNTER(o, f, "ioasid_dirty_bitmap_reads_total", dirty_reads,
		    "Successful dirty bitmap reads (IOMMU_HWPT_GET_DIRTY_BITMAP, VFIO_IOMMU_DIRTY_PAGES).");
	ROW_COUNTER(o, f, "ioasid_dirty_bitmap_read_errors_total", dirty_errors,
		    "Dirty bitmap reads that failed.");
	ROW_COUNTER(o, f, "ioasid_dirty_bitmap_span_bytes_total", dirty_span,
		    "IOVA bytes walked by the successful dirty bitmap reads.");
	ROW_COUNTER(o, f, "ioasid_dirty_bitmap_dirty_bytes_total", dirty_bytes,
		    "IOVA bytes the successful dirty bitmap reads found dirty.");
	IOMMUFD_COUNTER(o, f, "ioasid_access_pins_total", acc_pins,
			"Successful page pin calls of emulated devices through an iommufd access.");
	IOMMUFD_COUNTER(o, f, "ioasid_access_pin_bytes_total", acc_pin_bytes,
			"Bytes pinned by the emulated devices' successful pin calls.");
	IOMMUFD_COUNTER(o, f, "ioasid_access_copies_total", acc_rws,
			"Successful CPU copies of emulated devices through an iommufd access.");
	IOMMUFD_COUNTER(o, f, "ioasid_access_copy_bytes_total", acc_rw_bytes,
			"Bytes moved by the emulated devices' successful copies.");
	IOMMUFD_COUNTER(o, f, "ioasid_access_errors_total", acc_errors,
			"Emulated devices' access pin and copy calls that failed.");
}

/* The labels of a device. */
static void dev_labels(FILE *o, const struct dev *d)
{
	fprintf(o, "pid=\"%u\",comm=\"", d->d.tgid);
	label_value(o, d->d.comm);
	fprintf(o, "\",backend=\"%s\",device=\"", backend_name(d->key.backend));
	label_value(o, d->name);
	/* dev_ids are per /dev/iommu file: its number keeps two apart */
	if (d->key.backend == TOP_IOMMUFD)
		fprintf(o, "\",ctx=\"%u\",id=\"%u\",pasid=\"%u\"", d->ctx, d->key.id,
			d->key.pasid);
	else
		fprintf(o, "\",container=\"%u\",id=\"%u\"", d->container, d->key.id);
}

static void devs_out(FILE *o, const struct frame *f)
{
	static const char *const what[] = { "attach", "detach", "replace", "failure" };
	const struct dev *d;
	__u32 v[4];
	int i, k;

	family(o, "ioasid_device_attached", "gauge",
	       "1 while the device is attached (iommufd: id is its dev_id in context ctx; "
	       "type1: its group).");
	for (i = 0; i < f->ndevs; i++) {
		fputs("ioasid_device_attached{", o);
		dev_labels(o, &f->devs[i]);
		fprintf(o, "} %u\n", f->devs[i].d.attached ? 1 : 0);
	}
	family(o, "ioasid_device_events_total", "counter",
	       "Attach, detach and replace calls per device, and those that failed.");
	for (i = 0; i < f->ndevs; i++) {
		d = &f->devs[i];
		v[0] = d->d.attaches, v[1] = d->d.detaches, v[2] = d->d.replaces;
		v[3] = d->d.failures;
		for (k = 0; k < 4; k++) {
			fputs("ioasid_device_events_total{", o);
			dev_labels(o, d);
			fprintf(o, ",event=\"%s\"} %u\n", what[k], v[k]);
		}
	}
}

/* The labels of a vIOMMU: its id is per context, as a dev_id. */
static void viommu_labels(FILE *o, const struct viommu *v)
{
	fprintf(o, "pid=\"%u\",comm=\"", v->v.tgid);
	label_value(o, v->v.tgid ? v->v.comm : "");
	fprintf(o, "\",ctx=\"%u\",viommu=\"%u\",type=\"%u\"", v->ctx, v->key.id, v->v.type);
}

/*
 * One family of every live vIOMMU (its id and context number are unique
 * among those): @label=value pairs from @vals (NULL: none).
 */
static void viommu_family(FILE *o, const struct frame *f, const char *name, const char *type,
			  const char *help, size_t off, size_t n, const char *label,
			  const char *const *vals)
{
	const struct viommu *v;
	size_t k;
	int i;

	family(o, name, type, help);
	for (i = 0; i < f->nviommus; i++) {
		v = &f->viommus[i];
		if (v->v.destroyed_ns)	/* gone, as a row whose process is */
			continue;
		for (k = 0; k < n; k++) {
			fprintf(o, "%s{", name);
			viommu_labels(o, v);
			if (label)
				fprintf(o, ",%s=\"%s\"", label, vals[k]);
			fprintf(o, "} %llu\n", (unsigned long long)
				*(const __u64 *)((const char *)&v->v + off + k * sizeof(__u64)));
		}
	}
}

static void viommus_out(FILE *o, const struct frame *f)
{
	static const char *const inval[] = { "ok", "entries", "error" };
	static const char *const vev[] = { "queued", "lost", "no_queue", "read", "lost_read" };

	_Static_assert(offsetof(struct top_viommu, inval_errors) ==
		       offsetof(struct top_viommu, invals) + 2 * sizeof(__u64), "invals");
	_Static_assert(offsetof(struct top_viommu, lost_reads) ==
		       offsetof(struct top_viommu, vevents) + 4 * sizeof(__u64), "vevents");
	viommu_family(o, f, "ioasid_viommu_invalidations_total", "counter",
		      "IOMMU_HWPT_INVALIDATE on a vIOMMU: calls that succeeded, entries handled, "
		      "calls that failed.", offsetof(struct top_viommu, invals), 3, "what", inval);
	viommu_family(o, f, "ioasid_viommu_vevents_total", "counter",
		      "vIOMMU events: queued for the VMM, lost (vEVENTQ full), reported with no "
		      "vEVENTQ, read by the VMM, lost-events headers read.",
		      offsetof(struct top_viommu, vevents), 5, "what", vev);
}

/* The backends' modules not loaded at start (their events not traced). */
static void modules_out(FILE *o)
{
	char list[128], *m, *save;

	snprintf(list, sizeof(list), "%s", bpftool_unloaded_list());
	if (!list[0])
		return;
	family(o, "ioasid_top_module_not_loaded", "gauge",
	       "A backend's module that was not loaded when ioasid-top started.");
	for (m = strtok_r(list, ", ", &save); m; m = strtok_r(NULL, ", ", &save))
		fprintf(o, "ioasid_top_module_not_loaded{module=\"%s\"} 1\n", m);
}

static void tool_out(FILE *o, const struct frame *f)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	family(o, "ioasid_top_info", "gauge", "ioasid-top runs: its mode and the kernel.");
	fprintf(o, "ioasid_top_info{mode=\"%s\",kernel=\"", f->mode_id);
	label_value(o, f->kernel);
	fputs("\"} 1\n", o);
	family(o, "ioasid_top_last_refresh_timestamp_seconds", "gauge",
	       "When ioasid-top last wrote this file (a stale file: the tool is gone).");
	fprintf(o, "ioasid_top_last_refresh_timestamp_seconds %lld.%03ld\n",
		(long long)now.tv_sec, now.tv_nsec / 1000000);
	family(o, "ioasid_top_dropped_events_total", "counter",
	       "Events not counted because a map of the tool was full.");
	fprintf(o, "ioasid_top_dropped_events_total %llu\n", (unsigned long long)f->dropped);
	modules_out(o);
	if (f->fallback)
		return;
	family(o, "ioasid_top_unattributed_iotlb_syncs_total", "counter",
	       "IOTLB syncs outside any map or unmap the tool follows (e.g. kernel DMA).");
	fprintf(o, "ioasid_top_unattributed_iotlb_syncs_total %llu\n",
		(unsigned long long)f->other_flushes);
}

/* "DIR/.NAME.@suffix" for @path "DIR/NAME" into @buf: 0, or -1 (ENAMETOOLONG). */
static int beside(const char *path, const char *suffix, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;

	if (snprintf(buf, len, "%.*s.%s.%s", dirlen, path, slash ? slash + 1 : path, suffix) >=
	    (int)len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* A new file beside @path (O_EXCL: never a symlink planted there): its name in @tmp. */
static FILE *open_tmp(const char *path, char *tmp, size_t len)
{
	FILE *o;
	int fd;

	if (beside(path, "XXXXXX", tmp, len))
		return NULL;
	fd = mkstemp(tmp);
	if (fd < 0)
		return NULL;
	/* readable by the collector, which need not run as root */
	if (fchmod(fd, 0644) || !(o = fdopen(fd, "w"))) {
		int e = errno;

		close(fd);
		unlink(tmp);
		errno = e;
		return NULL;
	}
	return o;
}

int prom_write(const struct frame *f, const char *path)
{
	char tmp[4096];
	FILE *o;
	int err = 0;

	o = open_tmp(path, tmp, sizeof(tmp));
	if (!o)
		return -errno;
	rows_out(o, f);
	if (!f->fallback)
		rows_out_vm(o, f);
	if (!f->fallback) {
		devs_out(o, f);
		viommus_out(o, f);
	}
	tool_out(o, f);
	if (fflush(o) || ferror(o))
		err = errno ? -errno : -EIO;
	if (fclose(o) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static char lock_path[4096];
static int lock_fd = -1;

/* The pid a held lock file names, 0 if unknown. */
static long lock_owner(int fd)
{
	char buf[24] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return 0;
	return strtol(buf, NULL, 10);
}

int prom_lock(const char *path, long *owner)
{
	struct stat held, now;
	char pid[24];
	int fd, tries, e;

	*owner = 0;
	if (beside(path, "lock", lock_path, sizeof(lock_path)))
		return -errno;
	/* a lock file its holder unlinked at exit while we waited: open it again */
	for (tries = 0; tries < 3; tries++) {
		fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			e = errno;
			*owner = lock_owner(fd);
			close(fd);
			return e == EWOULDBLOCK ? -EBUSY : -e;
		}
		if (!fstat(fd, &held) && !stat(lock_path, &now) && held.st_ino == now.st_ino &&
		    held.st_dev == now.st_dev)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		return -EAGAIN;
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, strlen(pid), 0) < 0) {
		e = errno;
		unlink(lock_path);
		close(fd);
		return -e;
	}
	lock_fd = fd;
	return 0;
}

void prom_remove(const char *path)
{
	unlink(path);
	if (lock_fd >= 0) {
		unlink(lock_path);
		close(lock_fd);
		lock_fd = -1;
	}
}
