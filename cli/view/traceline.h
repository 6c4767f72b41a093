/*
 * The one-line trace of a message that -v prints.  Reads struct msg only;
 * bytes from the input are escaped before they are printed.
 */
#ifndef SOCKSCOPE_CLI_TRACELINE_H
#define SOCKSCOPE_CLI_TRACELINE_H

#include <stdio.h>

#include "field.h"
#include "view_opts.h"

/* One line for -v: `<- SOCKS5 reply: REP 0x00 succeeded, BND 127.0.0.1:40000`.
 * Versions, reserved bytes, lengths and ATYP are left out unless something
 * is wrong with them; a problem ends the line.  o may be NULL. */
void trace_line(FILE *fp, const struct msg *m, const struct view_opts *o);

#endif
