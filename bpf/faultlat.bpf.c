// SPDX-License-Identifier: GPL-2.0
/*
 * faultlat: I/O page request round trips, stage by stage, as log2
 * histograms per iommufd device and PASID, aggregated here.
 *
 * Tracepoint mode (the ioasid-trace series): a group is tracked in one
 * map keyed by (struct device *, PASID, group ID), which every event
 * yields: iopf_report and iopf_response from their arguments, the iommufd
 * events from the group (its fault_param->dev and last fault), and PCIe
 * PRI keeps a group ID unique among a function's outstanding requests.
 * All its stages are recorded at once when the response reaches the
 * driver, so the stages of every recorded group add up to its total.  The
 * in-flight map is the outstanding groups.  Arguments are read with
 * direct (BTF) loads; probe reads for the iommufd device ID and the
 * fault queue's ID (its layout differs in 6.x and 7.x) at queueing, the
 * device's name only when a histogram key is new.
 *
 * Fallback (no series): read() and write() of an iommufd fault fd, found
 * by its anon inode name, with the records and responses decoded from the
 * user buffers: read -> respond per cookie, nothing before or after.
 * intel_iommu:prq_report is counted when it exists, in both modes.
 *
 * vEVENTQs (kernels that have their events): an event is matched from its
 * iommufd_veventq_report to the VMM's iommufd_veventq_read by (vEVENTQ,
 * sequence), histograms per (context, vIOMMU, vEVENTQ, type); probe reads
 * throughout, as veventq->viommu is not a trusted pointer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "faultlat.h"
#include "bits.bpf.h"
#include "series.bpf.h"

#define MAX_INFLIGHT	16384
#define LAST_PAGE	(1 << 1)	/* IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE */
#define PGFAULT_SIZE	40		/* struct iommu_hwpt_pgfault */
#define RESPONSE_SIZE	8		/* struct iommu_hwpt_page_response */

const volatile __u64 targ_unit_ns = 1000;	/* bucket unit: us, ns (-N), ms (-m) */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct fl_key);
	__type(value, struct fl_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FL_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Reported, not yet answered: (dev, pasid, grpid). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_INFLIGHT);
	__type(key, struct fl_report_key);
	__type(value, struct fl_inflight);
} inflight SEC(".maps");

/* Fallback: read, not yet answered: (fault fd's file, cookie). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_INFLIGHT);
	__type(key, struct fl_cookie_key);
	__type(value, struct fl_inflight);
} cookies SEC(".maps");

/* Fallback: the fault fd a thread is reading, between enter and exit. */
struct fl_io {
	__u64 file;
	__u64 buf;
	__u64 ctx;	/* the fault fd's iommufd context */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct fl_io);
} reads SEC(".maps");

static struct fl_hist zero_hist;

static __always_inline void count(__u32 c)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &c);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline struct fl_hist *get_hist(const struct fl_inflight *f, __u32 path)
{
	struct fl_key key = {};
	struct device___s *dev;
	const char *name;
	struct fl_hist *h;

	key.ctx = f->ctx;
	key.dev_id = f->dev_id;
	key.pasid = f->pasid;
	key.path = path;
	h = bpf_map_lookup_elem(&hists, &key);
	if (h)
		return h;
	h = lookup_or_init(&hists, &key, &zero_hist);
	if (h) {
		/* a new key: the device's name, once */
		dev = (struct device___s *)f->devp;
		if (dev) {
			name = BPF_CORE_READ(dev, kobj.name);
			if (name)
				bpf_probe_read_kernel_str(h->dev, sizeof(h->dev), name);
		}
		h->fault_id = f->fault_id;
	}
	return h;
}

/* One sample into a histogram: its log2 slot (of @v units), count, ns sum. */
static __always_inline void hist_add(__u64 *slots, __u64 *count, __u64 *sum_ns, __u64 v,
				     __u64 ns)
{
	__sync_fetch_and_add(&slots[log2_slot(v, MAX_SLOTS)], 1);
	__sync_fetch_and_add(count, 1);
	__sync_fetch_and_add(sum_ns, ns);
}

static __always_inline void add(struct fl_hist *h, int stage, __u64 ns)
{
	if (stage < 0 || stage >= FL_NR_STAGES)
		return;
	hist_add(h->slots[stage], &h->count[stage], &h->sum_ns[stage], ns / targ_unit_ns, ns);
}

/* ---- tracepoint mode ---- */

SEC("tp_btf/iopf_report")
int BPF_PROG(iopf_report, struct device *dev, struct iopf_fault___s *evt)
{
	struct fl_report_key key = {};
	struct fl_inflight f = {};

	if (evt->fault.type != bpf_core_enum_value(enum iommu_fault_type___s, IOMMU_FAULT_PAGE_REQ___s))
		return 0;
	count(FL_C_REPORTS);
	if (!(evt->fault.prm.flags & LAST_PAGE))
		count(FL_C_PARTIAL);
	key.dev = (__u64)dev;
	key.pasid = evt->fault.prm.pasid;
	key.grpid = evt->fault.prm.grpid;
	f.report_ns = bpf_ktime_get_ns();
	f.pasid = key.pasid;
	f.devp = key.dev;
	/* the first request of a group starts its clock */
	if (bpf_map_update_elem(&inflight, &key, &f, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&inflight, &key))
		count(FL_C_DROPPED);
	return 0;
}

/* The in-flight entry of @group, NULL (and counted) if not tracked. */
static __always_inline struct fl_inflight *group_entry(struct iopf_group___s *group)
{
	struct fl_report_key key = {};
	struct fl_inflight *f;

	if (!group)	/* never NULL; a module's tracepoint: see series.bpf.h */
		return NULL;
	key.dev = (__u64)group->fault_param->dev;
	key.pasid = group->last_fault.fault.prm.pasid;
	key.grpid = group->last_fault.fault.prm.grpid;
	f = bpf_map_lookup_elem(&inflight, &key);
	if (!f)
		count(FL_C_UNTRACKED);
	return f;
}

SEC("tp_btf/iommufd_fault_queue")
int BPF_PROG(fault_queue, struct iommufd_fault___s *fault, struct iopf_group___s *group)
{
	struct iommufd_attach_handle___s *h;
	struct fl_inflight *f;

	if (!fault || !group)
		return 0;
	f = group_entry(group);
	if (!f)
		return 0;
	f->queue_ns = bpf_ktime_get_ns();
	/*
	 * Until the read says which dev_id user space gets: the attach
	 * handle's device (to_iommufd_handle(): iommufd's handle embeds the
	 * iommu one), read fault-safe, as it can be gone by now.
	 */
	h = (void *)group->attach_handle -
	    bpf_core_field_offset(struct iommufd_attach_handle___s, handle);
	f->dev_id = BPF_CORE_READ(h, idev, obj.id);
	f->fault_id = fault_obj_id(fault);
	f->ctx = fault_ctx(fault);
	return 0;
}

SEC("tp_btf/iommufd_fault_read")
int BPF_PROG(fault_read, struct iommufd_fault___s *fault, struct iopf_group___s *group,
	     __u32 dev_id)
{
	struct fl_inflight *f = group_entry(group);

	if (!f)
		return 0;
	f->dev_id = dev_id;	/* the ID in the records user space read */
	/* -p: read by another process: not timed (counted as untracked at the end) */
	if (!pid_filtered())
		f->read_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/iommufd_fault_respond")
int BPF_PROG(fault_respond, struct iommufd_fault___s *fault, struct iopf_group___s *group,
	     __u32 code, bool delivered)
{
	struct fl_inflight *f = group_entry(group);

	if (!f)
		return 0;
	f->respond_ns = bpf_ktime_get_ns();
	f->code = code;
	return 0;
}

SEC("tp_btf/iommufd_fault_auto_respond")
int BPF_PROG(fault_auto_respond, struct iommufd_fault___s *fault,
	     struct iopf_group___s *group, __u32 code, bool delivered)
{
	struct fl_report_key key = {};
	struct fl_inflight *f;
	struct fl_hist *h;

	if (!group)
		return 0;
	key.dev = (__u64)group->fault_param->dev;
	key.pasid = group->last_fault.fault.prm.pasid;
	key.grpid = group->last_fault.fault.prm.grpid;
	f = bpf_map_lookup_elem(&inflight, &key);
	if (!f) {
		count(FL_C_UNTRACKED);
		return 0;
	}
	/*
	 * -p: the kernel answers on a close or detach by the fault fd's owner,
	 * in its context: another process's loss is not ours to count.
	 */
	if (pid_filtered()) {
		count(FL_C_UNTRACKED);
		bpf_map_delete_elem(&inflight, &key);
		return 0;
	}
	h = get_hist(f, FL_PATH_IOMMUFD);
	if (h) {
		__sync_fetch_and_add(&h->lost, 1);
		if (delivered) {
			__sync_fetch_and_add(&h->lost_read, 1);
			__sync_fetch_and_add(&h->read, 1);
		}
	}
	/* iopf_response follows for this group: it finds nothing */
	bpf_map_delete_elem(&inflight, &key);
	return 0;
}

/* @b - @a into *@d; false (and counted) if the clock went backwards */
static __always_inline bool stage(__u64 a, __u64 b, __u64 *d)
{
	if ((__s64)(b - a) < 0) {
		count(FL_C_NEGATIVE);
		return false;
	}
	*d = b - a;
	return true;
}

static __always_inline void iommufd_done(struct fl_inflight *f, __u64 now)
{
	__u64 q, r, s, d, t;
	struct fl_hist *h;

	/* read by another process (-p), or read before we attached: skip */
	if (!f->read_ns || !f->respond_ns) {
		count(FL_C_UNTRACKED);
		return;
	}
	if (!stage(f->report_ns, f->queue_ns, &q) || !stage(f->queue_ns, f->read_ns, &r) ||
	    !stage(f->read_ns, f->respond_ns, &s) || !stage(f->respond_ns, now, &d) ||
	    !stage(f->report_ns, now, &t))
		return;
	h = get_hist(f, FL_PATH_IOMMUFD);
	if (!h)
		return;
	add(h, FL_QUEUE, q);
	add(h, FL_READ, r);
	add(h, FL_RESPOND, s);
	add(h, FL_DELIVER, d);
	add(h, FL_TOTAL, t);
	/* every recorded group was read: read counts them at completion */
	__sync_fetch_and_add(&h->read, 1);
	if (f->code)
		__sync_fetch_and_add(&h->invalid, 1);
}

SEC("tp_btf/iopf_response")
int BPF_PROG(iopf_response, struct device *dev, struct iopf_group___s *group,
	     struct iommu_page_response___s *resp)
{
	struct fl_report_key key = {};
	__u64 now = bpf_ktime_get_ns(), t;
	struct fl_inflight *f;
	struct fl_hist *h;

	key.dev = (__u64)dev;
	key.pasid = resp->pasid;
	key.grpid = resp->grpid;
	f = bpf_map_lookup_elem(&inflight, &key);
	if (!f)
		return 0;	/* auto-responded (counted there) or begun before we attached */
	if (f->queue_ns) {
		iommufd_done(f, now);
	} else if (pid_filtered()) {
		/*
		 * -p: not through iommufd, answered where it was reported (the
		 * handler's context): another process's fault, or no process's
		 */
		count(FL_C_UNTRACKED);
	} else if (stage(f->report_ns, now, &t)) {
		/* not through iommufd: another handler, or none (group NULL) */
		h = get_hist(f, group ? FL_PATH_OTHER : FL_PATH_NONE);
		if (h) {
			add(h, FL_TOTAL, t);
			if (resp->code)
				__sync_fetch_and_add(&h->invalid, 1);
		}
	}
	bpf_map_delete_elem(&inflight, &key);
	return 0;
}

/*
 * On 6.12 trace_prq_report() follows intel_prq_report(), which has already
 * reported the request to the core and run the handler: it is counted, it
 * cannot time a stage before iopf_report.
 */
SEC("tp_btf/prq_report")
int BPF_PROG(prq_report, struct intel_iommu *iommu, struct device *dev)
{
	count(FL_C_PRQ);
	return 0;
}

/* ---- vEVENTQs: report -> read (6.15 on; loaded where the events exist) ---- */

#define ENOMEM_	12

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VQ_MAX_KEYS);	/* 1 where not loaded (user space) */
	__type(key, struct fl_vq_key);
	__type(value, struct fl_vq_hist);
} vq_hists SEC(".maps");

/*
 * Reported, not read: LRU, so an event never read (its vEVENTQ destroyed
 * first) ages out; a read whose report was evicted is counted untimed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_INFLIGHT);
	__type(key, struct fl_vq_seq);
	__type(value, struct fl_vq_sent);
} vq_inflight SEC(".maps");

/*
 * -p/-c: the iommufd contexts of our processes, marked when one allocates
 * a vIOMMU or vEVENTQ or reads a vEVENTQ, dropped when the context is
 * released.  Reports come from the IOMMU driver's threads: their vIOMMU's
 * context says whose they are.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} vq_mine SEC(".maps");

static struct fl_vq_hist zero_vq;

static __always_inline void vq_claim(__u64 ctx)
{
	__u8 one = 1;

	if ((filter_tgid || filter_cg) && !pid_filtered() && !bpf_map_lookup_elem(&vq_mine, &ctx))
		bpf_map_update_elem(&vq_mine, &ctx, &one, BPF_ANY);
}

static __always_inline bool vq_ours(__u64 ctx)
{
	return !(filter_tgid || filter_cg) || bpf_map_lookup_elem(&vq_mine, &ctx);
}

/* The row of (@ctx, the vIOMMU, @veventq_id, @type); probe reads. */
static __always_inline struct fl_vq_hist *vq_hist(__u64 ctx, struct iommufd_viommu___s *viommu,
						  __u32 veventq_id, __u32 type)
{
	struct fl_vq_key key = {};
	struct fl_vq_hist *h;

	key.ctx = ctx;
	key.viommu_id = BPF_CORE_READ(viommu, obj.id);
	key.veventq_id = veventq_id;
	key.type = type;
	h = lookup_or_init(&vq_hists, &key, &zero_vq);
	if (!h)
		count(FL_C_VQ_DROPPED);
	return h;
}

/* What a report or a read sees of the vEVENTQ: its size, type and fill. */
static __always_inline void vq_note(struct fl_vq_hist *h, struct iommufd_veventq___s *veventq)
{
	__u32 pending = BPF_CORE_READ(veventq, num_events);

	h->depth = BPF_CORE_READ(veventq, depth);
	h->type = BPF_CORE_READ(veventq, type);
	if (pending > h->max_pending)	/* under the vEVENTQ's lock: exact */
		h->max_pending = pending;
}

SEC("tp_btf/iommufd_viommu_alloc")
int BPF_PROG(vq_viommu_alloc, void *ictx, void *cmd, int ret)
{
	vq_claim((__u64)ictx);
	return 0;
}

SEC("tp_btf/iommufd_veventq_alloc")
int BPF_PROG(vq_veventq_alloc, void *ictx, void *cmd, int ret)
{
	vq_claim((__u64)ictx);
	return 0;
}

/* The release of an iommufd file destroys its objects with closing set. */
SEC("tp_btf/iommufd_object_destroy")
int BPF_PROG(vq_ctx_release, void *ictx, void *obj, bool closing)
{
	__u64 key = (__u64)ictx;

	if (closing)
		bpf_map_delete_elem(&vq_mine, &key);
	return 0;
}

/*
 * Emitted under the vEVENTQ's lock once @vevent (or the lost-events header
 * that replaces a dropped event) is queued; @veventq and @vevent are NULL
 * when the vIOMMU has no vEVENTQ of @type.  Built-in code: @viommu is
 * trusted, the test is the series.bpf.h rule for every pointer.
 */
SEC("tp_btf/iommufd_veventq_report")
int BPF_PROG(veventq_report, struct iommufd_viommu___s *viommu,
	     struct iommufd_veventq___s *veventq, struct iommufd_vevent___s *vevent, __u32 type,
	     __u64 data_len, int ret)
{
	struct fl_vq_sent sent = { .ns = bpf_ktime_get_ns() };
	struct fl_vq_seq seq = {};
	struct fl_vq_hist *h;
	__u64 file;

	if (!viommu)
		return 0;
	file = (__u64)BPF_CORE_READ(viommu, ictx);
	if (!vq_ours(file))
		return 0;
	sent.veventq_id = veventq ? BPF_CORE_READ(veventq, common.obj.id) : 0;
	h = vq_hist(file, viommu, sent.veventq_id, type);
	if (!h)
		return 0;
	__sync_fetch_and_add(&h->reported, 1);
	h->type = type;
	if (!veventq || !vevent)
		return 0;
	vq_note(h, veventq);
	if (BPF_CORE_READ(vevent, header.flags) & VEVENT_LOST_EVENTS) {
		__sync_fetch_and_add(&h->lost, 1);
		if (ret == -ENOMEM_)
			__sync_fetch_and_add(&h->lost_nomem, 1);
		return 0;
	}
	seq.veventq = (__u64)veventq;
	seq.sequence = BPF_CORE_READ(vevent, header.sequence);
	bpf_map_update_elem(&vq_inflight, &seq, &sent, BPF_ANY);
	return 0;
}

SEC("tp_btf/iommufd_veventq_read")
int BPF_PROG(veventq_read, struct iommufd_veventq___s *veventq, struct iommufd_vevent___s *vevent)
{
	__u64 now = bpf_ktime_get_ns(), file;
	struct iommufd_viommu___s *viommu;
	struct fl_vq_seq seq = {};
	struct fl_vq_sent *sent;
	struct fl_vq_hist *h;
	__u32 id;

	if (!veventq || !vevent || pid_filtered())
		return 0;
	viommu = BPF_CORE_READ(veventq, viommu);
	file = (__u64)BPF_CORE_READ(viommu, ictx);
	vq_claim(file);
	id = BPF_CORE_READ(veventq, common.obj.id);
	h = vq_hist(file, viommu, id, BPF_CORE_READ(veventq, type));
	if (!h)
		return 0;
	vq_note(h, veventq);
	if (BPF_CORE_READ(vevent, header.flags) & VEVENT_LOST_EVENTS) {
		__sync_fetch_and_add(&h->lost_read, 1);
		return 0;
	}
	__sync_fetch_and_add(&h->read, 1);
	seq.veventq = (__u64)veventq;
	seq.sequence = BPF_CORE_READ(vevent, header.sequence);
	sent = bpf_map_lookup_elem(&vq_inflight, &seq);
	if (!sent || sent->veventq_id != id || now < sent->ns) {
		__sync_fetch_and_add(&h->untimed, 1);
	} else {
		now -= sent->ns;
		hist_add(h->slots, &h->count, &h->sum_ns, now / targ_unit_ns, now);
	}
	if (sent)
		bpf_map_delete_elem(&vq_inflight, &seq);
	return 0;
}

/* ---- fallback: read()/write() of a fault fd ---- */

static const char fault_fd_name[FAULT_FD_NAME_LEN] = "[iommufd-pgfault]";

/* The struct file * of @fd if it is an iommufd fault fd, else 0. */
static __always_inline __u64 fault_file(long fd)
{
	struct file___s *file = current_file(fd);
	char name[FAULT_FD_NAME_LEN];
	const unsigned char *dn;
	int i;

	if (!file)
		return 0;
	dn = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel_str(name, sizeof(name), dn) != FAULT_FD_NAME_LEN)
		return 0;
	for (i = 0; i < FAULT_FD_NAME_LEN; i++)
		if (name[i] != fault_fd_name[i])
			return 0;
	return (__u64)file;
}

static __always_inline int read_enter(long fd, __u64 buf)
{
	struct file___s *file;
	struct fl_io io = {};
	__u32 tid;

	if (pid_filtered())
		return 0;
	io.file = fault_file(fd);
	if (!io.file)
		return 0;
	io.buf = buf;
	/* the fd's fault object (7.x: its eventq, the first member) -> its context */
	file = (struct file___s *)io.file;
	io.ctx = fault_ctx(BPF_CORE_READ(file, private_data));
	tid = cur_tid();
	bpf_map_update_elem(&reads, &tid, &io, BPF_ANY);
	return 0;
}

/* struct iommu_hwpt_pgfault, the members read here */
struct pgfault_rec {
	__u32 flags, dev_id, pasid, grpid, perm, reserved;
	__u64 addr;
	__u32 length, cookie;
};

static __always_inline int read_exit(long ret)
{
	__u32 tid = cur_tid();
	struct fl_cookie_key ck = {};
	struct fl_inflight f = {};
	struct pgfault_rec rec;
	struct fl_io *io;
	struct fl_hist *h;
	__u64 now;
	__u64 n;
	int i;

	io = bpf_map_lookup_elem(&reads, &tid);
	if (!io)
		return 0;
	n = ret > 0 ? (__u64)ret / PGFAULT_SIZE : 0;
	now = bpf_ktime_get_ns();
	ck.file = io->file;
	for (i = 0; i < MAX_BATCH && i < n; i++) {
		if (bpf_probe_read_user(&rec, sizeof(rec), (void *)(io->buf + i * PGFAULT_SIZE)))
			break;
		ck.cookie = rec.cookie;
		/* the faults of one group share its cookie: the first counts */
		if (bpf_map_lookup_elem(&cookies, &ck))
			continue;
		f.read_ns = now;
		f.dev_id = rec.dev_id;
		f.pasid = rec.pasid;
		f.ctx = io->ctx;	/* one fault fd per fault object */
		if (bpf_map_update_elem(&cookies, &ck, &f, BPF_NOEXIST)) {
			count(FL_C_DROPPED);
			continue;
		}
		h = get_hist(&f, FL_PATH_USER);
		if (h)
			__sync_fetch_and_add(&h->read, 1);
	}
	bpf_map_delete_elem(&reads, &tid);
	return 0;
}

static __always_inline int write_enter(long fd, __u64 buf, __u64 len)
{
	struct fl_cookie_key ck = {};
	struct fl_inflight *f;
	struct fl_hist *h;
	__u32 resp[2];		/* cookie, code */
	__u64 now, d;
	int i;

	if (pid_filtered())
		return 0;
	ck.file = fault_file(fd);
	if (!ck.file)
		return 0;
	now = bpf_ktime_get_ns();
	for (i = 0; i < MAX_BATCH && i < len / RESPONSE_SIZE; i++) {
		if (bpf_probe_read_user(resp, sizeof(resp), (void *)(buf + i * RESPONSE_SIZE)))
			break;
		ck.cookie = resp[0];
		f = bpf_map_lookup_elem(&cookies, &ck);
		if (!f) {
			count(FL_C_UNTRACKED);
			continue;
		}
		if (stage(f->read_ns, now, &d)) {
			h = get_hist(f, FL_PATH_USER);
			if (h) {
				add(h, FL_RESPOND, d);
				if (resp[1])
					__sync_fetch_and_add(&h->invalid, 1);
			}
		}
		bpf_map_delete_elem(&cookies, &ck);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int sys_enter_read(struct trace_event_raw_sys_enter___s *ctx)
{
	return read_enter(ctx->args[0], ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_exit_read")
int sys_exit_read(struct trace_event_raw_sys_exit___s *ctx)
{
	return read_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_write")
int sys_enter_write(struct trace_event_raw_sys_enter___s *ctx)
{
	return write_enter(ctx->args[0], ctx->args[1], ctx->args[2]);
}

char LICENSE[] SEC("license") = "GPL";
