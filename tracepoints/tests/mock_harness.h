/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness and the upstream iommufd selftest helpers, as the
 * tests on the selftest mock (events_mock.c, events_ioas.c) use them.
 */
#ifndef IOASID_MOCK_HARNESS_H
#define IOASID_MOCK_HARNESS_H

#include "kselftest_harness.h"
/* A selftest header: static helpers a test does not all use */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "iommu/iommufd_utils.h"
#pragma GCC diagnostic pop

/*
 * The 6.12 harness keeps TEST_F()'s "child" in a local across setjmp(), so
 * gcc warns in whichever test wrappers keep it in a register (upstream has
 * since dropped setjmp() from the harness). It is real: after an ASSERT
 * failure the test process can take itself for the parent and skip a
 * FIXTURE_TEARDOWN(). FIXTURE_TEARDOWN_PARENT() runs the teardown once in
 * whichever process gets there, so the events are disabled either way.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

#endif
