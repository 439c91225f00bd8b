// SPDX-License-Identifier: GPL-2.0
/* Probing the kernel for BPF, BTF and tracepoints (see probe.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probe.h"

static struct btf *vmlinux_btf;
static int vmlinux_btf_err;

/* CAP_BPF + CAP_PERFMON (5.8+) or CAP_SYS_ADMIN in the effective set. */
static int has_bpf_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
	const int bpf = 39, perfmon = 38;	/* CAP_BPF, CAP_PERFMON: newer than some headers */

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
#define HAS(c) (data[(c) / 32].effective & (1U << ((c) % 32)))
	return HAS(CAP_SYS_ADMIN) || (HAS(bpf) && HAS(perfmon));
#undef HAS
}

int probe_bpf(char *why, size_t len)
{
	int ret;

	if (!has_bpf_caps()) {
		snprintf(why, len, "not allowed to load BPF programs: run as root "
			 "(needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		ret = -errno;
		snprintf(why, len, "the kernel has no BTF (/sys/kernel/btf/vmlinux: %s); "
			 "CO-RE needs CONFIG_DEBUG_INFO_BTF=y", strerror(errno));
		return ret;
	}
	/* 1: loads; 0: the kernel refused (no BPF, no tracing programs) */
	ret = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACEPOINT, NULL);
	if (ret == 1)
		return 0;
	snprintf(why, len, "the kernel cannot load BPF tracing programs (%s)",
		 ret < 0 ? strerror(-ret) : "CONFIG_BPF_SYSCALL, CONFIG_BPF_EVENTS?");
	return ret < 0 ? ret : -EOPNOTSUPP;
}

/* 1 if vmlinux's BTF or a module's has a type @name of @kind. */
static int btf_has(const char *name, int kind)
{
	struct dirent *de;
	struct btf *mod;
	int found = 0;
	DIR *dir;

	if (!vmlinux_btf && !vmlinux_btf_err) {
		vmlinux_btf = btf__load_vmlinux_btf();
		if (!vmlinux_btf)
			vmlinux_btf_err = -errno;
	}
	if (!vmlinux_btf)
		return 0;
	if (btf__find_by_name_kind(vmlinux_btf, name, kind) > 0)
		return 1;
	/* A module's tracepoints and functions are in the module's BTF. */
	dir = opendir("/sys/kernel/btf");
	if (!dir)
		return 0;
	while (!found && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		mod = btf__load_module_btf(de->d_name, vmlinux_btf);
		if (!mod)
			continue;
		found = btf__find_by_name_kind(mod, name, kind) > 0;
		btf__free(mod);
	}
	closedir(dir);
	return found;
}

int probe_tp_btf(const char *name)
{
	char type[256];

	snprintf(type, sizeof(type), "btf_trace_%s", name);
	return btf_has(type, BTF_KIND_TYPEDEF);
}

int probe_btf_func(const char *name)
{
	return btf_has(name, BTF_KIND_FUNC);
}

void probe_free(void)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	vmlinux_btf_err = 0;
}
