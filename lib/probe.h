/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel offers a BPF tool, probed rather than guessed
 * from its version: can we use BPF at all, which tracepoints a tp_btf
 * program can attach to (BTF), which trace events exist (tracefs).
 * Links with -lbpf.
 */
#ifndef IOASID_LIB_PROBE_H
#define IOASID_LIB_PROBE_H

#include <stddef.h>

/*
 * 0 if this process can load BPF tracing programs; otherwise -errno and
 * one line for the user in @why: missing privileges (checked first, from
 * the capabilities), no BTF, or a kernel that refuses a tracing program.
 */
int probe_bpf(char *why, size_t len);
/*
 * 1 if the kernel (vmlinux or a module) has BTF for tracepoint @name
 * (a btf_trace_<name> type), i.e. a tp_btf program can attach; 0 if not.
 */
int probe_tp_btf(const char *name);
/* Arguments of tracepoint @name's TP_PROTO from its BTF, or -1 without it. */
int probe_tp_nargs(const char *name);
/*
 * The BTF kind (BTF_KIND_PTR, _INT, _ENUM, ...) of argument @idx (from 0)
 * of @name's TP_PROTO, typedefs and qualifiers skipped; -1 without it.
 */
int probe_tp_arg_kind(const char *name, int idx);
/*
 * 1 if the kernel (vmlinux or a module) has BTF for function @name, i.e.
 * an fentry/fexit program can attach (if it is not inlined away); 0 if not.
 */
int probe_btf_func(const char *name);
/*
 * A tracepoint of the series for tp_btf, as the tools' mode choice sees it.
 * PROBE_TP_OK: it has BTF.  On a kernel with the series (the iommu core's
 * PROBE_SERIES_MARKER event), when the module it lives in (iommufd,
 * vfio_iommu_type1) is the reason: PROBE_TP_UNLOADED the module is not
 * loaded; PROBE_TP_NOT_BUILT this kernel has no such module (modules.dep);
 * PROBE_TP_NO_MODULE_BTF it is loaded without BTF
 * (CONFIG_DEBUG_INFO_BTF_MODULES=n).  PROBE_TP_OLD_PROTO: the event is
 * there with the prototype of an earlier version of the series (v1's end
 * events with start_ns, v2's IOAS events with the ioctl command),
 * which the tools do not read.  PROBE_TP_MISSING otherwise (no series, or
 * built in without the event).
 */
enum {
	PROBE_TP_MISSING,
	PROBE_TP_OK,
	PROBE_TP_UNLOADED,
	PROBE_TP_NOT_BUILT,
	PROBE_TP_NO_MODULE_BTF,
	PROBE_TP_OLD_PROTO,
};
#define PROBE_SERIES_MARKER "iotlb_sync"
int probe_tp_state(const char *tp);
/*
 * The module tracepoint @tp lives in when its subsystem is built as one
 * ("iommufd", "vfio_iommu_type1"), and the backend's name in @backend
 * (may be NULL); NULL for the iommu core's events, which are built in.
 */
const char *probe_tp_module(const char *tp, const char **backend);
/* 1 if @module is loaded as a module (/sys/module/<m>/initstate). */
int probe_module_loaded(const char *module);
/* Release the BTF probe_tp_btf(), probe_tp_state() and probe_btf_func() cached. */
void probe_free(void);

#endif
