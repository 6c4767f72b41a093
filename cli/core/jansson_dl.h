/*
 * jansson, opened at run time (cli/jansson_dl.c): JSON output maps the
 * library the first time it builds JSON, or earlier, when asked.
 */
#ifndef SOCKSCOPE_CLI_JANSSON_DL_H
#define SOCKSCOPE_CLI_JANSSON_DL_H

#include <stddef.h>

/* Opens libjansson now (a run that must not fail later, such as probe -j
   once it has sent something, or with few descriptors to spare): 0, or -1
   with why in why. */
int jansson_dl_load(char *why, size_t len);

#endif
