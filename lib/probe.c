// SPDX-License-Identifier: GPL-2.0
/* Probing the kernel for BPF, BTF and tracepoints (see probe.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
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

/* Every loaded module's BTF, read once (a distribution kernel has hundreds). */
static struct btf **mod_btf;
static size_t nmod_btf;

static void load_module_btfs(void)
{
	struct btf **grown;
	struct dirent *de;
	struct btf *mod;
	DIR *dir;

	dir = opendir("/sys/kernel/btf");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		mod = btf__load_module_btf(de->d_name, vmlinux_btf);
		if (!mod)
			continue;
		grown = realloc(mod_btf, (nmod_btf + 1) * sizeof(*mod_btf));
		if (!grown) {
			btf__free(mod);
			break;
		}
		mod_btf = grown;
		mod_btf[nmod_btf++] = mod;
	}
	closedir(dir);
}

/* 1 if vmlinux's BTF or a module's has a type @name of @kind. */
static int btf_has(const char *name, int kind)
{
	size_t i;

	if (!vmlinux_btf && !vmlinux_btf_err) {
		vmlinux_btf = btf__load_vmlinux_btf();
		if (!vmlinux_btf) {
			vmlinux_btf_err = -errno;
			return 0;
		}
		/* A module's tracepoints and functions are in the module's BTF. */
		load_module_btfs();
	}
	if (!vmlinux_btf)
		return 0;
	if (btf__find_by_name_kind(vmlinux_btf, name, kind) > 0)
		return 1;
	for (i = 0; i < nmod_btf; i++)
		if (btf__find_by_name_kind(mod_btf[i], name, kind) > 0)
			return 1;
	return 0;
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

/* Each backend's module and the prefix of its events (the catalog's systems). */
static const struct {
	const char *prefix;
	const char *module;
	const char *backend;
} owners[] = {
	{ "iommufd_", "iommufd", "iommufd" },
	{ "vfio_iommu_type1_", "vfio_iommu_type1", "VFIO type1" },
};

const char *probe_tp_module(const char *tp, const char **backend)
{
	size_t i;

	for (i = 0; i < sizeof(owners) / sizeof(owners[0]); i++) {
		if (strncmp(tp, owners[i].prefix, strlen(owners[i].prefix)))
			continue;
		if (backend)
			*backend = owners[i].backend;
		return owners[i].module;
	}
	return NULL;
}

int probe_module_loaded(const char *module)
{
	char path[128];

	/* initstate: a loaded module's; a built-in one has none */
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", module);
	return access(path, F_OK) == 0;
}

/* 1 if this kernel's modules.dep names @module, 0 if not, -1 if unknown. */
static int module_built(const char *module)
{
	char path[320], line[512], want[80];
	struct utsname un;
	int found = 0;
	FILE *f;

	if (uname(&un))
		return -1;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", un.release);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* "kernel/drivers/iommu/iommufd/iommufd.ko.xz: deps" */
	snprintf(want, sizeof(want), "/%s.ko", module);
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (colon)
			*colon = 0;
		found = strstr(line, want) != NULL;
	}
	fclose(f);
	return found;
}

int probe_tp_state(const char *tp)
{
	const char *module;
	char path[128];

	if (probe_tp_btf(tp))
		return PROBE_TP_OK;
	module = probe_tp_module(tp, NULL);
	/* without the series (the iommu core's events) it is just missing */
	if (!module || !probe_tp_btf(PROBE_SERIES_MARKER))
		return PROBE_TP_MISSING;
	if (probe_module_loaded(module)) {
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", module);
		return access(path, F_OK) ? PROBE_TP_NO_MODULE_BTF : PROBE_TP_MISSING;
	}
	snprintf(path, sizeof(path), "/sys/module/%s", module);
	if (!access(path, F_OK))	/* built in (a directory for its parameters) */
		return PROBE_TP_MISSING;
	return module_built(module) == 0 ? PROBE_TP_NOT_BUILT : PROBE_TP_UNLOADED;
}

void probe_free(void)
{
	size_t i;

	for (i = 0; i < nmod_btf; i++)
		btf__free(mod_btf[i]);
	free(mod_btf);
	mod_btf = NULL;
	nmod_btf = 0;
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	vmlinux_btf_err = 0;
}
