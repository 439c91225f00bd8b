/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioasid-top's device view in the kernel: per-device (and per-PASID)
 * attach state, and the vIOMMUs with their vDEVICEs, vEVENTQs,
 * invalidations and events for the VMM.  Included by ioasid-top.bpf.c
 * only (after rows.bpf.h); none of this is on the map/unmap path.
 */
#ifndef __IOASID_TOP_DEVS_BPF_H
#define __IOASID_TOP_DEVS_BPF_H

#include "bits.bpf.h"
#include "series.bpf.h"
#include "ioasid-top.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TOP_MAX_DEVS);
	__type(key, struct top_dev_key);
	__type(value, struct top_dev);
} devs SEC(".maps");

static struct top_dev zero_dev;

/* ---- device attach state ---- */

static __always_inline struct top_dev *dev_entry(__u64 ctx, __u32 backend, __u32 id, __u32 pasid)
{
	struct top_dev_key k = { .ctx = ctx, .backend = backend, .id = id, .pasid = pasid };
	struct top_dev *d = lookup_or_init(&devs, &k, &zero_dev);

	if (!d)
		other_add(TOP_OTHER_DROPPED, 1);
	return d;
}

static __always_inline void dev_touch(struct top_dev *d, int ret)
{
	d->last_ns = bpf_ktime_get_ns();
	d->last_ret = ret;
	d->tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(d->comm, sizeof(d->comm));
}

/* One entry per device and PASID: a PASID's detach leaves the RID's state. */
static __always_inline int idev_event(const struct iommufd_device___s *idev, __u32 pasid,
				      __u32 pt_id, int ret, int what)
{
	struct top_dev *d;
	const char *name;

	if (!idev)
		return 0;
	d = dev_entry((__u64)BPF_CORE_READ(idev, ictx), TOP_IOMMUFD, idev->obj.id, pasid);
	if (!d)
		return 0;
	dev_touch(d, ret);
	name = BPF_CORE_READ(idev, dev, kobj.name);
	if (name)
		bpf_probe_read_kernel_str(d->name, sizeof(d->name), name);
	d->pt_id = pt_id;
	if (ret) {
		d->failures++;
		return 0;
	}
	switch (what) {
	case 0:
		d->attaches++;
		d->attached = 1;
		break;
	case 1:
		d->replaces++;
		d->attached = 1;
		break;
	default:
		d->detaches++;
		d->attached = 0;
	}
	return 0;
}

SEC("tp_btf/iommufd_device_attach")
int BPF_PROG(dev_attach, const struct iommufd_device___s *idev, __u32 pasid, __u32 pt_id,
	     int ret)
{
	return idev_event(idev, pasid, pt_id, ret, 0);
}

SEC("tp_btf/iommufd_device_replace")
int BPF_PROG(dev_replace, const struct iommufd_device___s *idev, __u32 pasid, __u32 pt_id,
	     int ret)
{
	return idev_event(idev, pasid, pt_id, ret, 1);
}

SEC("tp_btf/iommufd_device_detach")
int BPF_PROG(dev_detach, const struct iommufd_device___s *idev, __u32 pasid, __u32 pt_id,
	     int ret)
{
	return idev_event(idev, pasid, pt_id, ret, 2);
}

static __always_inline int group_event(struct vfio_iommu *iommu, struct iommu_group___s *group,
				       int ret, bool attach)
{
	struct top_dev *d;

	if (!group)
		return 0;
	d = dev_entry(0, TOP_TYPE1, BPF_CORE_READ(group, id), 0);
	if (!d)
		return 0;
	dev_touch(d, ret);
	d->container = (__u64)iommu;
	if (ret) {
		d->failures++;
		return 0;
	}
	if (attach) {
		d->attaches++;
		d->attached = 1;
	} else {
		d->detaches++;
		d->attached = 0;
	}
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_attach_group")
int BPF_PROG(t1_attach, struct vfio_iommu *iommu, struct iommu_group___s *group, int ret)
{
	return group_event(iommu, group, ret, true);
}

SEC("tp_btf/vfio_iommu_type1_detach_group")
int BPF_PROG(t1_detach, struct vfio_iommu *iommu, struct iommu_group___s *group, int ret)
{
	return group_event(iommu, group, ret, false);
}

/* ---- vIOMMUs (6.13 on) ---- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TOP_MAX_VIOMMUS);
	__type(key, struct top_viommu_key);
	__type(value, struct top_viommu);
} viommus SEC(".maps");

/*
 * tgid << 32 | vIOMMU id -> its context: IOMMU_HWPT_INVALIDATE names a
 * vIOMMU by id only, in the process.  LRU: a close in a kworker leaves
 * its entries.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TOP_MAX_VIOMMUS);
	__type(key, __u64);
	__type(value, __u64);
} viommu_ctx SEC(".maps");	/* user space sweeps the gone processes' */

static struct top_viommu zero_viommu;

/*
 * The vIOMMU's entry; @create for the events that can come first when
 * ioasid-top started after the vIOMMU's alloc (its process then unknown).
 */
static __always_inline struct top_viommu *viommu_entry(__u64 ctx, __u32 id, bool create)
{
	struct top_viommu_key k = { .ctx = ctx, .id = id };
	struct top_viommu *v;

	if (!create)
		return bpf_map_lookup_elem(&viommus, &k);
	v = lookup_or_init(&viommus, &k, &zero_viommu);
	if (!v)
		other_add(TOP_OTHER_DROPPED, 1);
	return v;
}

/* A destroyed vIOMMU under @k (its id, in a reused context) keeps its counts. */
static __always_inline void retire(const struct top_viommu_key *k)
{
	struct top_viommu *old = bpf_map_lookup_elem(&viommus, k);
	struct top_viommu_key rk = *k;

	if (!old || !old->destroyed_ns)
		return;
	rk.retired = (__u32)old->destroyed_ns | 1;
	if (bpf_map_update_elem(&viommus, &rk, old, BPF_NOEXIST))
		other_add(TOP_OTHER_DROPPED, 1);
}

SEC("tp_btf/iommufd_viommu_alloc")
int BPF_PROG(viommu_alloc, void *ictx, const struct iommu_viommu_alloc___s *cmd, int ret)
{
	struct top_viommu_key k = { .ctx = (__u64)ictx };
	struct top_viommu v = {};
	__u64 hk, file = (__u64)ictx;
	__u32 ioas;

	if (ret || !cmd)	/* a failed alloc has no id to show */
		return 0;
	k.id = cmd->out_viommu_id;
	v.alloc_ns = bpf_ktime_get_ns();
	v.tgid = bpf_get_current_pid_tgid() >> 32;
	v.type = cmd->type;
	v.dev_id = cmd->dev_id;
	v.hwpt_id = cmd->hwpt_id;
	v.ioas = ioas = ioas_of_hwpt(cmd->hwpt_id);
	process_comm(v.comm, sizeof(v.comm));
	retire(&k);
	if (bpf_map_update_elem(&viommus, &k, &v, BPF_ANY))
		other_add(TOP_OTHER_DROPPED, 1);
	hk = hwpt_key(k.id);
	bpf_map_update_elem(&viommu_ctx, &hk, &file, BPF_ANY);
	/* nested HWPTs on it and its invalidations count on the parent's IOAS */
	bpf_map_update_elem(&hwpt_ioas, &hk, &ioas, BPF_ANY);
	return 0;
}

/* A vDEVICE, or a vEVENTQ of @depth, allocated on the vIOMMU @viommu_id. */
static __always_inline void viommu_child(void *ictx, __u32 viommu_id, bool veventq,
					 __u32 depth)
{
	struct top_viommu *v = viommu_entry((__u64)ictx, viommu_id, true);

	if (!v)
		return;
	if (!veventq) {
		__sync_fetch_and_add(&v->vdevices, 1);
		__sync_fetch_and_add(&v->vdevice_allocs, 1);
		return;
	}
	__sync_fetch_and_add(&v->veventqs, 1);
	__sync_fetch_and_add(&v->veventq_allocs, 1);
	v->depth = depth;
}

SEC("tp_btf/iommufd_vdevice_alloc")
int BPF_PROG(vdevice_alloc, void *ictx, const struct iommu_vdevice_alloc___s *cmd, int ret)
{
	if (!ret && cmd)
		viommu_child(ictx, cmd->viommu_id, false, 0);
	return 0;
}

SEC("tp_btf/iommufd_veventq_alloc")
int BPF_PROG(veventq_alloc, void *ictx, const struct iommu_veventq_alloc___s *cmd, int ret)
{
	if (!ret && cmd)
		viommu_child(ictx, cmd->viommu_id, true, cmd->veventq_depth);
	return 0;
}

/*
 * IOMMU_HWPT_INVALIDATE with a vIOMMU's id (@id: the command's hwpt_id).
 * The event has no context, so the vIOMMU is the one of that id the
 * process allocated last: a VMM with two /dev/iommu files whose ids
 * collide counts both on that one.
 */
static __always_inline void viommu_invalidated(__u32 id, __u32 done_num, int ret)
{
	__u64 hk = hwpt_key(id), *ctx = bpf_map_lookup_elem(&viommu_ctx, &hk);
	struct top_viommu *v;

	if (!ctx)
		return;
	v = viommu_entry(*ctx, id, true);
	if (!v || v->destroyed_ns)
		return;
	if (ret < 0)
		__sync_fetch_and_add(&v->inval_errors, 1);
	else
		__sync_fetch_and_add(&v->invals, 1);
	__sync_fetch_and_add(&v->inval_entries, done_num);
}

/*
 * In the driver's context, not the VMM's: the vIOMMU's ictx keys it.
 * @veventq and @vevent are NULL when it has no vEVENTQ of @type; @vevent
 * is the lost-events header when the event was dropped.
 */
SEC("tp_btf/iommufd_veventq_report")
int BPF_PROG(top_veventq_report, struct iommufd_viommu___s *viommu,
	     struct iommufd_veventq___s *veventq, struct iommufd_vevent___s *vevent, __u32 type,
	     __u64 data_len, int ret)
{
	struct top_viommu *v;

	if (!viommu)
		return 0;
	v = viommu_entry((__u64)BPF_CORE_READ(viommu, ictx), BPF_CORE_READ(viommu, obj.id),
			 true);
	if (!v)
		return 0;
	if (!veventq || !vevent) {
		__sync_fetch_and_add(&v->vevents_noq, 1);
		return 0;
	}
	v->depth = BPF_CORE_READ(veventq, depth);
	v->pending = BPF_CORE_READ(veventq, num_events);
	if (BPF_CORE_READ(vevent, header.flags) & VEVENT_LOST_EVENTS)
		__sync_fetch_and_add(&v->vevents_lost, 1);
	else if (!ret)
		__sync_fetch_and_add(&v->vevents, 1);
	return 0;
}

SEC("tp_btf/iommufd_veventq_read")
int BPF_PROG(top_veventq_read, struct iommufd_veventq___s *veventq,
	     struct iommufd_vevent___s *vevent)
{
	struct iommufd_viommu___s *viommu;
	struct top_viommu *v;

	if (!veventq || !vevent)
		return 0;
	viommu = BPF_CORE_READ(veventq, viommu);
	v = viommu_entry((__u64)BPF_CORE_READ(viommu, ictx), BPF_CORE_READ(viommu, obj.id),
			 true);
	if (!v)
		return 0;
	v->pending = BPF_CORE_READ(veventq, num_events);
	if (BPF_CORE_READ(vevent, header.flags) & VEVENT_LOST_EVENTS)
		__sync_fetch_and_add(&v->lost_reads, 1);
	else
		__sync_fetch_and_add(&v->vevent_reads, 1);
	return 0;
}

/*
 * From iommufd_object_destroy: a vIOMMU is marked gone (user space drops
 * it once shown), its vDEVICEs and vEVENTQs are counted down.
 */
static __always_inline void viommu_obj_gone(void *ictx, const struct iommufd_object___s *obj)
{
	enum iommufd_object_type___s type;
	struct iommufd_viommu___s *viommu;
	struct top_viommu *v;
	__u64 hk;

	if (!bpf_core_enum_value_exists(enum iommufd_object_type___s, IOMMUFD_OBJ_VIOMMU___s))
		return;		/* before 6.13 */
	type = BPF_CORE_READ(obj, type);
	if (type == bpf_core_enum_value(enum iommufd_object_type___s, IOMMUFD_OBJ_VIOMMU___s)) {
		v = viommu_entry((__u64)ictx, BPF_CORE_READ(obj, id), false);
		if (v)
			v->destroyed_ns = bpf_ktime_get_ns();
		hk = hwpt_key(BPF_CORE_READ(obj, id));
		bpf_map_delete_elem(&viommu_ctx, &hk);
		return;
	}
	if (type == bpf_core_enum_value(enum iommufd_object_type___s, IOMMUFD_OBJ_VDEVICE___s))
		viommu = BPF_CORE_READ((struct iommufd_vdevice___s *)obj, viommu);
	else if (bpf_core_enum_value_exists(enum iommufd_object_type___s, IOMMUFD_OBJ_VEVENTQ___s) &&
		 type == bpf_core_enum_value(enum iommufd_object_type___s, IOMMUFD_OBJ_VEVENTQ___s))
		viommu = BPF_CORE_READ((struct iommufd_veventq___s *)obj, viommu);
	else
		return;
	v = viommu_entry((__u64)ictx, BPF_CORE_READ(viommu, obj.id), false);
	if (!v)
		return;
	if (type == bpf_core_enum_value(enum iommufd_object_type___s, IOMMUFD_OBJ_VDEVICE___s)) {
		if (v->vdevices)
			__sync_fetch_and_add(&v->vdevices, -1);	/* no 32-bit sub before -mcpu=v3 */
	} else if (v->veventqs) {
		__sync_fetch_and_add(&v->veventqs, -1);
	}
}

#endif /* __IOASID_TOP_DEVS_BPF_H */
