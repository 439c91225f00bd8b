// SPDX-License-Identifier: GPL-2.0
/* Probing the kernel for BPF, BTF and tracepoints (see probe.h). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
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
#include "util.h"

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

/* The BTF (vmlinux's or a module's) with a type @name of @kind, its id in @id. */
static const struct btf *btf_find(const char *name, int kind, __s32 *id)
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
		return NULL;
	*id = btf__find_by_name_kind(vmlinux_btf, name, kind);
	if (*id > 0)
		return vmlinux_btf;
	for (i = 0; i < nmod_btf; i++) {
		*id = btf__find_by_name_kind(mod_btf[i], name, kind);
		if (*id > 0)
			return mod_btf[i];
	}
	return NULL;
}

static int btf_has(const char *name, int kind)
{
	__s32 id;

	return btf_find(name, kind, &id) != NULL;
}

/* The FUNC_PROTO of tracepoint @name's TP_PROTO, with __data first. */
static const struct btf_type *tp_proto(const char *name, const struct btf **btfp)
{
	const struct btf_type *t;
	const struct btf *btf;
	char type[256];
	__s32 id;

	snprintf(type, sizeof(type), "btf_trace_%s", name);
	btf = btf_find(type, BTF_KIND_TYPEDEF, &id);
	if (!btf)
		return NULL;
	/* typedef void (*btf_trace_<name>)(void *__data, <TP_PROTO>) */
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_ptr(t))
		return NULL;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return NULL;
	*btfp = btf;
	return t;
}

int probe_tp_nargs(const char *name)
{
	const struct btf_type *t;
	const struct btf *btf;

	t = tp_proto(name, &btf);
	return t ? btf_vlen(t) - 1 : -1;
}

int probe_tp_arg_kind(const char *name, int idx)
{
	const struct btf_type *t;
	const struct btf *btf;

	t = tp_proto(name, &btf);
	if (!t || idx < 0 || idx >= btf_vlen(t) - 1)
		return -1;
	t = btf__type_by_id(btf, btf_params(t)[idx + 1].type);
	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t ? (int)btf_kind(t) : -1;
}

/*
 * The prototypes the tools read.  The series' v1 had start_ns in the end
 * events (a tool would read it as ret); its first v2 had the IOAS map and
 * unmap events in the ioctl handlers, with the ioctl's command where the
 * io_pagetable's events have the caller, an enum; until 2026-12-06 the
 * fault read event had no dev_id argument (a u32).
 */
static const struct {
	const char *tp;
	int nargs;
	bool caller;	/* argument 1 is enum iopt_caller */
	bool int2;	/* argument 2 is an integer */
} protos[] = {
	{ "iommufd_fault_read", 3, false, true },
	{ "iommufd_ioas_map_start", 6, true, false },
	{ "iommufd_ioas_map", 7, true, false },
	{ "iommufd_ioas_unmap_start", 4, true, false },
	{ "iommufd_ioas_unmap", 6, true, false },
	{ "iommufd_ioas_copy", 3, false, false },
	{ "iommufd_hwpt_invalidate", 4, false, false },
	{ "iommufd_hwpt_get_dirty_bitmap", 4, false, false },
	{ "vfio_iommu_type1_dirty_bitmap", 4, false, false },
	{ "vfio_iommu_type1_dma_map", 3, false, false },
	{ "vfio_iommu_type1_dma_unmap", 5, false, false },
};

static bool arg_is_enum(const char *tp, int idx)
{
	int kind = probe_tp_arg_kind(tp, idx);

	return kind == BTF_KIND_ENUM || kind == BTF_KIND_ENUM64;
}

static int old_proto(const char *tp)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (!strcmp(tp, protos[i].tp))
			return probe_tp_nargs(tp) != protos[i].nargs ||
			       (protos[i].caller && !arg_is_enum(tp, 1)) ||
			       (protos[i].int2 && probe_tp_arg_kind(tp, 2) != BTF_KIND_INT);
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

	for (i = 0; i < ARRAY_SIZE(owners); i++) {
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

/*
 * The root modprobe loads this kernel's modules from: "-d DIR", "-dDIR" or
 * "--dirname[=]DIR" in MODPROBE_OPTIONS (which kmod reads as options,
 * split at spaces), else "".  -1 if unsure (too long, or another option
 * that could hide one), so that nothing is concluded from a wrong root.
 */
static int modprobe_root(char *root, size_t len)
{
	const char *env = getenv("MODPROBE_OPTIONS");
	char buf[512], *tok, *save = NULL;
	bool next = false;
	int n = 0;

	root[0] = 0;
	if (!env)
		return 0;
	if (strlen(env) >= sizeof(buf))
		return -1;
	strcpy(buf, env);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (next)
			n = snprintf(root, len, "%s", tok);
		else if (!strcmp(tok, "-d") || !strcmp(tok, "--dirname"))
			;	/* the next word */
		else if (!strncmp(tok, "--dirname=", 10))
			n = snprintf(root, len, "%s", tok + 10);
		else if (!strncmp(tok, "-d", 2) && tok[2])
			n = snprintf(root, len, "%s", tok + 2);
		else if (!strncmp(tok, "--dir", 5) || !strncmp(tok, "-S", 2) ||
			 !strncmp(tok, "--set", 5) || (tok[0] == '-' && tok[1] != '-' &&
						       strchr(tok, 'd')))
			return -1;	/* an abbreviation, another release, -qd... */
		next = !strcmp(tok, "-d") || !strcmp(tok, "--dirname");
		if (n < 0 || (size_t)n >= len)
			return -1;
	}
	return 0;
}

/*
 * 1 if the modules.dep that modprobe reads for this kernel (the text twin
 * of modules.dep.bin) names @module, 0 if it does not or the kernel cannot
 * load modules (no /proc/modules), -1 if unknown: no modules.dep found
 * (a container without /lib/modules, another layout) proves nothing.
 */
static int module_built(const char *module)
{
	static const char *const dirs[] = { "lib/modules", "usr/lib/modules" };
	char root[256], path[512], line[512], want[80];
	struct utsname un;
	FILE *f = NULL;
	int found = 0;
	size_t i;

	if (access("/proc/modules", F_OK))	/* CONFIG_MODULES=n */
		return 0;
	if (uname(&un) || modprobe_root(root, sizeof(root)))
		return -1;
	for (i = 0; i < ARRAY_SIZE(dirs) && !f; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s/modules.dep", root, dirs[i], un.release);
		f = fopen(path, "r");
	}
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
		return old_proto(tp) ? PROBE_TP_OLD_PROTO : PROBE_TP_OK;
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
