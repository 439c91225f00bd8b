// SPDX-License-Identifier: GPL-2.0
/* tracefs access for tests and probing (see tracefs.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracefs.h"

#define TRACEFS_DIR	"/sys/kernel/tracing"

/*
 * A fresh boot may not have tracefs mounted: mount it where it belongs
 * (root only, once), as bpftool does; libbpf then finds the tracepoints'
 * ids there too.
 */
const char *tracefs_root(void)
{
	static int tried;
	const char *r = getenv("TRACEFS");

	if (r && *r)
		return r;
	if (!tried) {
		tried = 1;
		if (access(TRACEFS_DIR "/events", F_OK) && errno == ENOENT)
			mount("nodev", TRACEFS_DIR, "tracefs", 0, NULL);
	}
	return TRACEFS_DIR;
}

/* The instance in use ("" = the global buffer). */
static char instance[64];

/* The directory of the buffer in use into @buf. */
static const char *buffer_dir(char *buf, size_t len)
{
	if (instance[0])
		snprintf(buf, len, "%s/instances/%s", tracefs_root(), instance);
	else
		snprintf(buf, len, "%s", tracefs_root());
	return buf;
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
	char path[PATH_MAX], dir[PATH_MAX - 256];

	buffer_dir(dir, sizeof(dir));
	if (name)
		snprintf(path, sizeof(path), "%s/events/%s/%s/enable", dir, sys, name);
	else
		snprintf(path, sizeof(path), "%s/events/%s/enable", dir, sys);
	return write_file(path, on ? "1" : "0");
}

int tracefs_write(const char *file, const char *val)
{
	char path[PATH_MAX], dir[PATH_MAX - 256];

	snprintf(path, sizeof(path), "%s/%s", buffer_dir(dir, sizeof(dir)), file);
	return write_file(path, val);
}

int tracefs_clear(void)
{
	return tracefs_write("trace", "");
}

int tracefs_instance_use(const char *name)
{
	char path[PATH_MAX];

	if (!name) {
		instance[0] = 0;
		return 0;
	}
	if (!*name || strlen(name) >= sizeof(instance) || strchr(name, '/'))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/instances/%s", tracefs_root(), name);
	if (mkdir(path, 0750) && errno != EEXIST)
		return -errno;
	snprintf(instance, sizeof(instance), "%s", name);
	return 0;
}

int tracefs_instance_remove(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/instances/%s/events/enable", tracefs_root(), name);
	write_file(path, "0");
	snprintf(path, sizeof(path), "%s/instances/%s", tracefs_root(), name);
	if (!strcmp(instance, name))
		instance[0] = 0;
	return rmdir(path) ? -errno : 0;
}

long long tracefs_lost(void)
{
	char path[PATH_MAX], dir[PATH_MAX - 256], line[256];
	long long lost = 0;
	struct dirent *e;
	int seen = 0;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "%s/per_cpu", buffer_dir(dir, sizeof(dir)));
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "cpu", 3))
			continue;
		snprintf(path, sizeof(path), "%s/per_cpu/%.32s/stats", dir, e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		seen++;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "overrun:", 8) || !strncmp(line, "commit overrun:", 15) ||
			    !strncmp(line, "dropped events:", 15))
				lost += strtoll(strchr(line, ':') + 1, NULL, 10);
		fclose(f);
	}
	closedir(d);
	return seen ? lost : -ENOENT;
}

char *tracefs_read(void)
{
	char path[PATH_MAX], dir[PATH_MAX - 256];
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap), *nb;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/trace", buffer_dir(dir, sizeof(dir)));
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

int trace_find(const char *buf, const char *event, const char *key, long long val)
{
	int i, n = trace_count(buf, event);
	long long v;

	for (i = 0; i < n; i++)
		if (!trace_field(buf, event, i, key, &v) && v == val)
			return i;
	return -1;
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

/* Back from @p (exclusive) to the first character of its line in @buf. */
static const char *line_start(const char *buf, const char *p)
{
	while (p > buf && p[-1] != '\n')
		p--;
	return p;
}

int trace_record_time(const char *buf, const char *event, int nth, int *pid,
		      unsigned long long *ts_ns)
{
	const char *rec = find_record(buf, event, nth), *ls, *p, *dot, *ts;
	unsigned long long frac = 0;
	int digits = 0;

	if (!rec)
		return -ENOENT;
	p = rec - strlen(event) - 4;	/* the ':' after the timestamp */
	ls = line_start(buf, p);
	for (ts = p; ts > ls && (isdigit((unsigned char)ts[-1]) || ts[-1] == '.'); ts--)
		;
	dot = memchr(ts, '.', p - ts);
	if (!dot || dot == ts)
		return -EINVAL;
	for (const char *d = dot + 1; d < p; d++, digits++)
		frac = frac * 10 + (*d - '0');
	if (digits > 9)
		return -EINVAL;
	for (; digits < 9; digits++)
		frac *= 10;
	*ts_ns = strtoull(ts, NULL, 10) * 1000000000ULL + frac;
	*pid = trace_line_pid(ls);
	return *pid < 0 ? -EINVAL : 0;
}

long trace_record_offset(const char *buf, const char *event, int nth)
{
	const char *rec = find_record(buf, event, nth);

	return rec ? line_start(buf, rec) - buf : -1;
}

int trace_line_pid(const char *line)
{
	const char *p = strstr(line, "] "), *eol = strchr(line, '\n'), *end;

	if (p && eol && p > eol)	/* not in this line's header */
		return -1;
	while (p && p > line && *p != '[')
		p--;
	if (!p || p == line)
		return -1;
	while (p > line && p[-1] == ' ')
		p--;
	if (p > line && p[-1] == ')') {		/* "(tgid)" */
		while (p > line && p[-1] != '(')
			p--;
		if (p > line)
			p--;
		while (p > line && p[-1] == ' ')
			p--;
	}
	end = p;
	while (p > line && isdigit((unsigned char)p[-1]))
		p--;
	if (p == end || p == line || p[-1] != '-')
		return -1;
	return atoi(p);
}
