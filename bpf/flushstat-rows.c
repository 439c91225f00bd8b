// SPDX-License-Identifier: GPL-2.0
/*
 * flushstat: one interval's counters drained from the BPF maps and folded
 * into process and domain rows, the report flushstat-out.c prints.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "bpftool.h"
#include "flushstat-user.h"
#include "rowidx.h"

struct entry {
	struct fs_key key;
	struct fs_val v;
};

/* Move every row out of the map into @e; returns how many or -errno. */
static int drain(int fd, struct entry *e)
{
	const struct bpftool_rows rows = {
		.base = e, .stride = sizeof(*e), .max = MAX_KEYS,
		.key_off = offsetof(struct entry, key), .key_size = sizeof(e->key),
		.val_off = offsetof(struct entry, v), .val_size = sizeof(e->v),
	};

	return bpftool_drain(fd, &rows);
}

/* The range histograms since the last call (the map only grows). */
static int read_ranges(int fd, struct fs_hist *delta)
{
	static struct fs_hist prev[FS_NR_BACKENDS];
	struct fs_hist cur;
	__u32 b;
	int s;

	for (b = 0; b < FS_NR_BACKENDS; b++) {
		if (bpf_map_lookup_elem(fd, &b, &cur))
			return -errno;
		for (s = 0; s < RANGE_SLOTS; s++)
			delta[b].slots[s] = cur.slots[s] - prev[b].slots[s];
		prev[b] = cur;
	}
	return 0;
}

static int cmp_prow(const void *a, const void *b)
{
	const struct prow *x = a, *y = b;

	if (x->syncs != y->syncs)
		return x->syncs > y->syncs ? -1 : 1;
	if (x->unmaps != y->unmaps)
		return x->unmaps > y->unmaps ? -1 : 1;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->backend != y->backend)
		return x->backend - y->backend;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_drow(const void *a, const void *b)
{
	const struct drow *x = a, *y = b;

	if (x->syncs != y->syncs)
		return x->syncs > y->syncs ? -1 : 1;
	return x->dom < y->dom ? -1 : x->dom > y->dom;
}

/* The process row of @e's (tgid, backend, id), added if new; NULL if out of memory. */
static struct prow *process_row(struct report *r, struct rowidx *idx, const struct entry *e)
{
	const struct fs_key *key = &e->key;
	struct fs_key pk = { .tgid = key->tgid, .id = key->id, .backend = key->backend };
	struct prow *p;
	int j = rowidx_find(idx, &pk);

	if (j >= 0)
		return &r->p[j];
	if (rowidx_add(idx, &pk, r->np))
		return NULL;
	p = &r->p[r->np++];
	memset(p, 0, sizeof(*p));
	p->tgid = key->tgid;
	p->backend = key->backend;
	p->id = key->id;
	memcpy(p->comm, e->v.comm, sizeof(p->comm));
	p->comm[TASK_COMM_LEN - 1] = 0;
	return p;
}

static void add_process(struct prow *p, const struct fs_key *key, const struct fs_val *v)
{
	p->syncs += v->syncs;
	p->flush_all += v->flush_all;
	p->range_bytes += v->range_bytes;
	p->empty_syncs += v->empty_syncs;
	/* other: no operation, its unmaps are iommu:unmap calls */
	if (key->op == FS_OP_UNMAP || key->backend == FS_OTHER)
		p->unmap_syncs += v->syncs;
	if (key->op == FS_OP_UNMAP) {
		p->unmaps += v->ops;
		p->unmaps_failed += v->failed;
	} else if (key->op == FS_OP_MAP) {
		p->maps += v->ops;
	} else if (key->op == FS_OP_COPY) {
		p->copies += v->ops;
	}
}

/* Add @e's flushes to its domain's row, and its IOAS/container to the domain's users. */
static void add_domain(struct report *r, struct rowidx *idx, const struct entry *e)
{
	const struct fs_key *key = &e->key;
	const struct fs_val *v = &e->v;
	struct drow *q;
	int j = rowidx_find(idx, &key->dom), k;

	if (j >= 0) {
		q = &r->d[j];
	} else {
		if (rowidx_add(idx, &key->dom, r->nd))
			return;
		q = &r->d[r->nd++];
		memset(q, 0, sizeof(*q));
		q->dom = key->dom;
	}
	q->syncs += v->syncs;
	q->flush_all += v->flush_all;
	q->range_bytes += v->range_bytes;
	q->empty_syncs += v->empty_syncs;
	for (k = 0; k < q->nusers; k++)
		if (q->users[k].backend == key->backend && q->users[k].id == key->id)
			return;
	if (q->nusers < MAX_USERS)
		q->users[q->nusers++] = (struct user){ key->backend, key->id };
	else
		q->more_users = true;
}

/* Fold the @n rows of the map into process and domain rows (sorted). */
static void fold(struct report *r, int n)
{
	static struct rowidx pidx = ROWIDX_INIT(sizeof(struct fs_key));
	static struct rowidx didx = ROWIDX_INIT(sizeof(__u32));
	const struct entry *e = r->entries;
	struct prow *p;
	int i;

	r->np = r->nd = 0;
	rowidx_clear(&pidx);
	rowidx_clear(&didx);
	for (i = 0; i < n; i++) {
		p = process_row(r, &pidx, &e[i]);
		if (!p)
			continue;	/* no memory: the row is left out */
		add_process(p, &e[i].key, &e[i].v);
		if (e[i].key.dom)
			add_domain(r, &didx, &e[i]);
	}
	qsort(r->p, r->np, sizeof(*r->p), cmp_prow);
	qsort(r->d, r->nd, sizeof(*r->d), cmp_drow);
}

int report_init(struct report *r, int ranges_fd)
{
	r->entries = calloc(MAX_KEYS, sizeof(*r->entries));
	r->p = calloc(MAX_KEYS, sizeof(*r->p));
	r->d = calloc(MAX_KEYS, sizeof(*r->d));
	if (!r->entries || !r->p || !r->d)
		return -ENOMEM;
	read_ranges(ranges_fd, r->ranges);
	return 0;
}

int report_read(struct report *r, int counts_fd, int ranges_fd)
{
	int n, err = 0;

	n = drain(counts_fd, r->entries);
	if (n < 0 || (err = read_ranges(ranges_fd, r->ranges))) {
		err = n < 0 ? n : err;
		fprintf(stderr, "flushstat: failed to read counters: %s\n", strerror(-err));
		return err;
	}
	fold(r, n);
	return 0;
}

void report_free(struct report *r)
{
	free(r->entries);
	free(r->p);
	free(r->d);
}
