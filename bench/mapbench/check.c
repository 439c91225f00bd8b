// SPDX-License-Identifier: GPL-2.0
/*
 * mapbench's checks before anything is pinned, in the order a user would
 * fix them, and the environment block of the JSON document.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "benchstat.h"
#include "json.h"
#include "mapbench.h"
#include "sysinfo.h"
#include "tracefs.h"

bool have_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_IPC_LOCK / 32].effective & (1u << (CAP_IPC_LOCK % 32));
}

void json_env(struct json *j)
{
	static const char *const systems[] = { "iommu", "iommufd", "vfio_iommu_type1" };
	char buf[256], path[256];
	struct rlimit rl;
	unsigned int i;

	bstat_env_begin(j);
	/* Events on while measuring change the figures: say so. */
	json_object_begin(j, "events_enable");
	for (i = 0; i < sizeof(systems) / sizeof(systems[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/enable",
			 tracefs_root() ? tracefs_root() : "/sys/kernel/tracing", systems[i]);
		bstat_read_line(path, buf, sizeof(buf));
		if (buf[0])
			json_string(j, systems[i], buf);
		else
			json_null(j, systems[i]);
	}
	json_object_end(j);
	bstat_host_json(j, mb.series);
	json_bool(j, "cap_ipc_lock", have_cap_ipc_lock());
	getrlimit(RLIMIT_MEMLOCK, &rl);
	if (rl.rlim_cur == RLIM_INFINITY)
		json_null(j, "rlimit_memlock");
	else
		json_uint(j, "rlimit_memlock", rl.rlim_cur);
	json_string(j, "device", mb.bdf);
	json_uint(j, "seed", mb.seed);
	json_double(j, "inject_slowdown_pct", mb.slowdown_pct);
	json_object_end(j);
}

static uint64_t case_span(const struct bcase *c)
{
	return c->pat == PAT_VM ? c->size : (c->threads - 1) * io_stride() + c->size;
}

void precheck(void)
{
	uint64_t pin_peak = 0, mem_peak = 0, huge_peak = 0, span = 0, avail, total;
	char a[32], b[32], iova_err[512] = "";
	struct rlimit rl;
	long free_huge;
	int i;

	for (i = 0; i < ncases; i++) {
		struct bcase *c = &cases[i];
		uint64_t bytes = c->size * c->threads;

		if (bytes > pin_peak)
			pin_peak = bytes;
		if (c->bk == BK_HUGETLB && c->size > huge_peak)
			huge_peak = c->size;
		else if (c->bk != BK_HUGETLB && bytes > mem_peak)
			mem_peak = bytes;
		if (case_span(c) > span)
			span = case_span(c);
	}

	/*
	 * The device first: open each backend once and query its IOVA
	 * ranges; a range problem is reported after the size checks.
	 */
	for (i = 0; i < mb.nbe; i++) {
		enum vdev_backend be = mb.be[i];
		struct vdev d;

		if (vdev_open(&d, mb.bdf, be))
			die("%s: %s", vdev_backend_name(be), d.err);
		if (!iova_err[0] && vdev_iova_check(&d, mb.iova_base, span))
			snprintf(iova_err, sizeof(iova_err),
				 "%s: IOVA range unavailable: %s (the cases need [%#" PRIx64
				 ", +%s); choose another with -a)", vdev_backend_name(be), d.err,
				 mb.iova_base, size_str(span, a, sizeof(a)));
		vdev_close(&d);
	}

	total = sys_meminfo("MemTotal");
	avail = sys_meminfo("MemAvailable");
	if (total && mem_peak > total)
		die("impossible size: a case needs %s of memory, the machine has %s",
		    size_str(mem_peak, a, sizeof(a)), size_str(total & ~((1ULL << 20) - 1), b, sizeof(b)));
	if (total && huge_peak > total)
		die("impossible size: a hugetlb case needs %s, the machine has %s",
		    size_str(huge_peak, a, sizeof(a)), size_str(total & ~((1ULL << 20) - 1), b, sizeof(b)));
	/* Leave 64 MiB to the rest of the system. */
	if (avail && mem_peak + (64ULL << 20) > avail)
		die("a case needs %s of memory but only %s is available (MemAvailable less 64M); "
		    "use smaller sizes or more memory", size_str(mem_peak, a, sizeof(a)),
		    size_str(avail > (64ULL << 20) ? (avail - (64ULL << 20)) & ~((1ULL << 20) - 1) : 0,
			     b, sizeof(b)));
	if (huge_peak) {
		free_huge = sys_read_long(SYS_HUGEDIR_2M "/free_hugepages");
		if (free_huge < 0)
			die("no hugetlbfs 2 MiB pages in this kernel (%s missing; CONFIG_HUGETLBFS?)",
			    SYS_HUGEDIR_2M);
		if ((uint64_t)free_huge < huge_peak / SZ_2M)
			die("hugetlbfs has %ld free 2 MiB pages, the %s hugetlb case needs %" PRIu64
			    ": reserve them (echo %" PRIu64 " > /proc/sys/vm/nr_hugepages) or drop "
			    "hugetlb from -B", free_huge, size_str(huge_peak, a, sizeof(a)),
			    huge_peak / SZ_2M,
			    huge_peak / SZ_2M + sys_read_long("/proc/sys/vm/nr_hugepages") - free_huge);
	}
	/* Both backends account pinned pages to RLIMIT_MEMLOCK unless CAP_IPC_LOCK. */
	if (!have_cap_ipc_lock() && !getrlimit(RLIMIT_MEMLOCK, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < pin_peak)
		die("RLIMIT_MEMLOCK is %s and the process lacks CAP_IPC_LOCK, but the largest case "
		    "pins %s: raise it (ulimit -l, prlimit --memlock) or keep CAP_IPC_LOCK",
		    size_str(rl.rlim_cur & ~1023ULL, a, sizeof(a)), size_str(pin_peak, b, sizeof(b)));
	if (iova_err[0])
		die("%s", iova_err);
}

