/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal tracefs access: probe and toggle events, clear and read the
 * trace buffer, and pick records and key=value fields out of its text.
 * Used by the event tests and by tools probing which events exist.
 *
 * The root is $TRACEFS if set, else /sys/kernel/tracing, which the
 * first call mounts if it is not mounted (when the caller may).  After
 * tracefs_instance_use("name"), event enabling, clearing, reading and
 * tracefs_write() act on the private ring buffer instances/name instead of
 * the global one (tracefs_event_exists() always asks the global list).
 */
#ifndef IOASID_LIB_TRACEFS_H
#define IOASID_LIB_TRACEFS_H

#include <stddef.h>

const char *tracefs_root(void);
/* 1 if events/<sys>/<name> exists, 0 if not. */
int tracefs_event_exists(const char *sys, const char *name);
/* Enable (@on=1) or disable one event, or a whole system if @name is NULL. */
int tracefs_event_enable(const char *sys, const char *name, int on);
/* Empty the trace buffer. */
int tracefs_clear(void);
/* The whole trace buffer as text (malloc'd, NUL-terminated), or NULL. */
char *tracefs_read(void);

/*
 * Use instances/@name (created if missing) from now on; NULL: the global
 * buffer again.  0 or -errno (-ENAMETOOLONG for a name that does not fit).
 */
int tracefs_instance_use(const char *name);
/* Remove instances/@name (its events are disabled first); 0 or -errno. */
int tracefs_instance_remove(const char *name);
/* Write @val into @file of the buffer in use ("buffer_size_kb", "trace_clock"...). */
int tracefs_write(const char *file, const char *val);
/*
 * Events the buffer in use lost since it was last cleared (overrun, commit
 * overrun and dropped events over every CPU), or -errno.
 */
long long tracefs_lost(void);

/* Number of records of @event (e.g. "iommufd_ioas_map") in @buf. */
int trace_count(const char *buf, const char *event);
/*
 * Field @key of the @nth (0-based) record of @event: decimal, negative
 * or 0x-hex.  Returns 0, or -ENOENT if there is no such record or field.
 */
int trace_field(const char *buf, const char *event, int nth, const char *key,
		long long *val);
/* The first record of @event whose field @key is @val: its index, or -1. */
int trace_find(const char *buf, const char *event, const char *key, long long val);
/* The same for a field printed as a word (e.g. code=success). */
int trace_field_str(const char *buf, const char *event, int nth, const char *key,
		    char *out, size_t len);
/* The @nth record's line of @event (up to the newline) into @out. */
int trace_record(const char *buf, const char *event, int nth, char *out, size_t len);
/*
 * Where the line of the @nth record of @event starts in @buf (an offset,
 * to order records or to read the line's header), or -1 if there is none.
 */
long trace_record_offset(const char *buf, const char *event, int nth);
/*
 * The pid in the header of the trace line at @line: the digits after the
 * last '-' of "comm-pid", before the CPU field "[001]" (and "(tgid)" with
 * options/record-tgid); -1 if there are none.
 */
int trace_line_pid(const char *line);
/*
 * The task (pid) and the time in ns of the @nth record of @event, from the
 * line's header ("comm-pid [cpu] flags secs.frac: event: ..."; the default
 * text output has microseconds).  0, or -ENOENT / -EINVAL.
 */
int trace_record_time(const char *buf, const char *event, int nth, int *pid,
		      unsigned long long *ts_ns);

#endif
