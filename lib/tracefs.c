// SPDX-License-Identifier: GPL-2.0
/* tracefs access for tests and probing (see tracefs.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracefs.h"

const char *tracefs_root(void)
{
	const char *r = getenv("TRACEFS");

	return r && *r ? r : "/sys/kernel/tracing";
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

int tracefs_event_exists(const char *sys, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/events/%s/%s", tracefs_root(), sys, name);
	return access(path, F_OK) == 0;
}

int tracefs_event_enable(const char *sys, const char *name, int on)
{
	char path[PATH_MAX];

	if (name)
		snprintf(path, sizeof(path), "%s/events/%s/%s/enable", tracefs_root(), sys, name);
	else
		snprintf(path, sizeof(path), "%s/events/%s/enable", tracefs_root(), sys);
	return write_file(path, on ? "1" : "0");
}

int tracefs_clear(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/trace", tracefs_root());
	return write_file(path, "");
}

char *tracefs_read(void)
{
	char path[PATH_MAX];
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap), *nb;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/trace", tracefs_root());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/*
 * Start of the @nth record of @event: a line of the form
 * "  task-pid [cpu] flags  ts: <event>: fields".  Comment lines start '#'.
 */
static const char *find_record(const char *buf, const char *event, int nth)
{
	char pat[128];
	const char *line = buf, *hit, *eol;

	snprintf(pat, sizeof(pat), ": %s: ", event);
	while (line && *line) {
		eol = strchr(line, '\n');
		if (*line != '#') {
			hit = strstr(line, pat);
			if (hit && (!eol || hit < eol) && nth-- == 0)
				return hit + strlen(pat);
		}
		line = eol ? eol + 1 : NULL;
	}
	return NULL;
}

int trace_count(const char *buf, const char *event)
{
	int n = 0;

	while (find_record(buf, event, n))
		n++;
	return n;
}

/* Pointer to the value of " key=" (or "key=" at the start) in one record. */
static const char *find_key(const char *rec, const char *key)
{
	size_t klen = strlen(key);
	const char *eol = strchr(rec, '\n'), *p = rec;

	while ((p = strstr(p, key)) && (!eol || p < eol)) {
		if ((p == rec || p[-1] == ' ' || p[-1] == ':') && p[klen] == '=')
			return p + klen + 1;
		p += klen;
	}
	return NULL;
}

int trace_field(const char *buf, const char *event, int nth, const char *key, long long *val)
{
	const char *rec = find_record(buf, event, nth), *v;
	char *end;

	if (!rec || !(v = find_key(rec, key)))
		return -ENOENT;
	errno = 0;
	if (*v == '-')
		*val = strtoll(v, &end, 0);
	else
		*val = (long long)strtoull(v, &end, 0);
	return end == v || errno ? -ENOENT : 0;
}

/* Copy @src up to the first character of @stop into @out (truncating). */
static void copy_span(const char *src, const char *stop, char *out, size_t len)
{
	size_t n = strcspn(src, stop);

	if (n >= len)
		n = len - 1;
	memcpy(out, src, n);
	out[n] = '\0';
}

int trace_field_str(const char *buf, const char *event, int nth, const char *key, char *out,
		    size_t len)
{
	const char *rec = find_record(buf, event, nth), *v;

	if (!rec || !(v = find_key(rec, key)) || !len)
		return -ENOENT;
	copy_span(v, " \n", out, len);
	return 0;
}

int trace_record(const char *buf, const char *event, int nth, char *out, size_t len)
{
	const char *rec = find_record(buf, event, nth);

	if (!rec || !len)
		return -ENOENT;
	copy_span(rec, "\n", out, len);
	return 0;
}
