/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness and the upstream iommufd selftest helpers, as the
 * tests on the selftest mock (events_mock.c, events_ioas.c, events_pasid.c,
 * events_viommu.c, events_dirty.c, events_access.c, events_type1_access.c)
 * use them, and the checks of trace records they share.
 */
#ifndef IOASID_MOCK_HARNESS_H
#define IOASID_MOCK_HARNESS_H

#include "kselftest_harness.h"
/* A selftest header: static helpers a test does not all use */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "iommu/iommufd_utils.h"
#pragma GCC diagnostic pop

/*
 * The 6.12 harness keeps TEST_F()'s "child" in a local across setjmp(), so
 * gcc warns in whichever test wrappers keep it in a register (upstream has
 * since dropped setjmp() from the harness). It is real: after an ASSERT
 * failure the test process can take itself for the parent and skip a
 * FIXTURE_TEARDOWN(). FIXTURE_TEARDOWN_PARENT() runs the teardown once in
 * whichever process gets there, so the events are disabled either way.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

#include "tracefs.h"

#define MAX_EVENTS 8

/* The events a test enabled: its teardown disables them again. */
struct enabled_events {
	const char *sys[MAX_EVENTS];
	const char *name[MAX_EVENTS];
	int n;
};

static void __attribute__((unused))
events_enable(struct __test_metadata *_metadata, struct enabled_events *ev,
	      const char *sys, const char *name)
{
	ASSERT_GT(MAX_EVENTS, ev->n);
	ASSERT_EQ(0, tracefs_event_enable(sys, name, 1))
		TH_LOG("cannot enable %s:%s", sys, name);
	ev->sys[ev->n] = sys;
	ev->name[ev->n++] = name;
}

static void __attribute__((unused))
events_disable(struct __test_metadata *_metadata, struct enabled_events *ev)
{
	int i;

	for (i = 0; i < ev->n; i++)
		EXPECT_EQ(0, tracefs_event_enable(ev->sys[i], ev->name[i], 0));
}

/* Functions, not macros: the failure message quotes the whole record. */
static void __attribute__((unused))
assert_count(struct __test_metadata *_metadata, const char *trace,
	     const char *event, int n)
{
	ASSERT_EQ(n, trace_count(trace, event))
		TH_LOG("records of %s; trace:\n%s", event, trace);
}

static void __attribute__((unused))
assert_field(struct __test_metadata *_metadata, const char *trace,
	     const char *event, int nth, const char *key, long long expected)
{
	char rec[512] = "";
	long long v = 0;

	trace_record(trace, event, nth, rec, sizeof(rec));
	ASSERT_EQ(0, trace_field(trace, event, nth, key, &v))
		TH_LOG("no %s in %s #%d: %s", key, event, nth, rec);
	ASSERT_EQ(expected, v)
		TH_LOG("%s in %s #%d: %s", key, event, nth, rec);
}

static void __attribute__((unused))
assert_field_str(struct __test_metadata *_metadata, const char *trace,
		 const char *event, int nth, const char *key,
		 const char *expected)
{
	char rec[512] = "", s[64] = "";

	trace_record(trace, event, nth, rec, sizeof(rec));
	ASSERT_EQ(0, trace_field_str(trace, event, nth, key, s, sizeof(s)))
		TH_LOG("no %s in %s #%d: %s", key, event, nth, rec);
	ASSERT_STREQ(expected, s)
		TH_LOG("%s in %s #%d: %s", key, event, nth, rec);
}

/*
 * Record @nth of the _start event @st and of its end event @ev: one call
 * of this (single-threaded) process, the end no earlier than the start.
 */
static void __attribute__((unused))
assert_pair(struct __test_metadata *_metadata, const char *trace,
	    const char *st, const char *ev, int nth)
{
	unsigned long long t_st = 0, t_ev = 0;
	int p_st = 0, p_ev = 0;

	ASSERT_EQ(0, trace_record_time(trace, st, nth, &p_st, &t_st));
	ASSERT_EQ(0, trace_record_time(trace, ev, nth, &p_ev, &t_ev));
	ASSERT_EQ(getpid(), p_st);
	ASSERT_EQ(getpid(), p_ev);
	ASSERT_LE(t_st, t_ev);
}

/* A fixture's start: the series' @event exists, /dev/iommu, an IOAS. */
static void __attribute__((unused))
mock_open(struct __test_metadata *_metadata, const char *event, int *fd,
	  __u32 *ioas_id)
{
	ASSERT_TRUE(tracefs_event_exists("iommufd", event))
		TH_LOG("no iommufd:%s in %s: kernel without the series?", event,
		       tracefs_root());
	*fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, *fd) TH_LOG("/dev/iommu: %s", strerror(errno));
	ASSERT_EQ(0, _test_ioctl_ioas_alloc(*fd, ioas_id));
}

/* A mock device (@flags: MOCK_FLAGS_DEVICE_*) attached to the IOAS. */
static void __attribute__((unused))
mock_device(struct __test_metadata *_metadata, int fd, __u32 ioas_id,
	    __u32 flags, __u32 *stdev_id, __u32 *hwpt_id, __u32 *idev_id)
{
	ASSERT_EQ(0, _test_cmd_mock_domain_flags(fd, ioas_id, flags, stdev_id,
						 hwpt_id, idev_id))
		TH_LOG("mock domain: %s: no IOMMUFD_TEST, or VT-d took the mock device",
		       strerror(errno));
}

/* In a TEST_F() whose fixture has a trace (the last read) and an ev. */
#define clear_trace() ASSERT_EQ(0, tracefs_clear())
#define read_trace()                                                           \
	do {                                                                   \
		free(self->trace);                                             \
		self->trace = tracefs_read();                                  \
		ASSERT_NE(NULL, self->trace);                                  \
	} while (0)
#define enable_event(sys, name) events_enable(_metadata, &self->ev, sys, name)
#define ASSERT_COUNT(event, n) assert_count(_metadata, self->trace, event, n)
#define ASSERT_FIELD(event, nth, key, expected)                                \
	assert_field(_metadata, self->trace, event, nth, key, (long long)(expected))
#define ASSERT_FIELD_STR(event, nth, key, expected)                            \
	assert_field_str(_metadata, self->trace, event, nth, key, expected)
#define ASSERT_PAIR(st, ev, nth) assert_pair(_metadata, self->trace, st, ev, nth)

#endif
