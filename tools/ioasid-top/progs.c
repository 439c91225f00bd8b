// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-top: the BPF object and which of its programs run.  Tracepoint
 * mode needs the series' map/unmap events and takes its other events where
 * present; without them, the fallback decodes the ioctl syscalls.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include <bpf/libbpf.h>

#include "bpftool.h"
#include "dmaioctl.h"
#include "probe.h"
#include "top.h"
#include "util.h"
#include "ioasid-top.skel.h"

const char *const mode_names[] = { "tracepoints", "fallback (syscalls)",
				   "fallback (raw_syscalls)" };
const char *const mode_json[] = { "tracepoints", "syscalls", "raw_syscalls" };

enum role { ROLE_TP, ROLE_TP_OPT, ROLE_SYSCALLS, ROLE_RAW };

#define MAX_PROGS 48

struct prog_desc {
	struct bpf_program *prog;
	const char *tp;
	enum role role;
};

static size_t prog_table(struct ioasid_top_bpf *o, struct prog_desc *t)
{
	const struct prog_desc d[] = {
		/* the map/unmap path: all needed for tracepoint mode */
		{ o->progs.map_start, "iommufd_ioas_map_start", ROLE_TP },
		{ o->progs.unmap_start, "iommufd_ioas_unmap_start", ROLE_TP },
		{ o->progs.copy_start, "iommufd_ioas_copy_start", ROLE_TP },
		{ o->progs.map_end, "iommufd_ioas_map", ROLE_TP },
		{ o->progs.unmap_end, "iommufd_ioas_unmap", ROLE_TP },
		{ o->progs.copy_end, "iommufd_ioas_copy", ROLE_TP },
		{ o->progs.t1_map_start, "vfio_iommu_type1_dma_map_start", ROLE_TP },
		{ o->progs.t1_unmap_start, "vfio_iommu_type1_dma_unmap_start", ROLE_TP },
		{ o->progs.t1_map_end, "vfio_iommu_type1_dma_map", ROLE_TP },
		{ o->progs.t1_unmap_end, "vfio_iommu_type1_dma_unmap", ROLE_TP },
		/* the rest: used when present */
		{ o->progs.pin, "iommufd_pages_pin", ROLE_TP_OPT },
		{ o->progs.unpin, "iommufd_pages_unpin", ROLE_TP_OPT },
		{ o->progs.t1_pin, "vfio_iommu_type1_pin_pages", ROLE_TP_OPT },
		{ o->progs.t1_unpin, "vfio_iommu_type1_unpin_pages", ROLE_TP_OPT },
		{ o->progs.iotlb_sync, "iotlb_sync", ROLE_TP_OPT },
		{ o->progs.flush_all, "flush_iotlb_all", ROLE_TP_OPT },
		{ o->progs.hwpt_alloc, "iommufd_hwpt_alloc", ROLE_TP_OPT },
		{ o->progs.obj_destroy, "iommufd_object_destroy", ROLE_TP_OPT },
		{ o->progs.hwpt_inval, "iommufd_hwpt_invalidate", ROLE_TP_OPT },
		{ o->progs.fault_queue, "iommufd_fault_queue", ROLE_TP_OPT },
		{ o->progs.fault_respond, "iommufd_fault_respond", ROLE_TP_OPT },
		{ o->progs.fault_auto, "iommufd_fault_auto_respond", ROLE_TP_OPT },
		{ o->progs.dev_attach, "iommufd_device_attach", ROLE_TP_OPT },
		{ o->progs.dev_replace, "iommufd_device_replace", ROLE_TP_OPT },
		{ o->progs.dev_detach, "iommufd_device_detach", ROLE_TP_OPT },
		{ o->progs.t1_attach, "vfio_iommu_type1_attach_group", ROLE_TP_OPT },
		{ o->progs.t1_detach, "vfio_iommu_type1_detach_group", ROLE_TP_OPT },
		{ o->progs.dirty_bitmap, "iommufd_hwpt_get_dirty_bitmap", ROLE_TP_OPT },
		{ o->progs.t1_dirty_bitmap, "vfio_iommu_type1_dirty_bitmap", ROLE_TP_OPT },
		{ o->progs.access_pin, "iommufd_access_pin_pages", ROLE_TP_OPT },
		{ o->progs.access_rw, "iommufd_access_rw", ROLE_TP_OPT },
		{ o->progs.t1_ext_pin, "vfio_iommu_type1_ext_pin_pages", ROLE_TP_OPT },
		{ o->progs.t1_dma_rw, "vfio_iommu_type1_dma_rw", ROLE_TP_OPT },
		{ o->progs.viommu_alloc, "iommufd_viommu_alloc", ROLE_TP_OPT },
		{ o->progs.vdevice_alloc, "iommufd_vdevice_alloc", ROLE_TP_OPT },
		{ o->progs.veventq_alloc, "iommufd_veventq_alloc", ROLE_TP_OPT },
		{ o->progs.top_veventq_report, "iommufd_veventq_report", ROLE_TP_OPT },
		{ o->progs.top_veventq_read, "iommufd_veventq_read", ROLE_TP_OPT },
		{ o->progs.sys_enter_ioctl, NULL, ROLE_SYSCALLS },
		{ o->progs.sys_exit_ioctl, NULL, ROLE_SYSCALLS },
		{ o->progs.raw_sys_enter, NULL, ROLE_RAW },
		{ o->progs.raw_sys_exit, NULL, ROLE_RAW },
	};

	_Static_assert(ARRAY_SIZE(d) <= MAX_PROGS, "prog_table: raise MAX_PROGS");
	memcpy(t, d, sizeof(d));
	return ARRAY_SIZE(d);
}

struct bpftool_tps progs_tps;

static int choose_mode(const struct prog_desc *t, size_t n, bool fallback)
{
	size_t i;

	/* a backend whose module is absent is left out (lib/bpftool.h) */
	for (i = 0; i < n; i++)
		if (t[i].role == ROLE_TP)
			bpftool_tp_tally(&progs_tps, t[i].tp);
	if (bpftool_tp_mode(&progs_tps) && !fallback)
		return MODE_TP;
	switch (bpftool_ioctl_events()) {
	case BPFTOOL_SYSCALLS:
		return MODE_SYSCALLS;
	case BPFTOOL_RAW_SYSCALLS:
		return MODE_RAW_SYSCALLS;
	}
	return -1;
}

static char missing_tps[512];

static void select_progs(const struct prog_desc *t, size_t n, int mode)
{
	size_t i, l = 0;
	bool on;
	int st;

	for (i = 0; i < n; i++) {
		switch (t[i].role) {
		case ROLE_TP:
			on = mode == MODE_TP && bpftool_tp_state(t[i].tp) == PROBE_TP_OK;
			break;
		case ROLE_TP_OPT:
			st = mode == MODE_TP ? bpftool_tp_state(t[i].tp) : PROBE_TP_MISSING;
			on = mode == MODE_TP && st == PROBE_TP_OK;
			if (mode == MODE_TP && (st == PROBE_TP_MISSING || st == PROBE_TP_NO_MODULE_BTF ||
						st == PROBE_TP_OLD_PROTO))
				l += snprintf(missing_tps + l, sizeof(missing_tps) - l, "%s%s",
					      l ? ", " : "", t[i].tp);
			break;
		case ROLE_SYSCALLS:
			on = mode == MODE_SYSCALLS;
			break;
		default:
			on = mode == MODE_RAW_SYSCALLS;
		}
		if (l >= sizeof(missing_tps))
			l = sizeof(missing_tps) - 1;
		bpf_program__set_autoload(t[i].prog, on);
	}
}

static void configure_ioctls(struct ioasid_top_bpf *o)
{
	_Static_assert(DMAIOCTL_N == TOP_IOCTLS, "TOP_IOCTLS");
	_Static_assert((int)DMAIOCTL_IOMMUFD == (int)TOP_IOMMUFD &&
		       (int)DMAIOCTL_TYPE1 == (int)TOP_TYPE1 && (int)DMAIOCTL_MAP == (int)TOP_MAP &&
		       (int)DMAIOCTL_UNMAP == (int)TOP_UNMAP && (int)DMAIOCTL_COPY == (int)TOP_COPY,
		       "enums");
	DMAIOCTL_FILL(o->rodata->ioctls, TOP_ID_FD);
	o->rodata->targ_nr_ioctl = SYS_ioctl;
	o->rodata->targ_page_shift = bpftool_page_shift();
}

struct ioasid_top_bpf *progs_load(bool fallback, int *mode, const char **missing, int *err)
{
	struct ioasid_top_bpf *obj = ioasid_top_bpf__open();
	struct prog_desc progs[MAX_PROGS];
	size_t nprogs;

	*err = bpftool_opened(obj);
	if (*err)
		return NULL;
	nprogs = prog_table(obj, progs);
	*mode = choose_mode(progs, nprogs, fallback);
	if (*mode < 0) {
		*err = bpftool_no_events();
		goto fail;
	}
	select_progs(progs, nprogs, *mode);
	/*
	 * The vEVENTQ report is in driver.c, built in when iommufd is a module:
	 * without iommufd's destroy event its vIOMMUs would never leave.
	 */
	if (!bpf_program__autoload(obj->progs.obj_destroy)) {
		bpf_program__set_autoload(obj->progs.top_veventq_report, false);
		bpf_program__set_autoload(obj->progs.top_veventq_read, false);
	}
	configure_ioctls(obj);
	/* no -c here (-p and --comm are view filters): bits.bpf.h's map unused */
	bpftool_cgroup_map(obj->maps.cgroup_map, NULL);	/* cannot fail */
	*err = bpftool_load_attach(obj->skeleton);
	if (*err)
		goto fail;
	*missing = missing_tps;
	return obj;
fail:
	ioasid_top_bpf__destroy(obj);
	return NULL;
}
