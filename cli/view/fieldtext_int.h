/*
 * fieldtext.c's helpers for the other views (msgtext.c, hexview.c,
 * traceline.c, json_out.c): a field's cells in the hex view.  Not for
 * front ends: they take the public headers (fieldtext.h, msgtext.h,
 * hexview.h, traceline.h).
 */
#ifndef SOCKSCOPE_CLI_FIELDTEXT_INT_H
#define SOCKSCOPE_CLI_FIELDTEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field.h"
#include "fieldtext.h"
#include "sbuf.h"
#include "view_opts.h"

/* At most this many bytes of a text field are shown (more than any field
 * proto/ bounds, so in practice only FK_REST payloads are cut). */
#define TEXT_SHOW_MAX 1024
/* Room for the longest value: every shown byte escaped as \xNN, quotes, "...". */
#define VALUE_MAX (TEXT_SHOW_MAX * 4 + 16)

/*
 * fieldtext.c: a field's cells in the hex view.
 */

/* code as f's format shows numbers: decimal, or 0xNN (0xNNNN when width >= 2). */
void sb_number(struct sbuf *sb, const struct field *f, uint32_t code, size_t width);
/* What field_value_text() returns, appended. */
void sb_value(struct sbuf *sb, const struct msg *m, const struct field *f,
	      const struct view_opts *o);
/* The meaning column of one of f's rows (an FK_LIST has one per item): what
 * code means when has_code; on the first row also what f means where it is
 * (field_context_meaning()), what is odd about it and whether it was
 * derived or overridden.  o may be NULL. */
void sb_meaning(struct sbuf *sb, const struct msg *m, const struct field *f,
		const struct view_opts *o, bool has_code, uint32_t code, bool first_row);

/* A numeric address as text; false when the bytes do not make one. */
bool numeric_address(enum addr_form form, const struct field *f, char *buf, size_t cap);

/* Whether m is shown as received (the <- arrow): o's dir, else the
 * message's descriptor.  o may be NULL. */
bool msg_received(const struct msg *m, const struct view_opts *o);

/* Whether m's title names its role (a BIND reply), so that a view need not
 * say again what its address is.  o may be NULL. */
bool msg_role_titled(const struct msg *m, const struct view_opts *o);

#endif
