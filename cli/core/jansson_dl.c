/*
 * jansson, loaded the first time JSON is built: a run without -j (or
 * --json) never maps the library, so the one-shot modes stay as small as
 * nc.  These definitions carry jansson's own names and forward to the
 * library's; they cover what sockscope calls (json_decref calls
 * json_delete, json_boolean calls json_true and json_false).
 */
#include <dlfcn.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "dl_sonames.h"
#include "jansson_dl.h"

static void *lib;

int
jansson_dl_load(char *why, size_t len)
{
	const char *err;

	if (lib != NULL)
		return 0;
	lib = dlopen(JANSSON_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (lib != NULL)
		return 0;
	err = dlerror();
	snprintf(why, len, "JSON output needs libjansson: %s", err != NULL ? err : "not found");
	return -1;
}

static void *
jansson(void)
{
	char why[512];

	if (lib == NULL && jansson_dl_load(why, sizeof(why)) < 0) {
		fprintf(stderr, "sockscope: %s\n", why);
		exit(2);
	}
	return lib;
}

static void *
symbol(const char *name)
{
	void *p = dlsym(jansson(), name);

	if (p == NULL) {
		fprintf(stderr, "sockscope: libjansson lacks %s\n", name);
		exit(2);
	}
	return p;
}

/* POSIX guarantees that a data pointer from dlsym converts to a function pointer. */
#define FORWARD(ret, name, params, args)                    \
	ret name params                                     \
	{                                                   \
		static ret(*fn) params;                     \
		if (fn == NULL)                             \
			*(void **)&fn = symbol(#name);      \
		return fn args;                             \
	}

FORWARD(json_t *, json_object, (void), ())
FORWARD(json_t *, json_array, (void), ())
FORWARD(json_t *, json_string, (const char *value), (value))
FORWARD(json_t *, json_stringn, (const char *value, size_t len), (value, len))
FORWARD(json_t *, json_integer, (json_int_t value), (value))
FORWARD(json_t *, json_real, (double value), (value))
FORWARD(json_t *, json_true, (void), ())
FORWARD(json_t *, json_false, (void), ())
FORWARD(json_t *, json_null, (void), ())
FORWARD(int, json_object_set_new, (json_t *object, const char *key, json_t *value),
	(object, key, value))
FORWARD(int, json_array_append_new, (json_t *array, json_t *value), (array, value))
FORWARD(int, json_dumpf, (const json_t *json, FILE *output, size_t flags), (json, output, flags))
FORWARD(char *, json_dumps, (const json_t *json, size_t flags), (json, flags))
FORWARD(json_t *, json_loadb, (const char *buffer, size_t buflen, size_t flags,
				 json_error_t *error), (buffer, buflen, flags, error))

void
json_delete(json_t *json)
{
	static void (*fn)(json_t *);

	if (fn == NULL)
		*(void **)&fn = symbol("json_delete");
	fn(json);
}

json_t *
json_pack(const char *fmt, ...)
{
	static json_t *(*fn)(json_error_t *, size_t, const char *, va_list);
	json_t *value;
	va_list ap;

	if (fn == NULL)
		*(void **)&fn = symbol("json_vpack_ex");
	va_start(ap, fmt);
	value = fn(NULL, 0, fmt, ap);
	va_end(ap);
	return value;
}
