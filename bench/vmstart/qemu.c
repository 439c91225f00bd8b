// SPDX-License-Identifier: GPL-2.0
/*
 * vmstart's QEMU: the run directory for its QMP socket and log, its
 * command line for a case, and one start: fork+exec paused (-S), QMP
 * until query-status says "prelaunch" (the ready time), the events up to
 * then, QEMU's own memory map, quit, and every pin released.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchstat.h"
#include "cli.h"
#include "vmstart.h"

#define QUIT_WAIT_S	15

static char tmpdir[SOCK_MAX];	/* the run directory, "" when there is none */
static pid_t child;		/* QEMU while it runs */

/* Kill and reap QEMU if one runs. */
void kill_child(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = 0;
	}
}

/* Kill and reap QEMU if one runs; remove the run directory. */
void qemu_cleanup(void)
{
	static const char *const files[] = { SOCK_NAME, "qemu.log" };
	char path[SOCK_MAX + 16];
	int i;

	kill_child();
	if (!tmpdir[0])
		return;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	tmpdir[0] = 0;
}

const char *rundir(void)
{
	return tmpdir;
}

/*
 * Where the run directory goes, into @buf: $TMPDIR without trailing
 * slashes, else /tmp.  /tmp may be read-only: the testbed guest leaves the
 * host's /tmp uncovered when the project lives there, and gives TMPDIR a
 * tmpfs instead.
 */
const char *tmp_base(char *buf, size_t len)
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
void make_rundir(void)
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

/* @src into @out (@len > 0), truncated. */
void copy_str(char *out, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(out, src, n);
	out[n] = 0;
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
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * host.qemu_version from "QEMU emulator version 10.0.2 (Debian ...)"; the
 * major and minor into @maj/@min.  0, or -1 with a message in @err.
 */
int probe_qemu(int *maj, int *min, char *err, size_t errlen)
{
	char *argv[] = { host.qemu_path, "--version", NULL };
	char out[4096], *p;
	int rc;

	rc = capture(argv, out, sizeof(out));
	p = strstr(out, "version ");
	if (rc || !p || sscanf(p + 8, "%d.%d", maj, min) != 2) {
		out[strcspn(out, "\n")] = 0;
		snprintf(err, errlen, "%.200s --version did not say which QEMU it is (exit %d%s%.200s)",
			 host.qemu_path, rc, out[0] ? ": " : "", out);
		return -1;
	}
	p += 8;
	p[strcspn(p, "\n")] = 0;
	snprintf(host.qemu_version, sizeof(host.qemu_version), "%s", p);
	return 0;
}

/* Does QEMU list @type under -object help? */
bool qemu_has_object(const char *type)
{
	char *argv[] = { host.qemu_path, "-object", "help", NULL };
	static char out[65536];
	char pat[64];

	if (capture(argv, out, sizeof(out)) < 0)
		return false;
	snprintf(pat, sizeof(pat), "  %s\n", type);
	return strstr(out, pat) != NULL;
}

/* ---- the command line ---- */

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

void argv_free(struct argv *a)
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

void build_cmd(const struct vcase *c, const char *sock, struct argv *a)
{
	uint64_t mb = c->ram >> 20;
	char id[64], esc[2 * PATH_MAX];
	int i;

	case_id(c, id, sizeof(id));
	a->n = 0;
	arg(a, "%s", host.qemu_path);
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
	arg(a, "%s", cfg.accel);
	if (!strcmp(cfg.accel, "kvm")) {
		arg(a, "-cpu");
		arg(a, "host");
	}
	arg(a, "-smp");
	arg(a, "%ld", cfg.smp);
	arg(a, "-m");
	arg(a, "%" PRIu64 "M", mb);
	arg(a, "-object");
	if (c->bk == BK_HUGETLB)
		arg(a, "memory-backend-file,id=ram0,size=%" PRIu64 "M,mem-path=%s,prealloc=%s", mb,
		    host.hugedir, case_prealloc(c) ? "on" : "off");
	else
		arg(a, "memory-backend-ram,id=ram0,size=%" PRIu64 "M,prealloc=%s", mb,
		    case_prealloc(c) ? "on" : "off");
	arg(a, "-qmp");
	arg(a, "unix:%s,server=on,wait=off", opt_escape(sock, esc, sizeof(esc)));
	if (c->be == BE_IOMMUFD) {
		arg(a, "-object");
		arg(a, "iommufd,id=iommufd0");
		arg(a, "-device");
		arg(a, "vfio-pci,host=%s,id=hostdev0,iommufd=iommufd0", host.bdf);
	} else {
		arg(a, "-device");
		arg(a, "vfio-pci,host=%s,id=hostdev0", host.bdf);
	}
	if (cfg.boot_opt) {
		arg(a, "-kernel");
		arg(a, "%s", cfg.boot_kernel);
		if (cfg.boot_initrd[0]) {
			arg(a, "-initrd");
			arg(a, "%s", cfg.boot_initrd);
		}
		arg(a, "-append");
		arg(a, "%s", cfg.append);
	}
	for (i = 0; i < cfg.nextra; i++)
		arg(a, "%s", cfg.extra[i]);
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

void print_cmd(FILE *f, const struct argv *a)
{
	int i;

	for (i = 0; i < a->n; i++) {
		if (i)
			fputc(' ', f);
		print_quoted(f, a->v[i]);
	}
	fputc('\n', f);
}

/* ---- one start ---- */

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
bool child_gone(char *err, size_t errlen, const char *id)
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


/* fork+exec QEMU, its output into @fd (closed here); 0 or -1 with a message. */
static int start_qemu(const struct argv *a, int fd, char *err, size_t errlen)
{
	child = fork();
	if (child < 0) {
		child = 0;
		close(fd);
		snprintf(err, errlen, "failed to fork: %s", strerror(errno));
		return -1;
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
		execv(a->v[0], a->v);
		dprintf(2, "vmstart: failed to execute %s: %s\n", a->v[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	return 0;
}

/*
 * QMP's greeting, capabilities negotiation, then query-status until
 * @deadline: 0 once it says "prelaunch", or -1 with a message.
 */
static int wait_ready(struct qmp *q, const char *sock, uint64_t deadline, char *err,
		      size_t errlen, const char *id)
{
	ssize_t l;

	if (qmp_connect(q, sock, deadline, err, errlen, id))
		return -1;
	if ((l = qmp_line(q, deadline, err, errlen, id)) < 0)
		return -1;
	qmp_consume(q, l);
	if ((l = qmp_cmd(q, "{\"execute\":\"qmp_capabilities\"}", deadline, err, errlen, id)) < 0)
		return -1;
	qmp_consume(q, l);
	if ((l = qmp_cmd(q, "{\"execute\":\"query-status\"}", deadline, err, errlen, id)) < 0)
		return -1;
	if (!strstr(q->buf, "\"prelaunch\"")) {
		snprintf(err, errlen, "QEMU is not paused in prelaunch (%s): %.200s", id, q->buf);
		return -1;
	}
	qmp_consume(q, l);
	return 0;
}

/* QEMU's own memory map: what the VFIO listener should have mapped. */
static int read_mtree(struct qmp *q, struct run *r, char *err, size_t errlen, const char *id)
{
	ssize_t l;
	char *text;

	l = qmp_cmd(q, "{\"execute\":\"human-monitor-command\","
		    "\"arguments\":{\"command-line\":\"info mtree -f\"}}",
		    bstat_now_ns() + 30000000000ULL, err, errlen, id);
	if (l < 0)
		return -1;
	text = json_return_string(q->buf);
	r->expected_bytes = text ? expected_from_mtree(text) : 0;
	qmp_consume(q, l);
	return 0;
}

/* Everything QEMU pinned must be unpinned now that it is gone. */
static int pins_back(long long pin0, char *err, size_t errlen, const char *id)
{
	long long pin1 = pin0;
	int i;

	if (pin0 < 0)
		return 0;
	for (i = 0; i < 50; i++) {
		pin1 = pinned_now();
		if (pin1 <= pin0)
			return 0;
		usleep(100000);
	}
	snprintf(err, errlen, "%lld pages still pinned 5 s after QEMU exited (%s; "
		 "nr_foll_pin_acquired - nr_foll_pin_released was %lld before)",
		 pin1 - pin0, id, pin0);
	return -1;
}

/* Start case @c once into @r; 0, or -1 with a message and no QEMU left. */
int run_one(struct vcase *c, struct run *r, char *err, size_t errlen)
{
	struct qmp q = { .fd = -1, .cap = 65536 };
	char sock[SOCK_MAX + 16], logp[SOCK_MAX + 16], id[64];
	long long pin0 = cfg.pin_check ? pinned_now() : -1;
	uint64_t t0, t_ready, tq;
	struct argv a = { .n = 0 };
	int fd, ret = -1;

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
	q.buf = malloc(q.cap);
	if (!q.buf) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (host.tracing && trace_arm(err, errlen))
		goto out;
	fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "failed to create %s: %s", logp, strerror(errno));
		goto out;
	}
	t0 = bstat_now_ns();
	if (start_qemu(&a, fd, err, errlen) ||
	    wait_ready(&q, sock, t0 + (uint64_t)cfg.timeout_s * 1000000000ULL, err, errlen, id))
		goto out;
	t_ready = bstat_now_ns();
	r->ready_ms = (t_ready - t0) / 1e6;
	if ((host.tracing && trace_collect(r, t0, t_ready, err, errlen)) ||
	    read_mtree(&q, r, err, errlen, id))
		goto out;
	tq = bstat_now_ns();
	if (write(q.fd, "{\"execute\":\"quit\"}\n", 19) != 19 || !wait_child(QUIT_WAIT_S * 1000)) {
		fprintf(stderr, "vmstart: QEMU did not quit within %d s (%s): killing it\n",
			QUIT_WAIT_S, id);
		kill_child();
	}
	r->quit_ms = (bstat_now_ns() - tq) / 1e6;
	ret = pins_back(pin0, err, errlen, id);
out:
	if (q.fd >= 0)
		close(q.fd);
	free(q.buf);
	kill_child();
	argv_free(&a);
	return ret;
}
