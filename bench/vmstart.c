// SPDX-License-Identifier: GPL-2.0
/*
 * vmstart: how long a VM with a passed-through device takes to start
 * through iommufd and through VFIO type1, and where the time goes.
 *
 * For each backend x guest RAM size x backing, R times (the backends
 * interleaved within a round), QEMU is started paused (-S) with the device
 * on vfio-pci and a QMP socket; "ready" is the time from exec to QMP
 * answering query-status with "prelaunch".  While QEMU starts, a private
 * tracefs instance, filtered to QEMU's threads, records the series' events:
 * IOMMU_IOAS_MAP / VFIO_IOMMU_MAP_DMA calls (time inside each from the end
 * event's start_ns to its timestamp, bytes), pinned pages, IOTLB syncs and
 * the device attach.  Then QEMU quits through QMP (SIGKILL after a
 * timeout) and nothing may stay pinned (/proc/vmstat FOLL_PIN counters).
 *
 * On a kernel without the series it measures the ready time alone and
 * says so.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchstat.h"
#include "cli.h"
#include "json.h"
#include "sysinfo.h"
#include "tracefs.h"

#define SZ_1M		((uint64_t)1 << 20)
#define SZ_2M		((uint64_t)2 << 20)
#define MAX_SIZES	16
#define MAX_EXTRA	64
#define INSTANCE	"vmstart"
#define SYSFS_PCI	"/sys/bus/pci/devices"
#define QUIT_WAIT_S	15
/* The QMP socket's path, NUL included, must fit in sun_path (108 on Linux). */
#define SOCK_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)
#define RUNDIR_NAME	"vmstart.XXXXXX"
#define SOCK_NAME	"qmp.sock"

enum backend { BE_IOMMUFD, BE_TYPE1, BE_NR };
enum backing { BK_ANON, BK_HUGETLB, BK_NR };

static const char *const be_names[BE_NR] = { "iommufd", "type1" };
static const char *const bk_names[BK_NR] = { "anon", "hugetlb" };

/* One QEMU start. */
struct run {
	double ready_ms;	/* exec -> query-status answered "prelaunch" */
	double quit_ms;		/* quit sent -> QEMU reaped */
	/* From the events (trace mode only), up to ready. */
	double map_ms;		/* sum of the time inside the map calls */
	uint64_t map_calls, map_bytes, map_errors;
	uint64_t unmap_calls, unmap_bytes;
	uint64_t pin_calls, pinned_pages;
	uint64_t iotlb_syncs;
	double attach_at_ms;	/* exec -> device attached; NAN if not seen */
	double map_start_at_ms;	/* exec -> first map call entered; NAN if none */
	double map_end_at_ms;	/* exec -> last map call returned; NAN if none */
	/* From QEMU's memory map ("info mtree -f", AS "memory"): what it should map. */
	uint64_t expected_bytes;
};

struct vcase {
	enum backend be;
	uint64_t ram;
	enum backing bk;
	struct run *runs;
	int n;
};

/* Options. */
static const char *bdf_opt, *json_path, *series, *hugetlbfs_opt, *boot_opt;
static const char *append_opt = "console=ttyS0";
static const char *qemu_opt = "qemu-system-x86_64";
static const char *accel = "tcg";
static bool json_stdout, progress = true, dry_run, pin_check = true;
static bool run_backend[BE_NR] = { true, true };
static bool backing_on[BK_NR], backing_set;
static uint64_t sizes[MAX_SIZES];
static int nsizes = -1;
static long repeat = -1, timeout_s = 120, buffer_kb = 8192, smp = 1;
static int prealloc = -1;	/* -1 auto: on for hugetlb, off for anon */
static char *extra[MAX_EXTRA];
static int nextra;

/* State. */
static char bdf[32] = "", qemu_path[4096], qemu_version[256] = "", hugedir[4096] = "";
static char tmpdir[SOCK_MAX] = "", boot_kernel[2048], boot_initrd[2048];
static bool tracing;		/* the series' events are there and in use */
static bool instance_made;
static struct vcase *cases;
static int ncases;
static volatile sig_atomic_t stop;
static pid_t child;
static double t_start;

static const char usage[] =
	"usage: vmstart [-d BDF] [-b iommufd|type1|both] [-S SIZES] [-B BACKINGS]\n"
	"               [-r R] [--qemu PATH] [--accel tcg|kvm] [--smp N] [--boot K[,I]]\n"
	"               [--append ARGS] [--prealloc on|off|auto] [--hugetlbfs DIR]\n"
	"               [-T SEC] [--buffer-kb KB] [--no-pin-check] [-j] [-o FILE]\n"
	"               [-H HASH] [-q] [-v] [--quick] [--dry-run] [-h] [-- QEMU-ARGS]\n"
	"\n"
	"VM start time with a passed-through vfio-pci device, iommufd vs VFIO type1:\n"
	"QEMU paused (-S) until QMP answers, and its DMA-map phase from the events.\n"
	"\n"
	"  -d, --device BDF      PCI device (default: the one bound to vfio-pci)\n"
	"  -b, --backend WHICH   iommufd, type1 or both (default both)\n"
	"  -S, --ram-sizes LIST  guest RAM sizes (default 256m,512m,1g)\n"
	"  -B, --backing LIST    anon (memory-backend-ram), hugetlb (memory-backend-file\n"
	"                        on hugetlbfs, 2 MiB pages) (default anon,hugetlb)\n"
	"  -r, --repeat R        starts per case (default 3); backends interleaved\n"
	"      --qemu PATH       QEMU binary (default qemu-system-x86_64 in PATH)\n"
	"      --accel A         tcg (default) or kvm (adds -cpu host)\n"
	"      --smp N           guest CPUs (default 1)\n"
	"      --boot K[,I]      add -kernel K [-initrd I] -append ARGS (for a guest\n"
	"                        booted from this command line without -S)\n"
	"      --append ARGS     kernel command line with --boot (default console=ttyS0)\n"
	"      --prealloc WHEN   prealloc=on for on, off or auto (default: hugetlb only)\n"
	"      --hugetlbfs DIR   hugetlbfs mount (default: the first 2 MiB one mounted)\n"
	"  -T, --timeout SEC     give up on a QEMU not ready after SEC (default 120)\n"
	"      --buffer-kb KB    trace buffer per CPU (default 8192)\n"
	"      --no-pin-check    do not require the FOLL_PIN count back after each QEMU\n"
	"  -j, --json            the JSON document on stdout instead of the table\n"
	"  -o, --output FILE     also write the JSON document to FILE\n"
	"  -H, --series HASH     series hash for the environment block\n"
	"                        (default: $IOASID_SERIES)\n"
	"  -q, --no-progress     no progress lines on stderr\n"
	"  -v, --verbose         each QEMU command line and run's figures on stderr\n"
	"      --quick           tiny configuration for tests: -S 64m -r 2\n"
	"      --dry-run         print the QEMU command lines and exit\n"
	"  -h, --help            this help\n"
	"\n"
	"Arguments after -- are appended to every QEMU command line.  Sizes take m/g\n"
	"suffixes and are multiples of 2 MiB.  QEMU's QMP socket and log go in a\n"
	"directory in $TMPDIR (default /tmp), removed at exit.  Needs root.  Under\n"
	"emulation (QEMU TCG) compare the two backends within one run, not with hardware.\n";

static void cleanup(void);

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	cleanup();
	fprintf(stderr, "vmstart: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Kill and reap QEMU if one runs. */
static void kill_child(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = 0;
	}
}

/* Kill and reap QEMU if one runs; remove the run directory and the instance. */
static void cleanup(void)
{
	char path[SOCK_MAX + 16];
	int i;

	kill_child();
	if (tmpdir[0]) {
		static const char *const files[] = { SOCK_NAME, "qemu.log" };

		for (i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
			unlink(path);
		}
		rmdir(tmpdir);
		tmpdir[0] = 0;
	}
	if (instance_made) {
		tracefs_instance_remove(INSTANCE);
		instance_made = false;
	}
}

/*
 * Where the run directory goes, into @buf: $TMPDIR without trailing
 * slashes, else /tmp.  /tmp may be read-only: the testbed guest leaves the
 * host's /tmp uncovered when the project lives there, and gives TMPDIR a
 * tmpfs instead.
 */
static const char *tmp_base(char *buf, size_t len)
{
	const char *t = getenv("TMPDIR");
	size_t n;

	if (!t || !t[0])
		t = "/tmp";
	n = strlen(t);
	while (n > 1 && t[n - 1] == '/')
		n--;
	snprintf(buf, len, "%.*s", n < len ? (int)n : (int)len - 1, t);
	return buf;
}

/*
 * The run directory, <base>/vmstart.XXXXXX, for QEMU's QMP socket and
 * log; cleanup() removes it.  The socket's whole path must fit in
 * sun_path, for QEMU's listen() and our connect().
 */
static void make_rundir(void)
{
	const size_t tail = sizeof("/" RUNDIR_NAME "/" SOCK_NAME);
	char base[PATH_MAX];

	tmp_base(base, sizeof(base));
	if (strlen(base) + tail > SOCK_MAX)
		die("TMPDIR %s is too long for QEMU's QMP socket: %zu characters, at most %zu",
		    base, strlen(base), SOCK_MAX - tail);
	snprintf(tmpdir, sizeof(tmpdir), "%s/" RUNDIR_NAME, strcmp(base, "/") ? base : "");
	if (!mkdtemp(tmpdir)) {
		int e = errno;

		tmpdir[0] = 0;
		die("failed to create a directory in %s: %s%s", base, strerror(e),
		    getenv("TMPDIR") ? "" : " (set TMPDIR to a writable directory)");
	}
}

/* ---- parsing ---- */

/* @src into @out (@len > 0), truncated. */
static void copy_str(char *out, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(out, src, n);
	out[n] = 0;
}

static const struct sys_size_rule ram_rule = {
	SZ_2M, 16 * SZ_1M, 1ULL << 40, "RAM", "a multiple of 2 MiB from 16m to 1024g"
};

/* "512m", "1g", "1536m": QEMU-independent, for ids and tables. */
static const char *size_id(uint64_t b, char *buf, size_t len)
{
	if (b % (1ULL << 30) == 0)
		snprintf(buf, len, "%" PRIu64 "g", b >> 30);
	else
		snprintf(buf, len, "%" PRIu64 "m", b >> 20);
	return buf;
}

static void case_id(const struct vcase *c, char *buf, size_t len)
{
	char sz[32];

	snprintf(buf, len, "%s-%s-%s", be_names[c->be], size_id(c->ram, sz, sizeof(sz)),
		 bk_names[c->bk]);
}

/* ---- the environment ---- */

/* Pages pinned with FOLL_PIN now (acquired - released), -1 if unknown. */
static long long pinned_now(void)
{
	char line[128];
	long long acq = -1, rel = -1;
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	FILE *f;

	/* Fold the per-CPU deltas into the totals first. */
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0) {
			/* the counters are only less exact */
		}
		close(fd);
	}
	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "nr_foll_pin_acquired ", 21))
			acq = strtoll(line + 21, NULL, 10);
		else if (!strncmp(line, "nr_foll_pin_released ", 21))
			rel = strtoll(line + 21, NULL, 10);
	}
	fclose(f);
	return acq < 0 || rel < 0 ? -1 : acq - rel;
}

/* The one PCI device bound to vfio-pci into bdf; "" and a message if not one. */
static void find_device(char *err, size_t errlen)
{
	int ret = sys_pci_vfio_find(bdf, sizeof(bdf), err, errlen);

	if (ret == -EEXIST)
		snprintf(err + strlen(err), errlen - strlen(err), " with -d");
	else if (ret)
		snprintf(err, errlen, "no PCI device is bound to vfio-pci (-d BDF)");
	if (ret)
		bdf[0] = 0;
}

/* Is @path an executable file?  Searches PATH for a bare name. */
static int resolve_qemu(const char *name, char *out, size_t len)
{
	char *path, *dir, *save;
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return stat(out, &st) || !S_ISREG(st.st_mode) || access(out, X_OK) ? -1 : 0;
	}
	path = strdup(getenv("PATH") && *getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", dir, name);
		if (!stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK)) {
			free(path);
			return 0;
		}
	}
	free(path);
	snprintf(out, len, "%s", name);
	return -1;
}

/* Run @argv, its stdout + stderr (up to @len - 1 bytes) into @out; exit status or -1. */
static int capture(char *const argv[], char *out, size_t len)
{
	int p[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	/* Keep what fits, drain the rest so the child is never blocked. */
	for (;;) {
		char chunk[4096];

		n = read(p[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((size_t)n > len - 1 - got)
			n = len - 1 - got;
		memcpy(out + got, chunk, n);
		got += n;
	}
	out[got] = 0;
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * qemu_version from "QEMU emulator version 10.0.2 (Debian ...)"; the
 * major and minor into @maj/@min.  0, or -1 with a message in @err.
 */
static int probe_qemu(int *maj, int *min, char *err, size_t errlen)
{
	char *argv[] = { qemu_path, "--version", NULL };
	char out[4096], *p;
	int rc;

	rc = capture(argv, out, sizeof(out));
	p = strstr(out, "version ");
	if (rc || !p || sscanf(p + 8, "%d.%d", maj, min) != 2) {
		out[strcspn(out, "\n")] = 0;
		snprintf(err, errlen, "%.200s --version did not say which QEMU it is (exit %d%s%.200s)",
			 qemu_path, rc, out[0] ? ": " : "", out);
		return -1;
	}
	p += 8;
	p[strcspn(p, "\n")] = 0;
	snprintf(qemu_version, sizeof(qemu_version), "%s", p);
	return 0;
}

/* Does QEMU list @type under -object help? */
static bool qemu_has_object(const char *type)
{
	char *argv[] = { qemu_path, "-object", "help", NULL };
	static char out[65536];
	char pat[64];

	if (capture(argv, out, sizeof(out)) < 0)
		return false;
	snprintf(pat, sizeof(pat), "  %s\n", type);
	return strstr(out, pat) != NULL;
}

/* The first hugetlbfs mount with 2 MiB pages into hugedir; 0 or -1. */
static int find_hugetlbfs(void)
{
	char dev[256], dir[4096], type[64], opts[1024];
	bool default_2m = sys_meminfo("Hugepagesize") == SZ_2M;
	FILE *f = fopen("/proc/mounts", "re");

	while (f && fscanf(f, "%255s %4095s %63s %1023s %*d %*d", dev, dir, type, opts) == 4) {
		if (strcmp(type, "hugetlbfs"))
			continue;
		if (strstr(opts, "pagesize=2M") || (!strstr(opts, "pagesize=") && default_2m)) {
			snprintf(hugedir, sizeof(hugedir), "%s", dir);
			fclose(f);
			return 0;
		}
	}
	if (f)
		fclose(f);
	return -1;
}

/* ---- the QEMU command line ---- */

struct argv {
	char *v[128 + MAX_EXTRA];
	int n;
};

static void arg(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct argv *a, const char *fmt, ...)
{
	va_list ap;

	if (a->n >= (int)(sizeof(a->v) / sizeof(a->v[0])) - 1)
		die("QEMU command line too long");
	va_start(ap, fmt);
	if (vasprintf(&a->v[a->n], fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	a->v[++a->n] = NULL;
}

static void argv_free(struct argv *a)
{
	while (a->n)
		free(a->v[--a->n]);
}

/* @s into @out with each ',' doubled: QEMU's escape inside an option value. */
static const char *opt_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s && o + 2 < len; s++) {
		out[o++] = *s;
		if (*s == ',')
			out[o++] = ',';
	}
	out[o] = 0;
	return out;
}

static bool case_prealloc(const struct vcase *c)
{
	return prealloc < 0 ? c->bk == BK_HUGETLB : prealloc;
}

static void build_cmd(const struct vcase *c, const char *sock, struct argv *a)
{
	uint64_t mb = c->ram >> 20;
	char id[64], esc[2 * PATH_MAX];
	int i;

	case_id(c, id, sizeof(id));
	a->n = 0;
	arg(a, "%s", qemu_path);
	arg(a, "-name");
	arg(a, "vmstart-%s", id);
	arg(a, "-S");
	arg(a, "-nodefaults");
	arg(a, "-no-user-config");
	arg(a, "-display");
	arg(a, "none");
	arg(a, "-machine");
	arg(a, "q35,memory-backend=ram0");
	arg(a, "-accel");
	arg(a, "%s", accel);
	if (!strcmp(accel, "kvm")) {
		arg(a, "-cpu");
		arg(a, "host");
	}
	arg(a, "-smp");
	arg(a, "%ld", smp);
	arg(a, "-m");
	arg(a, "%" PRIu64 "M", mb);
	arg(a, "-object");
	if (c->bk == BK_HUGETLB)
		arg(a, "memory-backend-file,id=ram0,size=%" PRIu64 "M,mem-path=%s,prealloc=%s", mb,
		    hugedir, case_prealloc(c) ? "on" : "off");
	else
		arg(a, "memory-backend-ram,id=ram0,size=%" PRIu64 "M,prealloc=%s", mb,
		    case_prealloc(c) ? "on" : "off");
	arg(a, "-qmp");
	arg(a, "unix:%s,server=on,wait=off", opt_escape(sock, esc, sizeof(esc)));
	if (c->be == BE_IOMMUFD) {
		arg(a, "-object");
		arg(a, "iommufd,id=iommufd0");
		arg(a, "-device");
		arg(a, "vfio-pci,host=%s,id=hostdev0,iommufd=iommufd0", bdf);
	} else {
		arg(a, "-device");
		arg(a, "vfio-pci,host=%s,id=hostdev0", bdf);
	}
	if (boot_opt) {
		arg(a, "-kernel");
		arg(a, "%s", boot_kernel);
		if (boot_initrd[0]) {
			arg(a, "-initrd");
			arg(a, "%s", boot_initrd);
		}
		arg(a, "-append");
		arg(a, "%s", append_opt);
	}
	for (i = 0; i < nextra; i++)
		arg(a, "%s", extra[i]);
}

/* @s quoted for a POSIX shell when it needs it. */
static void print_quoted(FILE *f, const char *s)
{
	const char *p;

	if (*s && !s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_-+=/.,:@%")]) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (p = s; *p; p++)
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	fputc('\'', f);
}

static void print_cmd(FILE *f, const struct argv *a)
{
	int i;

	for (i = 0; i < a->n; i++) {
		if (i)
			fputc(' ', f);
		print_quoted(f, a->v[i]);
	}
	fputc('\n', f);
}

/* ---- QMP ---- */

struct qmp {
	int fd;
	char *buf;
	size_t len, cap;
};

/* The last non-empty line of QEMU's log into @out. */
static const char *last_log_line(char *out, size_t len)
{
	char path[SOCK_MAX + 16], buf[8192], *p, *end;
	ssize_t n;
	off_t size;
	int fd;

	out[0] = 0;
	snprintf(path, sizeof(path), "%s/qemu.log", tmpdir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return out;
	size = lseek(fd, 0, SEEK_END);
	n = pread(fd, buf, sizeof(buf) - 1, size > (off_t)sizeof(buf) - 1 ?
		  size - (off_t)sizeof(buf) + 1 : 0);
	close(fd);
	if (n <= 0)
		return out;
	buf[n] = 0;
	end = buf + n;
	while (end > buf && isspace((unsigned char)end[-1]))
		*--end = 0;
	p = strrchr(buf, '\n');
	copy_str(out, len, p ? p + 1 : buf);
	return out;
}

/*
 * Why QEMU is not there: exited (with its last log line), killed, or
 * still running.  Reaps it if it is gone.
 */
static bool child_gone(char *err, size_t errlen, const char *id)
{
	char last[1024];
	int st;

	if (child <= 0 || waitpid(child, &st, WNOHANG) != child)
		return false;
	child = 0;
	last_log_line(last, sizeof(last));
	if (WIFEXITED(st))
		snprintf(err, errlen, "QEMU exited with status %d before it was ready (%s)%s%s",
			 WEXITSTATUS(st), id, last[0] ? ": " : "", last);
	else
		snprintf(err, errlen, "QEMU was killed by signal %d before it was ready (%s)%s%s",
			 WTERMSIG(st), id, last[0] ? ": " : "", last);
	return true;
}

/* Stop waiting for QEMU to @what: interrupted, QEMU gone or @deadline (ns) past. */
static bool wait_over(uint64_t deadline, const char *what, char *err, size_t errlen,
		      const char *id)
{
	if (stop) {
		snprintf(err, errlen, "interrupted");
		return true;
	}
	if (child_gone(err, errlen, id))
		return true;
	if (bstat_now_ns() > deadline) {
		snprintf(err, errlen, "QEMU did not %s within %ld s (%s)", what, timeout_s, id);
		return true;
	}
	return false;
}

/*
 * The next line from QMP before @deadline (ns), NUL-terminated in q->buf
 * (valid until the next call); its length, or -1 with a message.
 */
static ssize_t qmp_line(struct qmp *q, uint64_t deadline, char *err, size_t errlen,
			const char *id)
{
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	char *nl;
	ssize_t n;

	for (;;) {
		nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		if (nl) {
			size_t l = nl - q->buf;

			/* Hand out the line; drop it at the next call. */
			*nl = 0;
			return l;
		}
		if (wait_over(deadline, "answer on QMP", err, errlen, id))
			return -1;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (q->cap - q->len < 4096) {
			char *nb = realloc(q->buf, q->cap * 2);

			if (!nb) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			q->buf = nb;
			q->cap *= 2;
		}
		n = read(q->fd, q->buf + q->len, q->cap - q->len - 1);
		if (n <= 0) {
			int e = n ? errno : 0, i;

			/*
			 * QEMU closed the socket: it is exiting (unmapping and
			 * unpinning first), so give it time to say why.
			 */
			for (i = 0; i < 200 && !stop; i++) {
				if (child_gone(err, errlen, id))
					return -1;
				usleep(50000);
			}
			snprintf(err, errlen, "failed to read QMP (%s): %s", id,
				 e ? strerror(e) : "connection closed");
			return -1;
		}
		q->len += n;
	}
}

/* Forget the line qmp_line() returned. */
static void qmp_consume(struct qmp *q, size_t l)
{
	memmove(q->buf, q->buf + l + 1, q->len - l - 1);
	q->len -= l + 1;
}

/*
 * Send @cmd and wait for its "return" (skipping events).  The reply line
 * is in q->buf (consume with qmp_consume(q, returned length)); -1 with a
 * message if it failed, or on an "error" reply.
 */
static ssize_t qmp_cmd(struct qmp *q, const char *cmd, uint64_t deadline, char *err,
		       size_t errlen, const char *id)
{
	size_t len = strlen(cmd);
	ssize_t l;

	if (write(q->fd, cmd, len) != (ssize_t)len || write(q->fd, "\n", 1) != 1) {
		snprintf(err, errlen, "failed to write QMP command (%s): %s", id, strerror(errno));
		return -1;
	}
	for (;;) {
		l = qmp_line(q, deadline, err, errlen, id);
		if (l < 0)
			return -1;
		if (strstr(q->buf, "\"return\""))
			return l;
		if (strstr(q->buf, "\"error\"")) {
			snprintf(err, errlen, "QMP error for %.40s (%s): %.300s", cmd, id, q->buf);
			return -1;
		}
		qmp_consume(q, l);
	}
}

/* Connect to the QMP socket while QEMU comes up; 0 or -1 with a message. */
static int qmp_connect(struct qmp *q, const char *sock, uint64_t deadline, char *err,
		       size_t errlen, const char *id)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	copy_str(sa.sun_path, sizeof(sa.sun_path), sock);
	for (;;) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->fd < 0) {
			snprintf(err, errlen, "failed to create socket: %s", strerror(errno));
			return -1;
		}
		if (!connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)))
			return 0;
		close(q->fd);
		q->fd = -1;
		if (wait_over(deadline, "open its QMP socket", err, errlen, id))
			return -1;
		usleep(2000);
	}
}

/*
 * Decode the JSON string value after "return": in @line in place: the
 * HMP text, or NULL.  Only the escapes QEMU emits matter here.
 */
static char *json_return_string(char *line)
{
	char *p = strstr(line, "\"return\""), *o, *start;

	if (!p || !(p = strchr(p + 8, '"')))
		return NULL;
	start = o = ++p;
	for (; *p && *p != '"'; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			*o++ = '?';
			p += strlen(p) >= 5 ? 4 : strlen(p) - 1;
			break;
		case 0:
			p--;
			break;
		default:
			*o++ = *p;
		}
	}
	*o = 0;
	return start;
}

/*
 * What QEMU's VFIO listener maps: the RAM and ROM sections of the flat
 * view of AS "memory" in "info mtree -f", page-aligned inwards as the
 * listener does (4 KiB host pages assumed).
 */
static uint64_t expected_from_mtree(const char *text)
{
	const char *p = strstr(text, "AS \"memory\""), *eol;
	unsigned long long start, end, total = 0;
	char type[32];

	if (!p)
		return 0;
	for (p = strchr(p, '\n'); p && *++p && *p != '\n'; p = eol) {
		eol = strchr(p, '\n');
		if (!eol)
			break;
		if (sscanf(p, " %llx-%llx (prio %*d, %31[^)])", &start, &end, type) != 3)
			continue;
		if (strcmp(type, "ram") && strcmp(type, "rom") && strcmp(type, "ramd"))
			continue;
		start = (start + 4095) & ~4095ULL;
		end = (end + 1) & ~4095ULL;
		if (end > start)
			total += end - start;
	}
	return total;
}

/* ---- the events ---- */

struct ev {
	const char *sys, *name;
};

static const struct ev events[] = {
	{ "iommufd", "iommufd_ioas_map" },
	{ "iommufd", "iommufd_ioas_unmap" },
	{ "iommufd", "iommufd_pages_pin" },
	{ "iommufd", "iommufd_device_attach" },
	{ "vfio_iommu_type1", "vfio_iommu_type1_dma_map" },
	{ "vfio_iommu_type1", "vfio_iommu_type1_dma_unmap" },
	{ "vfio_iommu_type1", "vfio_iommu_type1_pin_pages" },
	{ "vfio_iommu_type1", "vfio_iommu_type1_attach_group" },
	{ "iommu", "iotlb_sync" },
};
#define NEVENTS (sizeof(events) / sizeof(events[0]))

static void trace_setup(void)
{
	char val[32];
	unsigned int i;
	int ret;

	ret = tracefs_instance_use(INSTANCE);
	if (ret)
		die("failed to create trace instance %s/instances/%s: %s", tracefs_root(), INSTANCE,
		    strerror(-ret));
	instance_made = true;
	snprintf(val, sizeof(val), "%ld", buffer_kb);
	if ((ret = tracefs_write("buffer_size_kb", val)))
		die("failed to set buffer_size_kb of trace instance %s to %ld: %s", INSTANCE,
		    buffer_kb, strerror(-ret));
	/* The same clock as CLOCK_MONOTONIC and the events' start_ns. */
	if ((ret = tracefs_write("trace_clock", "mono")))
		die("failed to set trace_clock of trace instance %s to mono: %s", INSTANCE,
		    strerror(-ret));
	/* Only this process and what it forks (QEMU and its threads). */
	if ((ret = tracefs_write("options/event-fork", "1")))
		die("failed to set option event-fork of trace instance %s: %s", INSTANCE,
		    strerror(-ret));
	for (i = 0; i < NEVENTS; i++) {
		if (tracefs_event_exists(events[i].sys, events[i].name) != 1)
			continue;
		ret = tracefs_event_enable(events[i].sys, events[i].name, 1);
		if (ret)
			die("failed to enable event %s:%s: %s", events[i].sys, events[i].name,
			    strerror(-ret));
	}
}

/* Start the buffer afresh for a run: empty, filtered to this process. */
static int trace_arm(char *err, size_t errlen)
{
	char pid[32];
	int ret;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if ((ret = tracefs_write("set_event_pid", pid)) || (ret = tracefs_clear())) {
		snprintf(err, errlen, "failed to reset trace instance %s: %s", INSTANCE,
			 strerror(-ret));
		return -1;
	}
	return 0;
}

/*
 * One record: its timestamp (ns, CLOCK_MONOTONIC) and event name; the
 * fields start after "name: ".  Lines look like
 * "  comm-pid  [001] d..1.   123.456789: name: fields".
 */
static bool parse_record(const char *line, uint64_t *ts, char *name, size_t len)
{
	const char *p = strstr(line, "] "), *q;
	unsigned long long sec, usec;
	int i, n;

	if (*line == '#' || !p)
		return false;
	p += 2;
	for (i = 0; i < 3; i++) {
		p += strspn(p, " ");
		if (sscanf(p, "%llu.%llu: %n", &sec, &usec, &n) == 2 && p[n - 2] == ':') {
			q = p + n;
			n = strcspn(q, ": ");
			if (q[n] != ':' || (size_t)n >= len)
				return false;
			memcpy(name, q, n);
			name[n] = 0;
			/* The decimals: microseconds (or more digits with another clock). */
			*ts = sec * 1000000000ULL + usec * 1000ULL;
			return true;
		}
		p += strcspn(p, " ");
	}
	return false;
}

static long long field(const char *line, const char *name, const char *key)
{
	long long v;

	return trace_field(line, name, 0, key, &v) ? -1 : v;
}

/* Fill @r's event figures from the buffer, counting records up to @t_ready. */
static int trace_collect(struct run *r, uint64_t t0, uint64_t t_ready, char *err, size_t errlen)
{
	char *buf, *line, *eol, name[64];
	uint64_t ts, map_ns = 0, first = 0, last = 0;
	long long lost;

	lost = tracefs_lost();
	buf = tracefs_read();
	if (!buf) {
		snprintf(err, errlen, "failed to read trace instance %s: %s", INSTANCE,
			 strerror(errno));
		return -1;
	}
	if (lost > 0) {
		free(buf);
		snprintf(err, errlen, "the trace buffer lost %lld events: raise --buffer-kb (now %ld)",
			 lost, buffer_kb);
		return -1;
	}
	r->attach_at_ms = r->map_start_at_ms = r->map_end_at_ms = NAN;
	for (line = buf; line && *line; line = eol ? eol + 1 : NULL) {
		long long ret, start, len;

		eol = strchr(line, '\n');
		if (eol)
			*eol = 0;
		if (!parse_record(line, &ts, name, sizeof(name)) || ts > t_ready + 1000)
			continue;
		if (!strcmp(name, "iommufd_ioas_map") || !strcmp(name, "vfio_iommu_type1_dma_map")) {
			bool iommufd = name[0] == 'i';

			ret = field(line, name, "ret");
			len = field(line, name, iommufd ? "length" : "size");
			start = field(line, name, "start_ns");
			r->map_calls++;
			if (ret)
				r->map_errors++;
			else if (len > 0)
				r->map_bytes += len;
			if (start > 0) {
				map_ns += ts > (uint64_t)start ? ts - start : 0;
				if (!first || (uint64_t)start < first)
					first = start;
			}
			if (ts > last)
				last = ts;
		} else if (!strcmp(name, "iommufd_ioas_unmap") ||
			   !strcmp(name, "vfio_iommu_type1_dma_unmap")) {
			len = field(line, name, "unmapped");
			r->unmap_calls++;
			if (len > 0)
				r->unmap_bytes += len;
		} else if (!strcmp(name, "iommufd_pages_pin") ||
			   !strcmp(name, "vfio_iommu_type1_pin_pages")) {
			ret = field(line, name, "ret");
			r->pin_calls++;
			if (ret > 0)
				r->pinned_pages += ret;
		} else if (!strcmp(name, "iotlb_sync")) {
			r->iotlb_syncs++;
		} else if (!strcmp(name, "iommufd_device_attach") ||
			   !strcmp(name, "vfio_iommu_type1_attach_group")) {
			if (field(line, name, "ret") == 0 && isnan(r->attach_at_ms))
				r->attach_at_ms = (ts - t0) / 1e6;
		}
	}
	free(buf);
	r->map_ms = map_ns / 1e6;
	if (first)
		r->map_start_at_ms = (first - t0) / 1e6;
	if (last)
		r->map_end_at_ms = (last - t0) / 1e6;
	return 0;
}

/* ---- one QEMU start ---- */

/* Wait up to @ms for QEMU to exit; true if it did (and was reaped). */
static bool wait_child(int ms)
{
	int i;

	for (i = 0; child > 0 && i < ms / 10; i++) {
		if (waitpid(child, NULL, WNOHANG) == child) {
			child = 0;
			return true;
		}
		usleep(10000);
	}
	return child <= 0;
}

static int run_one(struct vcase *c, struct run *r, char *err, size_t errlen)
{
	struct qmp q = { .fd = -1 };
	char sock[SOCK_MAX + 16], logp[SOCK_MAX + 16], id[64], *text;
	uint64_t t0, t_ready, deadline, tq;
	long long pin0 = pin_check ? pinned_now() : -1, pin1;
	struct argv a;
	ssize_t l;
	int fd, ret = -1, i;

	case_id(c, id, sizeof(id));
	memset(r, 0, sizeof(*r));
	snprintf(sock, sizeof(sock), "%s/" SOCK_NAME, tmpdir);
	snprintf(logp, sizeof(logp), "%s/qemu.log", tmpdir);
	unlink(sock);
	build_cmd(c, sock, &a);
	if (cli_verbose) {
		fprintf(stderr, "vmstart: ");
		print_cmd(stderr, &a);
	}
	if (tracing && trace_arm(err, errlen))
		goto out;
	fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "failed to create %s: %s", logp, strerror(errno));
		goto out;
	}
	q.cap = 65536;
	q.buf = malloc(q.cap);
	if (!q.buf) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		goto out;
	}

	t0 = bstat_now_ns();
	child = fork();
	if (child < 0) {
		child = 0;
		close(fd);
		snprintf(err, errlen, "failed to fork: %s", strerror(errno));
		goto out;
	}
	if (!child) {
		int null = open("/dev/null", O_RDONLY);

		/*
		 * QEMU goes when vmstart goes, whatever kills it; a ^C on the
		 * terminal reaches vmstart only, which then ends QEMU.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, 0);
		dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(a.v[0], a.v);
		dprintf(2, "vmstart: failed to execute %s: %s\n", a.v[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	deadline = t0 + (uint64_t)timeout_s * 1000000000ULL;
	if (qmp_connect(&q, sock, deadline, err, errlen, id))
		goto out;
	/* The greeting, then capabilities negotiation, then the status. */
	if ((l = qmp_line(&q, deadline, err, errlen, id)) < 0)
		goto out;
	qmp_consume(&q, l);
	if ((l = qmp_cmd(&q, "{\"execute\":\"qmp_capabilities\"}", deadline, err, errlen, id)) < 0)
		goto out;
	qmp_consume(&q, l);
	if ((l = qmp_cmd(&q, "{\"execute\":\"query-status\"}", deadline, err, errlen, id)) < 0)
		goto out;
	t_ready = bstat_now_ns();
	if (!strstr(q.buf, "\"prelaunch\"")) {
		snprintf(err, errlen, "QEMU is not paused in prelaunch (%s): %.200s", id, q.buf);
		goto out;
	}
	qmp_consume(&q, l);
	r->ready_ms = (t_ready - t0) / 1e6;
	if (tracing && trace_collect(r, t0, t_ready, err, errlen))
		goto out;

	/* QEMU's own memory map: what the VFIO listener should have mapped. */
	l = qmp_cmd(&q, "{\"execute\":\"human-monitor-command\","
		    "\"arguments\":{\"command-line\":\"info mtree -f\"}}",
		    bstat_now_ns() + 30000000000ULL, err, errlen, id);
	if (l < 0)
		goto out;
	text = json_return_string(q.buf);
	r->expected_bytes = text ? expected_from_mtree(text) : 0;
	qmp_consume(&q, l);

	tq = bstat_now_ns();
	if (write(q.fd, "{\"execute\":\"quit\"}\n", 19) != 19 || !wait_child(QUIT_WAIT_S * 1000)) {
		fprintf(stderr, "vmstart: QEMU did not quit within %d s (%s): killing it\n",
			QUIT_WAIT_S, id);
		kill_child();
	}
	r->quit_ms = (bstat_now_ns() - tq) / 1e6;

	/* Everything QEMU pinned must be unpinned now that it is gone. */
	if (pin0 >= 0) {
		for (i = 0; i < 50; i++) {
			pin1 = pinned_now();
			if (pin1 <= pin0)
				break;
			usleep(100000);
		}
		if (pin1 > pin0) {
			snprintf(err, errlen, "%lld pages still pinned 5 s after QEMU exited (%s; "
				 "nr_foll_pin_acquired - nr_foll_pin_released was %lld before)",
				 pin1 - pin0, id, pin0);
			goto out;
		}
	}
	ret = 0;
out:
	if (q.fd >= 0)
		close(q.fd);
	free(q.buf);
	kill_child();
	argv_free(&a);
	return ret;
}

/* ---- checks before anything starts ---- */

static void precheck(void)
{
	uint64_t anon_peak = 0, huge_peak = 0, total, avail;
	char err[512], drv[64], dir[256];
	long free_huge, nr;
	int maj = 0, min = 0, i;

	if (geteuid())
		die("must run as root: QEMU opens /dev/vfio%s and pins guest RAM, and vmstart "
		    "reads tracefs", run_backend[BE_IOMMUFD] ? " and /dev/iommu" : "");
	/* Before the QEMU and device checks, so that it is checked on any host. */
	make_rundir();
	if (resolve_qemu(qemu_opt, qemu_path, sizeof(qemu_path)))
		die("no QEMU at %s (install qemu-system-x86 >= 9.0, e.g. make deps, or --qemu PATH)",
		    qemu_path);
	if (probe_qemu(&maj, &min, err, sizeof(err)))
		die("%s", err);
	if (run_backend[BE_IOMMUFD] && (maj < 9 || !qemu_has_object("iommufd")))
		die("QEMU %d.%d at %s %s: the iommufd backend needs QEMU >= 9.0 with -object "
		    "iommufd (-b type1 runs without it)", maj, min, qemu_path,
		    maj < 9 ? "is too old" : "has no iommufd object");
	if (run_backend[BE_IOMMUFD] && access("/dev/iommu", F_OK))
		die("no /dev/iommu (kernel without CONFIG_IOMMUFD?); -b type1 runs without it");

	/* The device: present, on vfio-pci, in an IOMMU group, with a cdev for iommufd. */
	if (bdf_opt) {
		if (sys_pci_bdf(bdf_opt, bdf, sizeof(bdf), err, sizeof(err)))
			die("%s", err);
	} else {
		find_device(err, sizeof(err));
		if (!bdf[0])
			die("%s", err);
	}
	if (sys_pci_vfio_check(bdf, err, sizeof(err)))
		die("%s", err);
	snprintf(dir, sizeof(dir), SYSFS_PCI "/%s", bdf);
	if (sys_link_name(dir, "iommu_group", drv, sizeof(drv)))
		die("%s has no IOMMU group (IOMMU off? intel_iommu=on)", bdf);
	snprintf(dir, sizeof(dir), SYSFS_PCI "/%s/vfio-dev", bdf);
	if (run_backend[BE_IOMMUFD] && access(dir, F_OK))
		die("%s has no VFIO device cdev (%s; CONFIG_VFIO_DEVICE_CDEV?); -b type1 runs "
		    "without it", bdf, dir);

	for (i = 0; i < ncases; i++) {
		if (cases[i].bk == BK_HUGETLB && cases[i].ram > huge_peak)
			huge_peak = cases[i].ram;
		if (cases[i].bk == BK_ANON && cases[i].ram > anon_peak)
			anon_peak = cases[i].ram;
	}
	total = sys_meminfo("MemTotal");
	avail = sys_meminfo("MemAvailable");
	if (total && (anon_peak > total || huge_peak > total))
		die("impossible size: a case needs %" PRIu64 "M of guest RAM, the machine has %" PRIu64
		    "M", (anon_peak > huge_peak ? anon_peak : huge_peak) >> 20, total >> 20);
	/* QEMU itself wants some: leave it 128 MiB on top of the guest RAM. */
	if (avail && anon_peak && anon_peak + (128ULL << 20) > avail)
		die("the %" PRIu64 "M anon case needs %" PRIu64 "M of memory (guest RAM + 128M for "
		    "QEMU) but only %" PRIu64 "M is available; use smaller -S or more memory",
		    anon_peak >> 20, (anon_peak >> 20) + 128, avail >> 20);
	if (huge_peak) {
		if (hugetlbfs_opt) {
			struct stat st;

			if (stat(hugetlbfs_opt, &st) || !S_ISDIR(st.st_mode))
				die("no directory %s (--hugetlbfs)", hugetlbfs_opt);
			snprintf(hugedir, sizeof(hugedir), "%s", hugetlbfs_opt);
		} else if (find_hugetlbfs()) {
			die("no hugetlbfs with 2 MiB pages mounted: mount -t hugetlbfs -o pagesize=2M "
			    "none /dev/hugepages (or --hugetlbfs DIR, or drop hugetlb from -B)");
		}
		free_huge = sys_read_long(SYS_HUGEDIR_2M "/free_hugepages");
		nr = sys_read_long("/proc/sys/vm/nr_hugepages");
		if (free_huge < 0)
			die("no 2 MiB hugetlb pages in this kernel (%s missing; CONFIG_HUGETLBFS?)",
			    SYS_HUGEDIR_2M);
		if ((uint64_t)free_huge < huge_peak / SZ_2M)
			die("hugetlbfs has %ld free 2 MiB pages, the %" PRIu64 "M hugetlb case needs %"
			    PRIu64 ": echo %" PRIu64 " > /proc/sys/vm/nr_hugepages (or drop hugetlb "
			    "from -B)", free_huge, huge_peak >> 20, huge_peak / SZ_2M,
			    huge_peak / SZ_2M + (nr > free_huge ? nr - free_huge : 0));
	}
}

/* ---- output ---- */

typedef double (*getter)(const struct run *r);

#define GETTER(f) static double get_##f(const struct run *r) { return (double)r->f; }
GETTER(ready_ms)
GETTER(map_ms)
GETTER(quit_ms)
GETTER(map_calls)
GETTER(map_bytes)
GETTER(map_errors)
GETTER(unmap_calls)
GETTER(unmap_bytes)
GETTER(pin_calls)
GETTER(pinned_pages)
GETTER(iotlb_syncs)
GETTER(attach_at_ms)
GETTER(map_start_at_ms)
GETTER(map_end_at_ms)
GETTER(expected_bytes)
static double get_map_frac(const struct run *r)
{
	return r->ready_ms > 0 ? r->map_ms / r->ready_ms : NAN;
}

/* Statistics of one figure over a case's runs (NANs left out). */
static struct bstat stat_of(const struct vcase *c, getter g)
{
	double v[c->n ? c->n : 1];
	struct bstat st;
	int i, n = 0;

	for (i = 0; i < c->n; i++)
		if (!isnan(g(&c->runs[i])))
			v[n++] = g(&c->runs[i]);
	st = bstat_of(v, n);
	return st;
}

static double median(const struct vcase *c, getter g)
{
	return stat_of(c, g).median;
}

static void json_stats(struct json *j, const char *key, const struct vcase *c, getter g)
{
	struct bstat st = stat_of(c, g);

	if (!st.n) {
		json_null(j, key);
		return;
	}
	json_object_begin(j, key);
	bstat_json(j, &st);
	json_object_end(j);
}

/* A median as an integer when it is one. */
static void json_num(struct json *j, const char *key, double v)
{
	if (isnan(v))
		json_null(j, key);
	else if (v == floor(v) && v >= 0 && v < 1e18)
		json_uint(j, key, (uint64_t)v);
	else
		json_double(j, key, v);
}

static void json_env(struct json *j)
{
	bstat_env_begin(j);
	bstat_host_json(j, series);
	json_string(j, "device", bdf);
	json_string(j, "qemu", qemu_version);
	json_string(j, "qemu_path", qemu_path);
	json_string(j, "accel", accel);
	json_string(j, "mode", tracing ? "events" : "wall time only");
	json_object_end(j);
}

static void write_json(FILE *f)
{
	struct json j;
	char id[64];
	int i, k, b;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "vmstart");
	json_int(&j, "version", 1);
	json_string(&j, "unit", "ms");
	json_env(&j);
	json_object_begin(&j, "config");
	json_array_begin(&j, "backends");
	for (b = 0; b < BE_NR; b++)
		if (run_backend[b])
			json_string(&j, NULL, be_names[b]);
	json_array_end(&j);
	json_array_begin(&j, "ram_mb");
	for (i = 0; i < nsizes; i++)
		json_uint(&j, NULL, sizes[i] >> 20);
	json_array_end(&j);
	json_array_begin(&j, "backings");
	for (b = 0; b < BK_NR; b++)
		if (backing_on[b])
			json_string(&j, NULL, bk_names[b]);
	json_array_end(&j);
	json_uint(&j, "repeat", repeat);
	json_string(&j, "prealloc", prealloc < 0 ? "auto" : prealloc ? "on" : "off");
	json_string(&j, "hugetlbfs", hugedir);
	json_int(&j, "timeout_s", timeout_s);
	json_int(&j, "buffer_kb", buffer_kb);
	json_int(&j, "smp", smp);
	json_string(&j, "boot", boot_opt ? boot_opt : "");
	json_array_begin(&j, "qemu_args");
	for (i = 0; i < nextra; i++)
		json_string(&j, NULL, extra[i]);
	json_array_end(&j);
	json_object_end(&j);

	json_array_begin(&j, "cases");
	for (i = 0; i < ncases; i++) {
		const struct vcase *c = &cases[i];

		case_id(c, id, sizeof(id));
		json_object_begin(&j, NULL);
		json_string(&j, "id", id);
		json_string(&j, "backend", be_names[c->be]);
		json_uint(&j, "ram_mb", c->ram >> 20);
		json_string(&j, "backing", bk_names[c->bk]);
		json_bool(&j, "prealloc", case_prealloc(c));
		json_int(&j, "n", c->n);
		json_stats(&j, "ready_ms", c, get_ready_ms);
		json_stats(&j, "quit_ms", c, get_quit_ms);
		if (tracing) {
			json_stats(&j, "map_ms", c, get_map_ms);
			json_stats(&j, "map_calls", c, get_map_calls);
			json_num(&j, "map_frac", median(c, get_map_frac));
			json_num(&j, "map_bytes", median(c, get_map_bytes));
			json_num(&j, "map_errors", median(c, get_map_errors));
			json_num(&j, "unmap_calls", median(c, get_unmap_calls));
			json_num(&j, "unmap_bytes", median(c, get_unmap_bytes));
			json_num(&j, "pin_calls", median(c, get_pin_calls));
			json_num(&j, "pinned_pages", median(c, get_pinned_pages));
			json_num(&j, "iotlb_syncs", median(c, get_iotlb_syncs));
			json_num(&j, "attach_at_ms", median(c, get_attach_at_ms));
			json_num(&j, "map_start_at_ms", median(c, get_map_start_at_ms));
			json_num(&j, "map_end_at_ms", median(c, get_map_end_at_ms));
		} else {
			static const char *const none[] = {
				"map_ms", "map_calls", "map_frac", "map_bytes", "map_errors",
				"unmap_calls", "unmap_bytes", "pin_calls", "pinned_pages",
				"iotlb_syncs", "attach_at_ms", "map_start_at_ms", "map_end_at_ms"
			};

			for (k = 0; k < (int)(sizeof(none) / sizeof(none[0])); k++)
				json_null(&j, none[k]);
		}
		json_num(&j, "expected_bytes", median(c, get_expected_bytes));
		json_array_begin(&j, "runs");
		for (k = 0; k < c->n; k++) {
			const struct run *r = &c->runs[k];

			json_object_begin(&j, NULL);
			json_double(&j, "ready_ms", r->ready_ms);
			json_double(&j, "quit_ms", r->quit_ms);
			if (tracing) {
				json_double(&j, "map_ms", r->map_ms);
				json_uint(&j, "map_calls", r->map_calls);
				json_uint(&j, "map_bytes", r->map_bytes);
				json_uint(&j, "map_errors", r->map_errors);
				json_uint(&j, "unmap_calls", r->unmap_calls);
				json_uint(&j, "unmap_bytes", r->unmap_bytes);
				json_uint(&j, "pin_calls", r->pin_calls);
				json_uint(&j, "pinned_pages", r->pinned_pages);
				json_uint(&j, "iotlb_syncs", r->iotlb_syncs);
				json_double(&j, "attach_at_ms", r->attach_at_ms);
				json_double(&j, "map_start_at_ms", r->map_start_at_ms);
				json_double(&j, "map_end_at_ms", r->map_end_at_ms);
			}
			json_uint(&j, "expected_bytes", r->expected_bytes);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

/* ms as "3512", "41.2", "0.93" in @buf; "-" for NAN. */
static const char *ms_str(double ms, char *buf, size_t len)
{
	if (isnan(ms))
		snprintf(buf, len, "-");
	else if (ms >= 1000)
		snprintf(buf, len, "%.0f", ms);
	else if (ms >= 10)
		snprintf(buf, len, "%.1f", ms);
	else
		snprintf(buf, len, "%.2f", ms);
	return buf;
}

/* Bytes as "513M" / "1.0G". */
static const char *bytes_str(double b, char *buf, size_t len)
{
	if (isnan(b))
		snprintf(buf, len, "-");
	else if (b >= (double)(1ULL << 30))
		snprintf(buf, len, "%.1fG", b / (1ULL << 30));
	else
		snprintf(buf, len, "%.0fM", b / (1ULL << 20));
	return buf;
}

static void print_table(FILE *f)
{
	char plat[64], a[16], b[16], c2[16], d[16], e[16], id[64];
	struct utsname u;
	int i;

	uname(&u);
	fprintf(f, "# %s, kernel %s, series events %s%s%s\n", bstat_platform(plat, sizeof(plat)),
		u.release, bstat_series_events() ? "yes" : "no", series ? ", series " : "",
		series ? series : "");
	fprintf(f, "# QEMU %.*s -accel %s, device %s; medians of N starts;\n",
		(int)strcspn(qemu_version, " "), qemu_version, accel, bdf);
	fprintf(f, "# READY: exec -> QMP answers, paused (-S)%s\n",
		tracing ? "" : "\n# kernel without the series' events: wall time only");
	if (tracing)
		fprintf(f, "# MAP: time inside the map ioctls, MAP%%: of READY, CV over the N starts;\n"
			"# BYTES mapped, PINNED pages, SYNCS: IOTLB syncs, up to READY\n");
	fprintf(f, "%-20s %2s %7s %4s %7s %4s %5s %5s %5s %6s %5s\n", "CASE", "N", "READY", "CV",
		"MAP", "CV", "MAP%", "CALLS", "BYTES", "PINNED", "SYNCS");
	for (i = 0; i < ncases; i++) {
		const struct vcase *c = &cases[i];
		struct bstat rs = stat_of(c, get_ready_ms), ms = stat_of(c, get_map_ms);

		case_id(c, id, sizeof(id));
		fprintf(f, "%-20s %2d %7s %3.0f%%", id, c->n, ms_str(rs.median, a, sizeof(a)),
			isnan(rs.cv) ? 0 : rs.cv * 100);
		if (!tracing) {
			fprintf(f, " %7s %4s %5s %5s %5s %6s %5s\n", "-", "-", "-", "-", "-", "-", "-");
			continue;
		}
		fprintf(f, " %7s %3.0f%% %4.1f%% %5.0f %5s %6.0f %5.0f\n",
			ms_str(ms.median, b, sizeof(b)), isnan(ms.cv) ? 0 : ms.cv * 100,
			median(c, get_map_frac) * 100, median(c, get_map_calls),
			bytes_str(median(c, get_map_bytes), c2, sizeof(c2)),
			median(c, get_pinned_pages), median(c, get_iotlb_syncs));
	}
	if (!tracing)
		return;
	fprintf(f, "\n# where the time goes, ms after exec (medians): ATTACH device attached,\n"
		"# MAP0 first map entered, MAPEND last map returned, READY QMP answers; PINS:\n"
		"# pin batches; QUIT: quit -> QEMU reaped (unmap and unpin included)\n");
	fprintf(f, "%-20s %8s %8s %8s %8s %6s %8s\n", "CASE", "ATTACH", "MAP0", "MAPEND",
		"READY", "PINS", "QUIT");
	for (i = 0; i < ncases; i++) {
		const struct vcase *c = &cases[i];

		case_id(c, id, sizeof(id));
		fprintf(f, "%-20s %8s %8s %8s %8s %6.0f %8s\n", id,
			ms_str(median(c, get_attach_at_ms), a, sizeof(a)),
			ms_str(median(c, get_map_start_at_ms), b, sizeof(b)),
			ms_str(median(c, get_map_end_at_ms), c2, sizeof(c2)),
			ms_str(median(c, get_ready_ms), d, sizeof(d)), median(c, get_pin_calls),
			ms_str(median(c, get_quit_ms), e, sizeof(e)));
	}
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	enum { OPT_QEMU = 256, OPT_ACCEL, OPT_SMP, OPT_BOOT, OPT_APPEND, OPT_PREALLOC, OPT_HUGETLBFS, OPT_BUFKB,
	       OPT_NOPIN, OPT_QUICK, OPT_DRY };
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, 'b' },
		{ "ram-sizes", required_argument, NULL, 'S' },
		{ "backing", required_argument, NULL, 'B' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "qemu", required_argument, NULL, OPT_QEMU },
		{ "accel", required_argument, NULL, OPT_ACCEL },
		{ "smp", required_argument, NULL, OPT_SMP },
		{ "boot", required_argument, NULL, OPT_BOOT },
		{ "append", required_argument, NULL, OPT_APPEND },
		{ "prealloc", required_argument, NULL, OPT_PREALLOC },
		{ "hugetlbfs", required_argument, NULL, OPT_HUGETLBFS },
		{ "timeout", required_argument, NULL, 'T' },
		{ "buffer-kb", required_argument, NULL, OPT_BUFKB },
		{ "no-pin-check", no_argument, NULL, OPT_NOPIN },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "series", required_argument, NULL, 'H' },
		{ "no-progress", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sigaction sa = { .sa_handler = on_signal };
	bool quick = false;
	char err[1024], id[64];
	FILE *jf = NULL;
	int opt, i, s, b, be, round, total, step = 0, o;

	cli_name = "vmstart";
	while ((opt = getopt_long(argc, argv, "d:b:S:B:r:T:jo:H:qvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			bdf_opt = optarg;
			break;
		case 'b':
			run_backend[0] = run_backend[1] = false;
			if (!strcmp(optarg, "both"))
				run_backend[0] = run_backend[1] = true;
			else if (!strcmp(optarg, "iommufd"))
				run_backend[BE_IOMMUFD] = true;
			else if (!strcmp(optarg, "type1"))
				run_backend[BE_TYPE1] = true;
			else {
				cli_usage_error(usage, "bad backend '%s': iommufd, type1 or both", optarg);
				return 2;
			}
			break;
		case 'S':
			nsizes = sys_sizes(optarg, sizes, MAX_SIZES, &ram_rule, err, sizeof(err));
			if (nsizes < 0) {
				cli_usage_error(usage, "%s", err);
				return 2;
			}
			break;
		case 'B':
			if (cli_parse_names(optarg, bk_names, BK_NR, backing_on, err, sizeof(err))) {
				cli_usage_error(usage, "bad backing '%s': anon or hugetlb", err);
				return 2;
			}
			backing_set = true;
			break;
		case 'r':
			if (cli_parse_long(optarg, 1, &repeat) || repeat > 1000) {
				cli_usage_error(usage, "-r takes a count from 1 to 1000");
				return 2;
			}
			break;
		case 'T':
			if (cli_parse_long(optarg, 1, &timeout_s) || timeout_s > 86400) {
				cli_usage_error(usage, "-T takes seconds from 1 to 86400");
				return 2;
			}
			break;
		case OPT_QEMU:
			if (!*optarg) {
				cli_usage_error(usage, "--qemu takes a path");
				return 2;
			}
			qemu_opt = optarg;
			break;
		case OPT_ACCEL:
			if (strcmp(optarg, "tcg") && strcmp(optarg, "kvm")) {
				cli_usage_error(usage, "bad accelerator '%s': tcg or kvm", optarg);
				return 2;
			}
			accel = optarg;
			break;
		case OPT_SMP:
			if (cli_parse_long(optarg, 1, &smp) || smp > 1024) {
				cli_usage_error(usage, "--smp takes 1 to 1024 CPUs");
				return 2;
			}
			break;
		case OPT_BOOT: {
			const char *comma = strchr(optarg, ',');

			if (!*optarg || comma == optarg || (comma && (!comma[1] || strchr(comma + 1, ',')))) {
				cli_usage_error(usage, "bad --boot '%s': KERNEL or KERNEL,INITRD", optarg);
				return 2;
			}
			boot_opt = optarg;
			snprintf(boot_kernel, sizeof(boot_kernel), "%.*s",
				 comma ? (int)(comma - optarg) : (int)strlen(optarg), optarg);
			snprintf(boot_initrd, sizeof(boot_initrd), "%s", comma ? comma + 1 : "");
			break;
		}
		case OPT_APPEND:
			append_opt = optarg;
			break;
		case OPT_PREALLOC:
			if (!strcmp(optarg, "on"))
				prealloc = 1;
			else if (!strcmp(optarg, "off"))
				prealloc = 0;
			else if (!strcmp(optarg, "auto"))
				prealloc = -1;
			else {
				cli_usage_error(usage, "bad --prealloc '%s': on, off or auto", optarg);
				return 2;
			}
			break;
		case OPT_HUGETLBFS:
			hugetlbfs_opt = optarg;
			break;
		case OPT_BUFKB:
			if (cli_parse_long(optarg, 64, &buffer_kb) || buffer_kb > (1L << 22)) {
				cli_usage_error(usage, "--buffer-kb takes 64 to 4194304");
				return 2;
			}
			break;
		case OPT_NOPIN:
			pin_check = false;
			break;
		case 'j':
			json_stdout = true;
			break;
		case 'o':
			json_path = optarg;
			break;
		case 'H':
			series = optarg;
			break;
		case 'q':
			progress = false;
			break;
		case 'v':
			cli_verbose = true;
			break;
		case OPT_QUICK:
			quick = true;
			break;
		case OPT_DRY:
			dry_run = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	/* After "--": QEMU's. */
	if (optind < argc && !strcmp(argv[optind - 1], "--")) {
		for (; optind < argc; optind++) {
			if (nextra == MAX_EXTRA) {
				cli_usage_error(usage, "at most %d QEMU arguments after --", MAX_EXTRA);
				return 2;
			}
			extra[nextra++] = argv[optind];
		}
	}
	if (optind != argc) {
		cli_usage_error(usage, "unexpected argument '%s' (QEMU arguments go after --)",
				argv[optind]);
		return 2;
	}
	if (!series && getenv("IOASID_SERIES") && *getenv("IOASID_SERIES"))
		series = getenv("IOASID_SERIES");
	if (nsizes < 0) {
		if (quick) {
			sizes[0] = 64 * SZ_1M;
			nsizes = 1;
		} else {
			sizes[0] = 256 * SZ_1M, sizes[1] = 512 * SZ_1M, sizes[2] = 1024 * SZ_1M;
			nsizes = 3;
		}
	}
	if (!backing_set)
		backing_on[BK_ANON] = backing_on[BK_HUGETLB] = true;
	if (repeat < 0)
		repeat = quick ? 2 : 3;
	if (!backing_on[BK_ANON] && !backing_on[BK_HUGETLB]) {
		cli_usage_error(usage, "no backing");
		return 2;
	}
	for (s = 0; s < nsizes; s++)
		for (b = 0; b < BK_NR; b++)
			for (be = 0; be < BE_NR; be++) {
				struct vcase *c;

				if (!backing_on[b] || !run_backend[be])
					continue;
				cases = realloc(cases, (ncases + 1) * sizeof(*cases));
				if (!cases)
					die("out of memory");
				c = &cases[ncases++];
				memset(c, 0, sizeof(*c));
				c->be = be;
				c->ram = sizes[s];
				c->bk = b;
				c->runs = calloc(repeat, sizeof(*c->runs));
				if (!c->runs)
					die("out of memory");
			}

	if (dry_run) {
		char base[PATH_MAX], sock[PATH_MAX + 32];
		struct argv a = { 0 };

		tmp_base(base, sizeof(base));
		snprintf(sock, sizeof(sock), "%s/" RUNDIR_NAME "/" SOCK_NAME,
			 strcmp(base, "/") ? base : "");

		/* No checks: show what would run, with a placeholder where one is missing. */
		if (resolve_qemu(qemu_opt, qemu_path, sizeof(qemu_path)))
			snprintf(qemu_path, sizeof(qemu_path), "%s", qemu_opt);
		if (bdf_opt) {
			if (sys_pci_bdf(bdf_opt, bdf, sizeof(bdf), err, sizeof(err)))
				die("%s", err);
		} else {
			find_device(err, sizeof(err));
			if (!bdf[0])
				snprintf(bdf, sizeof(bdf), "0000:00:03.0");
		}
		if (hugetlbfs_opt)
			snprintf(hugedir, sizeof(hugedir), "%s", hugetlbfs_opt);
		else if (find_hugetlbfs())
			snprintf(hugedir, sizeof(hugedir), "/dev/hugepages");
		for (i = 0; i < ncases; i++) {
			case_id(&cases[i], id, sizeof(id));
			printf("# %s\n", id);
			build_cmd(&cases[i], sock, &a);
			print_cmd(stdout, &a);
			argv_free(&a);
		}
		return 0;
	}

	precheck();
	tracing = bstat_series_events();
	if (!tracing)
		fprintf(stderr, "vmstart: no ioasid-trace events in %s (a kernel without the series?): "
			"measuring the ready time only\n", tracefs_root());
	else
		trace_setup();
	if (json_path) {
		jf = fopen(json_path, "w");
		if (!jf)
			die("failed to create %s: %s", json_path, strerror(errno));
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	t_start = cli_now();
	total = ncases * repeat;
	for (round = 0; round < repeat; round++) {
		for (i = 0; i < ncases; i += o) {
			/* Cases of one size and backing: one per backend, order alternating. */
			int k, grp = 1;

			while (i + grp < ncases && cases[i + grp].ram == cases[i].ram &&
			       cases[i + grp].bk == cases[i].bk)
				grp++;
			o = grp;
			for (k = 0; k < grp; k++) {
				struct vcase *c = &cases[i + ((k + round + i / grp) % grp)];
				struct run *r = &c->runs[c->n];

				case_id(c, id, sizeof(id));
				step++;
				if (progress)
					fprintf(stderr, "[%*d/%d %7.1fs] %s, round %d/%ld\n",
						total >= 10 ? 2 : 1, step, total, cli_now() - t_start, id,
						round + 1, repeat);
				if (run_one(c, r, err, sizeof(err))) {
					if (jf) {
						fclose(jf);
						unlink(json_path);
					}
					die("%s", stop ? "interrupted" : err);
				}
				c->n++;
				if (cli_verbose && tracing)
					fprintf(stderr, "vmstart: %s: ready %.1f ms, map %.1f ms in %" PRIu64
						" calls, %" PRIu64 " bytes (QEMU's map: %" PRIu64 "), "
						"%" PRIu64 " pages pinned in %" PRIu64 " batches, %" PRIu64
						" IOTLB syncs, quit %.1f ms\n", id, r->ready_ms, r->map_ms,
						r->map_calls, r->map_bytes, r->expected_bytes,
						r->pinned_pages, r->pin_calls, r->iotlb_syncs, r->quit_ms);
				else if (cli_verbose)
					fprintf(stderr, "vmstart: %s: ready %.1f ms, quit %.1f ms\n", id,
						r->ready_ms, r->quit_ms);
				if (stop)
					die("interrupted");
			}
		}
	}
	if (progress)
		fprintf(stderr, "done in %.1fs\n", cli_now() - t_start);
	cleanup();
	if (jf) {
		write_json(jf);
		if (fclose(jf))
			die("failed to write %s: %s", json_path, strerror(errno));
	}
	if (json_stdout)
		write_json(stdout);
	else
		print_table(stdout);
	return 0;
}
