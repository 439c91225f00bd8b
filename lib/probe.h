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
/*
 * 1 if the kernel (vmlinux or a module) has BTF for function @name, i.e.
 * an fentry/fexit program can attach (if it is not inlined away); 0 if not.
 */
int probe_btf_func(const char *name);
/* Release the BTF probe_tp_btf() and probe_btf_func() cached. */
void probe_free(void);

#endif
