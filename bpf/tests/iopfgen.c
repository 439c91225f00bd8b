// SPDX-License-Identifier: GPL-2.0
/*
 * iopfgen: I/O page faults on the iommufd selftest mock, for faultlat's
 * tests.  A mock device on a fault-capable nested HWPT; M faults triggered
 * in batches of K and answered by a responder (read the fault fd, write a
 * response per cookie); then, with -L, L more faults left pending (R of
 * them read, none answered) when both fds are closed, which makes the
 * kernel answer them itself (iommufd_fault_auto_respond).
 *
 * -s keeps them pending for a while first.  -u U instead triggers U faults
 * on the mock device as it is (on its paging HWPT, no fault queue): no
 * handler takes them and the core answers each at once (the iopf_response
 * with no group).
 *
 * Prints one line: "iopfgen: dev_id D pasid P answered M pending L read R".
 * Exit: 0, 1 on a failure (one message), 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mockiopf.h"

#define BATCH_MAX 64

static const char usage[] =
"usage: iopfgen [-n M] [-k K] [-P PASID] [-L L] [-R R] [-s SEC] [-x]\n"
"  -n M      faults triggered and answered (default 100)\n"
"  -k K      faults outstanding at once: trigger K, read K, answer K (1..64, default 1)\n"
"  -P PASID  PASID of the page requests (default 1)\n"
"  -L L      then trigger L faults and close the fds without answering them\n"
"  -R R      of those L, read R first (delivered to user space, default 0)\n"
"  -s SEC    sleep SEC seconds before closing (faults stay pending)\n"
"  -x        answer with IOMMUFD_PAGE_RESP_INVALID instead of success\n"
"  -u U      only U faults that no handler takes (answered by the core)\n";

static int num(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < lo || *out > hi ? -1 : 0;
}

/*
 * -u: U page requests on the mock device's paging HWPT.  The report finds
 * no fault handler, answers the request itself and fails the ioctl.
 */
static int unhandled_faults(long u, long pasid)
{
	struct mockiopf m;
	char why[256];
	long i, refused = 0;
	int r;

	if (mockiopf_open(&m, why, sizeof(why))) {
		fprintf(stderr, "iopfgen: %s\n", why);
		return 1;
	}
	for (i = 0; i < u; i++) {
		r = mockiopf_trigger(&m, pasid, i, 0x100000ULL * (i + 1));
		if (r && r != -EINVAL) {
			fprintf(stderr, "iopfgen: failed to trigger a fault: %s\n", strerror(-r));
			mockiopf_close(&m);
			return 1;
		}
		refused += r == -EINVAL;
	}
	printf("iopfgen: dev_id %u pasid %ld unhandled %ld refused %ld\n", m.idev_id, pasid, u,
	       refused);
	mockiopf_close(&m);
	return 0;
}

struct opts {
	long n, k, pasid, left, nread, sleep_s, unhandled;
	__u32 code;
};

/* 0 to run, 1 after -h (exit 0), 2 on bad input (said). */
static int parse_args(int argc, char **argv, struct opts *o)
{
	int opt;

	while ((opt = getopt(argc, argv, "hn:k:P:L:R:s:xu:")) != -1) {
		long *dst = NULL, lo = 0, hi = 1000000000;

		switch (opt) {
		case 'h':
			fputs(usage, stdout);
			return 1;
		case 'n': dst = &o->n; break;
		case 'k': dst = &o->k; lo = 1; hi = BATCH_MAX; break;
		case 'P': dst = &o->pasid; hi = (1 << 20) - 1; break;
		case 'L': dst = &o->left; hi = BATCH_MAX; break;
		case 'R': dst = &o->nread; hi = BATCH_MAX; break;
		case 's': dst = &o->sleep_s; hi = 3600; break;
		case 'x': o->code = IOMMUFD_PAGE_RESP_INVALID; break;
		case 'u': dst = &o->unhandled; lo = 1; hi = 100000; break;
		default:
			fputs(usage, stderr);
			return 2;
		}
		if (dst && num(optarg, lo, hi, dst)) {
			fprintf(stderr, "iopfgen: invalid -%c '%s'\n%s", opt, optarg, usage);
			return 2;
		}
	}
	if (optind != argc || o->nread > o->left) {
		fprintf(stderr, "iopfgen: %s\n%s", o->nread > o->left ? "-R larger than -L" :
			"unexpected argument", usage);
		return 2;
	}
	return 0;
}

/* Trigger @b faults from *grpid on: 0 or -errno (said). */
static int trigger(struct mockiopf *m, long pasid, __u32 *grpid, long b)
{
	long i;
	int r;

	for (i = 0; i < b; i++) {
		r = mockiopf_trigger(m, pasid, (*grpid)++, 0x100000ULL * (i + 1));
		if (r) {
			fprintf(stderr, "iopfgen: failed to trigger a fault: %s\n", strerror(-r));
			return r;
		}
	}
	return 0;
}

/* Read @b fault records into @pgf: 0 or -errno (said). */
static int read_faults(struct mockiopf *m, struct iommu_hwpt_pgfault *pgf, long b)
{
	long i;
	int r;

	for (i = 0; i < b; i += r) {
		r = mockiopf_read(m, pgf + i, b - i, 5000);
		if (r <= 0) {
			fprintf(stderr, "iopfgen: failed to read the fault fd: %s\n",
				r ? strerror(-r) : "timeout");
			return r ? r : -ETIMEDOUT;
		}
	}
	return 0;
}

/* -n faults in batches of -k, each triggered, read and answered; then -L left pending, -R of them read. */
static int run(struct mockiopf *m, const struct opts *o)
{
	struct iommu_hwpt_pgfault pgf[BATCH_MAX];
	__u32 grpid = 0;
	long done = 0, b;
	int r;

	while (done < o->n) {
		b = o->n - done < o->k ? o->n - done : o->k;
		if (trigger(m, o->pasid, &grpid, b) || read_faults(m, pgf, b))
			return 1;
		r = mockiopf_respond(m, pgf, b, o->code);
		if (r) {
			fprintf(stderr, "iopfgen: failed to answer faults: %s\n", strerror(-r));
			return 1;
		}
		done += b;
	}
	if (trigger(m, o->pasid, &grpid, o->left) || read_faults(m, pgf, o->nread))
		return 1;
	printf("iopfgen: dev_id %u pasid %ld answered %ld pending %ld read %ld\n", m->idev_id,
	       o->pasid, done, o->left, o->nread);
	fflush(stdout);
	if (o->sleep_s)
		sleep(o->sleep_s);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .n = 100, .k = 1, .pasid = 1, .code = IOMMUFD_PAGE_RESP_SUCCESS };
	struct mockiopf m;
	char why[256];
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret == 1 ? 0 : 2;
	if (o.unhandled)
		return unhandled_faults(o.unhandled, o.pasid);
	if (mockiopf_open(&m, why, sizeof(why)) || mockiopf_nested(&m, true, why, sizeof(why))) {
		fprintf(stderr, "iopfgen: %s\n", why);
		mockiopf_close(&m);
		return 1;
	}
	ret = run(&m, &o);
	/* the pending ones are answered by the kernel when the device goes */
	mockiopf_close(&m);
	return ret;
}
