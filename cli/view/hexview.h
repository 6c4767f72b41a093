/*
 * The annotated hex view of a decoded or encoded message (one line per
 * field: offset, bytes, name, value, meaning) and a plain hex dump for bytes
 * that are no message.
 *
 * Everything here reads struct msg / struct field only; no view parses bytes
 * on its own.  Bytes from the input are escaped before they are printed.
 */
#ifndef SOCKSCOPE_CLI_HEXVIEW_H
#define SOCKSCOPE_CLI_HEXVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "field.h"
#include "view_opts.h"

/*
 * The text the view is made of and the -v trace line used to be declared
 * here; they have their own headers now.  They stay included so that code
 * that reaches them through this header (repl_session.h) keeps building;
 * new code includes what it uses.
 */
#include "fieldtext.h"
#include "msgtext.h"
#include "traceline.h"

/* The annotated hex view of m, header line first.  o may be NULL. */
void hexview_print(FILE *fp, const struct msg *m, const struct view_opts *o);

/* Bytes that form no message (tunnel data, what follows a fault), 16 a line,
 * offsets from base, with a printable-ASCII column ('.' for the rest).
 * o may be NULL. */
void hexdump_print(FILE *fp, const uint8_t *p, size_t len, size_t base,
		   const struct view_opts *o);

#endif
