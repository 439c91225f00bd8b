/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioasid-top's rows in the kernel: the row map and the helpers every
 * program uses to find a row and count an operation on it, the per-thread
 * operation state (begin() at a _start event, end() at its end event) and
 * the system totals no row owns, and which IOAS a HWPT (or vIOMMU) id
 * names.  Included by ioasid-top.bpf.c only; kept
 * apart so that the programs there read in one sitting.
 */
#ifndef __IOASID_TOP_ROWS_BPF_H
#define __IOASID_TOP_ROWS_BPF_H

#include "bits.bpf.h"
#include "ioasid-top.h"

/*
 * One shared row per key, allocated when first used: a preallocated
 * per-CPU hash took TOP_MAX_KEYS x 1.4 KiB on every possible CPU (780 MB
 * on a 128-CPU host).  Rows are updated with atomic adds.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TOP_MAX_KEYS);
	__type(key, struct top_key);
	__type(value, struct top_stats);
} stats SEC(".maps");

#define ADD(field, n)	__sync_fetch_and_add(&(field), (n))

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TOP_NR_OTHER);
	__type(key, __u32);
	__type(value, __u64);
} other SEC(".maps");

/* The operation the thread is in (valid while active). */
DEFINE_CUR_OP(struct top_cur)

static struct top_stats zero_stats;


static __always_inline void other_add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&other, &idx);

	if (v)
		*v += n;	/* per CPU: no atomics needed */
}

static __always_inline struct top_stats *row(const struct top_key *key)
{
	struct top_stats *s = bpf_map_lookup_elem(&stats, key);

	if (s)
		return s;
	if (bpf_map_update_elem(&stats, key, &zero_stats, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&stats, key)) {
		other_add(TOP_OTHER_DROPPED, 1);
		return NULL;
	}
	s = bpf_map_lookup_elem(&stats, key);
	if (s)
		process_comm(s->comm, sizeof(s->comm));
	return s;
}

static __always_inline void make_key(struct top_key *k, __u32 backend, __u64 as)
{
	k->as = as;
	k->tgid = bpf_get_current_pid_tgid() >> 32;
	k->backend = backend;
}

/* One finished operation, on the row @s. */
static __always_inline void record_on(struct top_stats *s, __u32 op, __u64 len, __u64 ns,
				      int ret)
{
	if (op >= TOP_NR_OPS)
		return;
	if (ret < 0) {
		ADD(s->errors[op], 1);
		return;
	}
	ADD(s->ops[op], 1);
	ADD(s->bytes[op], len);
	ADD(s->lat[op][log2_slot(ns, TOP_SLOTS)], 1);
	ADD(s->lat_sum[op], ns);
}

static __always_inline void record(const struct top_key *k, __u32 op, __u64 len, __u64 ns,
				   int ret)
{
	struct top_stats *s = row(k);

	if (s)
		record_on(s, op, len, ns, ret);
}

/* ---- an operation of the thread: _start to end event ---- */

static __always_inline int begin(__u32 backend, __u32 op, __u64 as)
{
	struct top_cur *c;

	if (pid_filtered())
		return 0;
	c = cur_get(true);
	if (!c)
		return 0;
	make_key(&c->key, backend, as);
	c->op = op;
	c->active = 1;
	if (c->nested) {	/* left by an operation whose end was not seen */
		c->nested = 0;
		c->p = (struct top_pending){};
	}
	/* last: begin()'s own cost stays out of the latency */
	c->start_ns = bpf_ktime_get_ns();
	return 0;
}

/* The nested events' counts of @c's operation onto its row @s. */
static __always_inline void fold_nested(struct top_stats *s, struct top_cur *c)
{
	if (!c->nested)
		return;
	ADD(s->pinned, c->p.pinned);
	ADD(s->unpinned, c->p.unpinned);
	ADD(s->flushes, c->p.flushes);
	ADD(s->flush_bytes, c->p.flush_bytes);
	ADD(s->flush_ranged, c->p.flush_ranged);
	ADD(s->flush_all, c->p.flush_all);
	if (c->p.flush_slot_n)
		ADD(s->flush_range[c->p.flush_slot & (TOP_SLOTS - 1)], c->p.flush_slot_n);
	c->nested = 0;
	c->p = (struct top_pending){};
}

/*
 * An end without an active start of the same operation is ignored: the
 * tool attached mid-operation, or begin() filtered it (so no pid_filtered()
 * here).  The next begin() drops nested counts left by one.
 */
static __always_inline int end(__u32 backend, __u32 op, __u64 as, __u64 len, int ret)
{
	__u64 now = bpf_ktime_get_ns();
	struct top_cur *c = cur_active();
	struct top_key k = {};
	struct top_stats *s;

	if (!c)
		return 0;
	c->active = 0;
	if (c->op != op || c->key.backend != backend)
		return 0;
	make_key(&k, backend, as);
	s = row(&k);
	if (!s)
		return 0;
	fold_nested(s, c);
	record_on(s, op, len, now - c->start_ns, ret);
	return 0;
}

/*
 * tgid << 32 | HWPT id -> the IOAS (pt_id) it was allocated on, from
 * IOMMU_HWPT_ALLOC (a vIOMMU's id -> its parent's, from its alloc): ids
 * are per /dev/iommu open, so per process here (the lookups too run in
 * the process: invalidate, fault response).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);	/* a close in a kworker leaves its entries */
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u32);
} hwpt_ioas SEC(".maps");

static __always_inline __u64 hwpt_key(__u32 hwpt_id)
{
	return (bpf_get_current_pid_tgid() >> 32) << 32 | hwpt_id;
}

static __always_inline __u64 ioas_of_hwpt(__u32 hwpt_id)
{
	__u64 key = hwpt_key(hwpt_id);
	__u32 *pt = bpf_map_lookup_elem(&hwpt_ioas, &key);

	return pt ? *pt : 0;
}

#endif /* __IOASID_TOP_ROWS_BPF_H */
