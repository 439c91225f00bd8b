/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IOTLB flush-storm detection, shared by the tools that report storms
 * (ioasid-top, flushstat).  Pure C, no BPF: the caller measures, per key
 * (a process x backend x IOAS, a domain, ...) and per interval, the flush
 * rate and the mean flushed range, and feeds them here.
 *
 * An interval is "hot" when rate >= min_rate and the mean range is at most
 * max_range (small ranges: many tiny invalidations rather than a few bulk
 * ones; a NAN mean range, i.e. unknown, only tests the rate).  A storm
 * BEGINs after `sustain` hot intervals in a row and ENDs after `quiet`
 * cool intervals in a row (a key that was not seen counts as rate 0).
 */
#ifndef IOASID_LIB_STORM_H
#define IOASID_LIB_STORM_H

#include <stdbool.h>
#include <stddef.h>

struct storm_params {
	double min_rate;	/* flushes per second */
	double max_range;	/* bytes, mean flushed range */
	unsigned int sustain;	/* hot intervals in a row to begin (>= 1) */
	unsigned int quiet;	/* cool intervals in a row to end (>= 1) */
};

/*
 * 1000 flushes/s, mean range <= 64 KiB, 3 intervals to begin and 3 to end
 * (the tools' --storm-intervals K sets both)
 */
#define STORM_PARAMS_DEFAULT { 1000.0, 65536.0, 3, 3 }

enum storm_transition {
	STORM_NONE,
	STORM_BEGIN,	/* this interval made it a storm */
	STORM_END,	/* this interval ended the storm */
};

/* The detector's state for one key; zero-initialised = no storm. */
struct storm {
	bool active;
	unsigned int hot;	/* hot intervals in a row */
	unsigned int cool;	/* cool intervals in a row */
	unsigned int intervals;	/* intervals since the storm began (active) */
	double peak_rate;	/* highest rate of the current/last storm */
	double rate;		/* last interval's rate */
	double mean_range;	/* last interval's mean range */
};

/* Is one interval hot? */
bool storm_hot(const struct storm_params *p, double rate, double mean_range);
/* Feed one interval of one key: the transition it causes. */
enum storm_transition storm_step(const struct storm_params *p, struct storm *s, double rate,
				 double mean_range);
/* 0 if @p is usable, else -EINVAL and a message in @why. */
int storm_params_check(const struct storm_params *p, char *why, size_t len);

/*
 * A table of detectors for keys of @keylen bytes (compared with memcmp:
 * zero the padding).  Per interval: storm_table_step() for every key seen,
 * then storm_table_end_interval(), which steps the keys not seen with rate
 * 0, calls @cb for every END that causes, and forgets idle keys.  An END
 * of a key that was seen comes back from storm_table_step() instead.
 *
 * storm_table_new_data() gives every key @datalen bytes of the caller's
 * (zeroed when the key is added, valid until it is forgotten: also in
 * @cb), for what a tool reports of a storm beyond struct storm.
 */
struct storm_table;
typedef void (*storm_cb)(const void *key, const struct storm *s, enum storm_transition t,
			 void *arg);

struct storm_table *storm_table_new(const struct storm_params *p, size_t keylen);
struct storm_table *storm_table_new_data(const struct storm_params *p, size_t keylen,
					 size_t datalen);
void storm_table_free(struct storm_table *t);
enum storm_transition storm_table_step(struct storm_table *t, const void *key, double rate,
				       double mean_range, const struct storm **state);
void storm_table_end_interval(struct storm_table *t, storm_cb cb, void *arg);
/* The state of @key, or NULL if the table does not hold it. */
const struct storm *storm_table_get(const struct storm_table *t, const void *key);
/* The caller's data of @key, or NULL if the table does not hold it. */
void *storm_table_data(const struct storm_table *t, const void *key);
/* Keys in a storm now. */
unsigned int storm_table_active(const struct storm_table *t);
/* Tracing stops: @cb with STORM_END for every storm still on; forget all keys. */
void storm_table_end_all(struct storm_table *t, storm_cb cb, void *arg);

#endif
