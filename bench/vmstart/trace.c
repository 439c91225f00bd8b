// SPDX-License-Identifier: GPL-2.0
/*
 * vmstart's view of the series' events: a private tracefs instance
 * (instances/vmstart, so the global buffer is left alone), clocked like
 * CLOCK_MONOTONIC, filtered to this process and what it forks (QEMU and
 * its threads).  After each start its records up to the ready time become
 * the map phase's figures of a run; a map call's time is from its _start
 * record to its end record of the same thread.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracefs.h"
#include "vmstart.h"

#define INSTANCE	"vmstart"

static bool instance_made;

struct ev {
	const char *sys, *name;
};

static const struct ev events[] = {
	{ "iommufd", "iommufd_ioas_map_start" },
	{ "iommufd", "iommufd_ioas_map" },
	{ "iommufd", "iommufd_ioas_unmap" },
	{ "iommufd", "iommufd_pages_pin" },
	{ "iommufd", "iommufd_device_attach" },
	{ "vfio_iommu_type1", "vfio_iommu_type1_dma_map_start" },
	{ "vfio_iommu_type1", "vfio_iommu_type1_dma_map" },
	{ "vfio_iommu_type1", "vfio_iommu_type1_dma_unmap" },
	{ "vfio_iommu_type1", "vfio_iommu_type1_pin_pages" },
	{ "vfio_iommu_type1", "vfio_iommu_type1_attach_group" },
	{ "iommu", "iotlb_sync" },
};
#define NEVENTS (sizeof(events) / sizeof(events[0]))

void trace_setup(void)
{
	char val[32];
	unsigned int i;
	int ret;

	ret = tracefs_instance_use(INSTANCE);
	if (ret)
		die("failed to create trace instance %s/instances/%s: %s", tracefs_root(), INSTANCE,
		    strerror(-ret));
	instance_made = true;
	snprintf(val, sizeof(val), "%ld", cfg.buffer_kb);
	if ((ret = tracefs_write("buffer_size_kb", val)))
		die("failed to set buffer_size_kb of trace instance %s to %ld: %s", INSTANCE,
		    cfg.buffer_kb, strerror(-ret));
	/* The same clock as CLOCK_MONOTONIC (t0 and t_ready). */
	if ((ret = tracefs_write("trace_clock", "mono")))
		die("failed to set trace_clock of trace instance %s to mono: %s", INSTANCE,
		    strerror(-ret));
	/* Only this process and what it forks (QEMU and its threads). */
	if ((ret = tracefs_write("options/event-fork", "1")))
		die("failed to set option event-fork of trace instance %s: %s", INSTANCE,
		    strerror(-ret));
	for (i = 0; i < NEVENTS; i++) {
		if (tracefs_event_exists(events[i].sys, events[i].name) != 1)
			continue;
		ret = tracefs_event_enable(events[i].sys, events[i].name, 1);
		if (ret)
			die("failed to enable event %s:%s: %s", events[i].sys, events[i].name,
			    strerror(-ret));
	}
}

/* Start the buffer afresh for a run: empty, filtered to this process. */
int trace_arm(char *err, size_t errlen)
{
	char pid[32];
	int ret;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if ((ret = tracefs_write("set_event_pid", pid)) || (ret = tracefs_clear())) {
		snprintf(err, errlen, "failed to reset trace instance %s: %s", INSTANCE,
			 strerror(-ret));
		return -1;
	}
	return 0;
}

/*
 * One record: its timestamp (ns, CLOCK_MONOTONIC) and event name; the
 * fields start after "name: ".  Lines look like
 * "  comm-pid  [001] d..1.   123.456789: name: fields".
 */
static bool parse_record(const char *line, uint64_t *ts, char *name, size_t len)
{
	const char *p = strstr(line, "] "), *q;
	unsigned long long sec, usec;
	int i, n;

	if (*line == '#' || !p)
		return false;
	p += 2;
	for (i = 0; i < 3; i++) {
		p += strspn(p, " ");
		if (sscanf(p, "%llu.%llu: %n", &sec, &usec, &n) == 2 && p[n - 2] == ':') {
			q = p + n;
			n = strcspn(q, ": ");
			if (q[n] != ':' || (size_t)n >= len)
				return false;
			memcpy(name, q, n);
			name[n] = 0;
			/* The decimals: microseconds (or more digits with another clock). */
			*ts = sec * 1000000000ULL + usec * 1000ULL;
			return true;
		}
		p += strcspn(p, " ");
	}
	return false;
}

static long long field(const char *line, const char *name, const char *key)
{
	long long v;

	return trace_field(line, name, 0, key, &v) ? -1 : v;
}

/* Remove the instance if we made it (its events are disabled first). */
void trace_cleanup(void)
{
	if (instance_made) {
		tracefs_instance_remove(INSTANCE);
		instance_made = false;
	}
}

/* Map calls entered and not yet returned: one per thread at most. */
#define MAX_PENDING	64

/* What the records of one run add up to besides @r's counts. */
struct tally {
	uint64_t t0;			/* exec, ns */
	uint64_t map_ns;		/* time inside the map calls, summed */
	uint64_t first, last;		/* first map _start, last map end record */
	struct {
		int pid;		/* 0: a free slot */
		bool type1;
		uint64_t ts;		/* its _start record */
	} pending[MAX_PENDING];
};

/* A map call's _start record: held until its end record, by thread. */
static void map_start(struct tally *t, int pid, bool type1, uint64_t ts)
{
	int i, slot = -1;

	if (!t->first)
		t->first = ts;
	if (pid <= 0)
		return;
	for (i = 0; i < MAX_PENDING; i++) {
		if (t->pending[i].pid == pid) {
			slot = i;
			break;
		}
		if (!t->pending[i].pid && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return;		/* 64 threads inside a map call: this one is not timed */
	t->pending[slot].pid = pid;
	t->pending[slot].type1 = type1;
	t->pending[slot].ts = ts;
}

/*
 * A map call's end record: its time is from the thread's _start record
 * of the same backend (none: the call began before the buffer was armed).
 */
static void map_end(struct tally *t, struct run *r, const char *line, const char *name,
		    uint64_t ts)
{
	bool type1 = name[0] == 'v';
	long long ret, len;
	int i, pid;

	ret = field(line, name, "ret");
	len = field(line, name, type1 ? "size" : "length");
	r->map_calls++;
	if (ret)
		r->map_errors++;
	else if (len > 0)
		r->map_bytes += len;
	if (ts > t->last)
		t->last = ts;
	pid = trace_line_pid(line);
	for (i = 0; pid > 0 && i < MAX_PENDING; i++) {
		if (t->pending[i].pid != pid)
			continue;
		if (t->pending[i].type1 == type1 && ts > t->pending[i].ts)
			t->map_ns += ts - t->pending[i].ts;
		t->pending[i].pid = 0;
		break;
	}
}

/* Account one record @line of event @name at @ts (ns) into @r. */
static void account(struct tally *t, struct run *r, const char *line, const char *name,
		    uint64_t ts)
{
	long long ret, len;

	if (!strcmp(name, "iommufd_ioas_map_start") ||
	    !strcmp(name, "vfio_iommu_type1_dma_map_start")) {
		map_start(t, trace_line_pid(line), name[0] == 'v', ts);
	} else if (!strcmp(name, "iommufd_ioas_map") ||
		   !strcmp(name, "vfio_iommu_type1_dma_map")) {
		map_end(t, r, line, name, ts);
	} else if (!strcmp(name, "iommufd_ioas_unmap") ||
		   !strcmp(name, "vfio_iommu_type1_dma_unmap")) {
		len = field(line, name, "unmapped");
		r->unmap_calls++;
		if (len > 0)
			r->unmap_bytes += len;
	} else if (!strcmp(name, "iommufd_pages_pin") ||
		   !strcmp(name, "vfio_iommu_type1_pin_pages")) {
		ret = field(line, name, "ret");
		r->pin_calls++;
		if (ret > 0)
			r->pinned_pages += ret;
	} else if (!strcmp(name, "iotlb_sync")) {
		r->iotlb_syncs++;
	} else if (!strcmp(name, "iommufd_device_attach") ||
		   !strcmp(name, "vfio_iommu_type1_attach_group")) {
		if (field(line, name, "ret") == 0 && isnan(r->attach_at_ms))
			r->attach_at_ms = (ts - t->t0) / 1e6;
	}
}

/* Fill @r's event figures from the buffer, counting records up to @t_ready. */
int trace_collect(struct run *r, uint64_t t0, uint64_t t_ready, char *err, size_t errlen)
{
	char *buf, *line, *eol, name[64];
	struct tally t = { .t0 = t0 };
	long long lost;
	uint64_t ts;

	lost = tracefs_lost();
	buf = tracefs_read();
	if (!buf) {
		snprintf(err, errlen, "failed to read trace instance %s: %s", INSTANCE,
			 strerror(errno));
		return -1;
	}
	if (lost > 0) {
		free(buf);
		snprintf(err, errlen, "the trace buffer lost %lld events: raise --buffer-kb (now %ld)",
			 lost, cfg.buffer_kb);
		return -1;
	}
	r->attach_at_ms = r->map_start_at_ms = r->map_end_at_ms = NAN;
	for (line = buf; line && *line; line = eol ? eol + 1 : NULL) {
		eol = strchr(line, '\n');
		if (eol)
			*eol = 0;
		if (parse_record(line, &ts, name, sizeof(name)) && ts <= t_ready + 1000)
			account(&t, r, line, name, ts);
	}
	free(buf);
	r->map_ms = t.map_ns / 1e6;
	if (t.first)
		r->map_start_at_ms = (t.first - t0) / 1e6;
	if (t.last)
		r->map_end_at_ms = (t.last - t0) / 1e6;
	return 0;
}
