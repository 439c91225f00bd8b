// SPDX-License-Identifier: GPL-2.0
/* IOTLB flush-storm detection (see storm.h). */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storm.h"

bool storm_hot(const struct storm_params *p, double rate, double mean_range)
{
	if (!(rate >= p->min_rate) || rate <= 0)
		return false;
	return isnan(mean_range) || mean_range <= p->max_range;
}

enum storm_transition storm_step(const struct storm_params *p, struct storm *s, double rate,
				 double mean_range)
{
	s->rate = rate;
	s->mean_range = mean_range;
	if (storm_hot(p, rate, mean_range)) {
		s->hot++;
		s->cool = 0;
		if (s->active) {
			s->intervals++;
			if (rate > s->peak_rate)
				s->peak_rate = rate;
			return STORM_NONE;
		}
		/* a new run of hot intervals: the peak of this one */
		if (s->hot == 1 || rate > s->peak_rate)
			s->peak_rate = rate;
		if (s->hot >= p->sustain) {
			s->active = true;
			s->intervals = s->hot;
			return STORM_BEGIN;
		}
		return STORM_NONE;
	}
	s->hot = 0;
	if (!s->active)
		return STORM_NONE;
	s->intervals++;
	if (++s->cool >= p->quiet) {
		s->active = false;
		s->cool = 0;
		return STORM_END;
	}
	return STORM_NONE;
}

int storm_params_check(const struct storm_params *p, char *why, size_t len)
{
	if (!(p->min_rate > 0) || isinf(p->min_rate)) {
		snprintf(why, len, "storm rate must be > 0 flushes/s");
		return -EINVAL;
	}
	if (!(p->max_range > 0)) {
		snprintf(why, len, "storm range must be > 0 bytes");
		return -EINVAL;
	}
	if (p->sustain < 1 || p->quiet < 1) {
		snprintf(why, len, "storm intervals must be >= 1");
		return -EINVAL;
	}
	return 0;
}

struct storm_entry {
	struct storm s;
	bool seen;		/* stepped in this interval */
	unsigned char key[];	/* then, at dataoff, the caller's data */
};

struct storm_table {
	struct storm_params p;
	size_t keylen, datalen, dataoff;
	size_t n, cap;
	struct storm_entry **e;
};

struct storm_table *storm_table_new_data(const struct storm_params *p, size_t keylen,
					 size_t datalen)
{
	const size_t align = _Alignof(max_align_t);
	struct storm_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->p = *p;
	t->keylen = keylen;
	t->datalen = datalen;
	t->dataoff = (offsetof(struct storm_entry, key) + keylen + align - 1) / align * align;
	return t;
}

struct storm_table *storm_table_new(const struct storm_params *p, size_t keylen)
{
	return storm_table_new_data(p, keylen, 0);
}

void storm_table_free(struct storm_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->e[i]);
	free(t->e);
	free(t);
}

static struct storm_entry *find(const struct storm_table *t, const void *key)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!memcmp(t->e[i]->key, key, t->keylen))
			return t->e[i];
	return NULL;
}

const struct storm *storm_table_get(const struct storm_table *t, const void *key)
{
	struct storm_entry *e = find(t, key);

	return e ? &e->s : NULL;
}

enum storm_transition storm_table_step(struct storm_table *t, const void *key, double rate,
				       double mean_range, const struct storm **state)
{
	struct storm_entry *e = find(t, key), **ne;
	enum storm_transition tr;

	if (!e) {
		/* only keys that may become storms are worth remembering */
		if (!storm_hot(&t->p, rate, mean_range)) {
			if (state)
				*state = NULL;
			return STORM_NONE;
		}
		if (t->n == t->cap) {
			ne = realloc(t->e, (t->cap ? 2 * t->cap : 16) * sizeof(*ne));
			if (!ne)
				goto nomem;
			t->e = ne;
			t->cap = t->cap ? 2 * t->cap : 16;
		}
		e = calloc(1, t->dataoff + t->datalen);
		if (!e)
			goto nomem;
		memcpy(e->key, key, t->keylen);
		t->e[t->n++] = e;
	}
	e->seen = true;
	tr = storm_step(&t->p, &e->s, rate, mean_range);
	if (state)
		*state = &e->s;
	return tr;
nomem:
	if (state)
		*state = NULL;
	return STORM_NONE;
}

void storm_table_end_interval(struct storm_table *t, storm_cb cb, void *arg)
{
	struct storm_entry *e;
	size_t i = 0;

	while (i < t->n) {
		e = t->e[i];
		if (!e->seen && storm_step(&t->p, &e->s, 0, NAN) == STORM_END && cb)
			cb(e->key, &e->s, STORM_END, arg);
		e->seen = false;
		if (!e->s.active && !e->s.hot) {
			/* idle: forget it (order does not matter) */
			free(e);
			t->e[i] = t->e[--t->n];
			continue;
		}
		i++;
	}
}

void *storm_table_data(const struct storm_table *t, const void *key)
{
	struct storm_entry *e = find(t, key);

	return e && t->datalen ? (unsigned char *)e + t->dataoff : NULL;
}

void storm_table_end_all(struct storm_table *t, storm_cb cb, void *arg)
{
	size_t i;

	/* every key stays in the table until the last @cb (storm_table_data) */
	for (i = 0; i < t->n; i++) {
		struct storm *s = &t->e[i]->s;

		if (s->active) {
			s->active = false;
			s->cool = s->hot = 0;
			if (cb)
				cb(t->e[i]->key, s, STORM_END, arg);
		}
	}
	for (i = 0; i < t->n; i++)
		free(t->e[i]);
	t->n = 0;
}

unsigned int storm_table_active(const struct storm_table *t)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < t->n; i++)
		n += t->e[i]->s.active;
	return n;
}
