// SPDX-License-Identifier: GPL-2.0
/* Writes the documents tests/host/json.sh checks (lib/json.c). */
#include <math.h>

#include "json.h"

int main(void)
{
	struct json j;

	json_init(&j, stdout);
	/* 1: every kind of member, nesting, escaping */
	json_object_begin(&j, NULL);
	json_string(&j, "s", "quote\" backslash\\ nl\n tab\t ctl\x01 utf8 \xc2\xb5s");
	json_int(&j, "neg", -42);
	json_uint(&j, "big", 18446744073709551615ULL);
	json_double(&j, "d", 0.1);
	json_double(&j, "nan", NAN);
	json_bool(&j, "t", 1);
	json_null(&j, "n");
	json_string(&j, "nullstr", NULL);
	json_array_begin(&j, "a");
	json_int(&j, NULL, 1);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "empty");
	json_array_end(&j);
	json_object_end(&j);
	json_int(&j, NULL, 3);
	json_array_end(&j);
	json_object_end(&j);
	/* 2: a second document on its own line */
	json_object_begin(&j, NULL);
	json_object_end(&j);
	return 0;
}
