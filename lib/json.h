/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one JSON writer of the project: streaming, compact, one document
 * per line (JSON lines).  Keys are given inside objects and NULL inside
 * arrays or at the top level.  Strings are escaped per RFC 8259;
 * non-finite doubles are written as null.
 */
#ifndef IOASID_LIB_JSON_H
#define IOASID_LIB_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	int count[JSON_MAX_DEPTH];	/* members written at each depth */
};

void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j, const char *key);
/* Ends the object; at the top level also ends the line and flushes. */
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *val);
void json_int(struct json *j, const char *key, int64_t val);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_double(struct json *j, const char *key, double val);
void json_bool(struct json *j, const char *key, int val);
void json_null(struct json *j, const char *key);
/* The wall clock now (CLOCK_REALTIME), seconds since the epoch: the tools' "time". */
void json_time(struct json *j, const char *key);

#endif
