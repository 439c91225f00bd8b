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

int main(int argc, char **argv)
{
	struct iommu_hwpt_pgfault pgf[BATCH_MAX];
	long n = 100, k = 1, pasid = 1, left = 0, nread = 0, sleep_s = 0, unhandled = 0;
	__u32 code = IOMMUFD_PAGE_RESP_SUCCESS, grpid = 0;
	struct mockiopf m;
	long done = 0, i, b;
	char why[256];
	int opt, r;

	while ((opt = getopt(argc, argv, "hn:k:P:L:R:s:xu:")) != -1) {
		long *dst = NULL, lo = 0, hi = 1000000000;

		switch (opt) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'n': dst = &n; break;
		case 'k': dst = &k; lo = 1; hi = BATCH_MAX; break;
		case 'P': dst = &pasid; hi = (1 << 20) - 1; break;
		case 'L': dst = &left; hi = BATCH_MAX; break;
		case 'R': dst = &nread; hi = BATCH_MAX; break;
		case 's': dst = &sleep_s; hi = 3600; break;
		case 'x': code = IOMMUFD_PAGE_RESP_INVALID; break;
		case 'u': dst = &unhandled; lo = 1; hi = 100000; break;
		default:
			fputs(usage, stderr);
			return 2;
		}
		if (dst && num(optarg, lo, hi, dst)) {
			fprintf(stderr, "iopfgen: invalid -%c '%s'\n%s", opt, optarg, usage);
			return 2;
		}
	}
	if (optind != argc || nread > left) {
		fprintf(stderr, "iopfgen: %s\n%s", nread > left ? "-R larger than -L" :
			"unexpected argument", usage);
		return 2;
	}

	if (unhandled)
		return unhandled_faults(unhandled, pasid);
	if (mockiopf_open(&m, why, sizeof(why)) || mockiopf_nested(&m, true, why, sizeof(why))) {
		fprintf(stderr, "iopfgen: %s\n", why);
		mockiopf_close(&m);
		return 1;
	}

	while (done < n) {
		b = n - done < k ? n - done : k;
		for (i = 0; i < b; i++) {
			r = mockiopf_trigger(&m, pasid, grpid++, 0x100000ULL * (i + 1));
			if (r) {
				fprintf(stderr, "iopfgen: failed to trigger a fault: %s\n",
					strerror(-r));
				goto fail;
			}
		}
		for (i = 0; i < b; i += r) {
			r = mockiopf_read(&m, pgf + i, b - i, 5000);
			if (r <= 0) {
				fprintf(stderr, "iopfgen: failed to read the fault fd: %s\n",
					r ? strerror(-r) : "timeout");
				goto fail;
			}
		}
		r = mockiopf_respond(&m, pgf, b, code);
		if (r) {
			fprintf(stderr, "iopfgen: failed to answer faults: %s\n", strerror(-r));
			goto fail;
		}
		done += b;
	}

	for (i = 0; i < left; i++) {
		r = mockiopf_trigger(&m, pasid, grpid++, 0x100000ULL * (i + 1));
		if (r) {
			fprintf(stderr, "iopfgen: failed to trigger a fault: %s\n", strerror(-r));
			goto fail;
		}
	}
	for (i = 0; i < nread; i += r) {
		r = mockiopf_read(&m, pgf + i, nread - i, 5000);
		if (r <= 0) {
			fprintf(stderr, "iopfgen: failed to read the fault fd: %s\n",
				r ? strerror(-r) : "timeout");
			goto fail;
		}
	}
	printf("iopfgen: dev_id %u pasid %ld answered %ld pending %ld read %ld\n", m.idev_id,
	       pasid, done, left, nread);
	fflush(stdout);
	if (sleep_s)
		sleep(sleep_s);
	/* the pending ones are answered by the kernel when the device goes */
	mockiopf_close(&m);
	return 0;
fail:
	mockiopf_close(&m);
	return 1;
}
