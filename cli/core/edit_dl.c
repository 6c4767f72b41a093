/* Loading libedit at run time (see edit_dl.h for why). */
#define EDIT_DL_NO_MACROS
#include "edit_dl.h"

#include <dlfcn.h>
#include <stddef.h>

#include "dl_sonames.h"

struct edit_api edit_api;

static const struct {
	const char *name;
	size_t offset;
} symbols[] = {
#define SYM(n) { #n, offsetof(struct edit_api, n) }
	SYM(el_init),      SYM(el_end),       SYM(el_gets),      SYM(el_set),
	SYM(el_get),       SYM(el_source),    SYM(el_line),      SYM(el_insertstr),
	SYM(el_deletestr), SYM(history_init), SYM(history_end),  SYM(history),
	SYM(tok_init),     SYM(tok_end),      SYM(tok_reset),    SYM(tok_line),
#undef SYM
};

int
edit_load(const char **why)
{
	static int state; /* 0 not tried, 1 loaded, -1 failed */
	static const char *reason;
	void *lib;

	if (state == 0) {
		state = -1;
		lib = dlopen(EDIT_SONAME, RTLD_NOW | RTLD_LOCAL);
		if (lib == NULL)
			lib = dlopen("libedit.so", RTLD_NOW | RTLD_LOCAL);
		if (lib == NULL) {
			reason = dlerror();
		} else {
			state = 1;
			for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
				void *fn = dlsym(lib, symbols[i].name);

				if (fn == NULL) {
					reason = dlerror();
					state = -1;
					break;
				}
				/* POSIX guarantees object and function pointers convert. */
				*(void **)((char *)&edit_api + symbols[i].offset) = fn;
			}
		}
	}
	if (state < 0 && why != NULL)
		*why = reason != NULL ? reason : "libedit not found";
	return state > 0 ? 0 : -1;
}
