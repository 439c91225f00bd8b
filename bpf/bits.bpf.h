/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pieces every BPF tool here needs, once: log2 slots, the -p filter, the
 * per-thread keys, small numbers for kernel pointers and the ioctl
 * syscall's tracepoint programs of the fallback modes.
 *
 * Include after vmlinux.h and the libbpf headers.  It defines the rodata
 * filter_tgid (user space: skel->rodata->filter_tgid = pid for -p), the
 * -c filter (filter_cg and cgroup_map: lib/bpftool's bpftool_set_cgroup())
 * and, with IOCTL_SYSCALL_PROGS, targ_nr_ioctl.
 */
#ifndef __BITS_BPF_H
#define __BITS_BPF_H

/*
 * The generic kernel types the tools read, as local CO-RE flavours like
 * the series' ones (series.bpf.h): only the members read, relocated
 * against the running kernel's BTF, so no program needs them in vmlinux.h.
 */

/* the syscall tracepoints' records (syscalls:*, raw_syscalls:*) */
struct trace_event_raw_sys_enter___s {
	long id;
	unsigned long args[6];
} __attribute__((preserve_access_index));

struct trace_event_raw_sys_exit___s {
	long id;
	long ret;
} __attribute__((preserve_access_index));

/* an fd of the current task: its file, the file's name and private data */
struct qstr___s {
	const unsigned char *name;
} __attribute__((preserve_access_index));

struct dentry___s {
	struct qstr___s d_name;
} __attribute__((preserve_access_index));

struct path___s {
	struct dentry___s *dentry;
} __attribute__((preserve_access_index));

struct file___s {
	struct path___s f_path;
	void *private_data;
} __attribute__((preserve_access_index));

struct fdtable___s {
	unsigned int max_fds;
	struct file___s **fd;
} __attribute__((preserve_access_index));

struct files_struct___s {
	struct fdtable___s *fdt;
} __attribute__((preserve_access_index));

struct task_struct___s {
	struct files_struct___s *files;
	struct task_struct___s *group_leader;
	char comm[16];
} __attribute__((preserve_access_index));

/*
 * The current task's file behind @fd, or NULL: the fd table read with CO-RE
 * reads (a racing close leaves a stale or NULL slot, never a fault).  Files
 * are SLAB_TYPESAFE_BY_RCU: the pointer may name a freed or reused file, so
 * it is only read with probe reads or used as a key.
 */
static __always_inline struct file___s *current_file(long fd)
{
	struct task_struct___s *t = (struct task_struct___s *)bpf_get_current_task();
	struct file___s **fds, *f = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(t, files, fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(t, files, fdt, fd);
	if (bpf_core_read(&f, sizeof(f), &fds[fd]))
		return NULL;
	return f;
}

/*
 * The process's name (its group leader's comm) into @buf: a row or entry
 * first touched by a vCPU or worker thread is still named after the VMM.
 */
static __always_inline void process_comm(char *buf, __u32 len)
{
	struct task_struct___s *t = (struct task_struct___s *)bpf_get_current_task();
	struct task_struct___s *leader = BPF_CORE_READ(t, group_leader);

	if (!leader || bpf_core_read_str(buf, len, &leader->comm) < 0)
		bpf_get_current_comm(buf, len);
}

static __always_inline __u32 log2_32(__u32 v)
{
	__u32 shift, r;

	r = (v > 0xFFFF) << 4;
	v >>= r;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

/* floor(log2(v)), 0 for v == 0: the slot of lib/hist.h */
static __always_inline __u32 log2_64(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? log2_32(hi) + 32 : log2_32(v);
}

/* The lib/hist.h slot of @v, the last of @nr slots for anything larger. */
static __always_inline __u32 log2_slot(__u64 v, __u32 nr)
{
	__u32 s = log2_64(v);

	return s < nr ? s : nr - 1;
}

/* The kernel's page size (log2), from user space: type1 counts in pages. */
const volatile __u32 targ_page_shift = 12;
const volatile __u32 filter_tgid = 0;		/* -p: the process, 0 for all */
const volatile bool filter_cg = false;		/* -c: only the tasks of cgroup_map[0] */

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_map SEC(".maps");

/* Not for us: another process than -p's, or a task outside -c's cgroup. */
static __always_inline bool pid_filtered(void)
{
	if (filter_tgid && (bpf_get_current_pid_tgid() >> 32) != filter_tgid)
		return true;
	/* 1: under it; 0 or an error (the map not set yet): filtered */
	return filter_cg && bpf_current_task_under_cgroup(&cgroup_map, 0) != 1;
}

/*
 * The value of @key in hash @map, inserted as a copy of @init if absent
 * (another CPU may insert it first); NULL if the map is full.
 */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/* The current thread: the key of per-thread state maps. */
static __always_inline __u32 cur_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/* tgid << 32 | @fd: a key naming an fd of the current process. */
static __always_inline __u64 cur_fd_key(int fd)
{
	return (bpf_get_current_pid_tgid() & ~0xffffffffULL) | (__u32)fd;
}

/*
 * A small number for @ptr, from 1, stable while it is in @map (an LRU
 * hash __u64 -> __u32); 0 for NULL.  The counter is bumped without an
 * atomic (fetch-and-add's result needs -mcpu=v3): two objects first seen
 * at the same instant on two CPUs may share a number.
 */
static __always_inline __u32 number(void *map, __u32 *next, __u64 ptr)
{
	__u32 *no, n;

	if (!ptr)
		return 0;
	no = bpf_map_lookup_elem(map, &ptr);
	if (no)
		return *no;
	n = ++*next;
	bpf_map_update_elem(map, &ptr, &n, BPF_NOEXIST);
	no = bpf_map_lookup_elem(map, &ptr);
	return no ? *no : n;
}

/*
 * The index of ioctl @cmd in @table (an array of @nr descriptors with a
 * member cmd, 0 for an unused slot), or -1.
 */
#define IOCTL_INDEX(table, nr, c) ({					\
	int __i, __idx = -1;						\
	for (__i = 0; __i < (nr); __i++) {				\
		if ((table)[__i].cmd && (table)[__i].cmd == (c)) {	\
			__idx = __i;					\
			break;						\
		}							\
	}								\
	__idx;								\
})

/*
 * The fallback's ioctl programs: syscalls:sys_{enter,exit}_ioctl, or
 * raw_syscalls filtered on targ_nr_ioctl where those do not exist (user
 * space autoloads one pair).  The tool defines, before this,
 *   int ioctl_enter(int fd, __u32 cmd, __u64 arg) and int ioctl_exit(long ret);
 * IOCTL_SYSCALL_PROGS_OTHER(expr): raw_sys_enter returns @expr (which may
 * use ctx) for the syscalls that are not ioctl, for a tool that wants more.
 */
#define IOCTL_SYSCALL_PROGS()	IOCTL_SYSCALL_PROGS_OTHER(0)

#define IOCTL_SYSCALL_PROGS_OTHER(other)				\
const volatile long targ_nr_ioctl = 16;	/* raw_syscalls: __NR_ioctl */	\
									\
SEC("tracepoint/syscalls/sys_enter_ioctl")				\
int sys_enter_ioctl(struct trace_event_raw_sys_enter___s *ctx)		\
{									\
	return ioctl_enter((int)ctx->args[0], (__u32)ctx->args[1], ctx->args[2]); \
}									\
									\
SEC("tracepoint/syscalls/sys_exit_ioctl")				\
int sys_exit_ioctl(struct trace_event_raw_sys_exit___s *ctx)		\
{									\
	return ioctl_exit(ctx->ret);					\
}									\
									\
SEC("tracepoint/raw_syscalls/sys_enter")				\
int raw_sys_enter(struct trace_event_raw_sys_enter___s *ctx)		\
{									\
	if (ctx->id == targ_nr_ioctl)					\
		return ioctl_enter((int)ctx->args[0], (__u32)ctx->args[1], ctx->args[2]); \
	return (other);						\
}									\
									\
SEC("tracepoint/raw_syscalls/sys_exit")					\
int raw_sys_exit(struct trace_event_raw_sys_exit___s *ctx)			\
{									\
	if (ctx->id != targ_nr_ioctl)					\
		return 0;						\
	return ioctl_exit(ctx->ret);					\
}

#endif /* __BITS_BPF_H */
