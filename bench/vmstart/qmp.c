// SPDX-License-Identifier: GPL-2.0
/*
 * vmstart's QMP client: enough of QEMU's monitor protocol to learn when
 * QEMU is ready (query-status), read its memory map (info mtree -f) and
 * ask it to quit.  Lines of JSON over a unix socket; every wait ends at a
 * deadline, on a signal or when QEMU dies, with one line saying which.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchstat.h"
#include "vmstart.h"

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
		snprintf(err, errlen, "QEMU did not %s within %ld s (%s)", what, cfg.timeout_s, id);
		return true;
	}
	return false;
}

/*
 * The next line from QMP before @deadline (ns), NUL-terminated in q->buf
 * (valid until the next call); its length, or -1 with a message.
 */
ssize_t qmp_line(struct qmp *q, uint64_t deadline, char *err, size_t errlen,
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
void qmp_consume(struct qmp *q, size_t l)
{
	memmove(q->buf, q->buf + l + 1, q->len - l - 1);
	q->len -= l + 1;
}

/*
 * Send @cmd and wait for its "return" (skipping events).  The reply line
 * is in q->buf (consume with qmp_consume(q, returned length)); -1 with a
 * message if it failed, or on an "error" reply.
 */
ssize_t qmp_cmd(struct qmp *q, const char *cmd, uint64_t deadline, char *err,
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
int qmp_connect(struct qmp *q, const char *sock, uint64_t deadline, char *err,
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
char *json_return_string(char *line)
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
uint64_t expected_from_mtree(const char *text)
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
