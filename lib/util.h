/* SPDX-License-Identifier: GPL-2.0 */
/* Small macros the tools had each defined for themselves. */
#ifndef IOASID_LIB_UTIL_H
#define IOASID_LIB_UTIL_H

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

#endif
