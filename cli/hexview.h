/*
 * Views of a decoded or encoded message for people: the annotated hex view
 * (one line per field: offset, bytes, name, value, meaning), the one-line
 * trace used by -v, and a plain hex dump for bytes that are no message.
 *
 * Everything here reads struct msg / struct field only; no view parses bytes
 * on its own.  Bytes from the input are escaped before they are printed.
 */
#ifndef SOCKSCOPE_CLI_HEXVIEW_H
#define SOCKSCOPE_CLI_HEXVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "field.h"

/* Who sent a message, when its descriptor cannot say: GSSAPI frames and UDP
 * datagrams travel both ways. */
enum view_dir { VIEW_DIR_AUTO = 0, VIEW_DIR_SENT, VIEW_DIR_RECEIVED };

struct view_opts {
	bool color;        /* decided by term_wants_color() */
	bool show_secrets; /* --show-secrets: PASSWD in clear */
	const char *label; /* after the arrow, e.g. "hop 2"; NULL for none */
	enum view_dir dir; /* VIEW_DIR_AUTO: as the message's descriptor says */
};

/* The annotated hex view of m, header line first.  o may be NULL. */
void hexview_print(FILE *fp, const struct msg *m, const struct view_opts *o);

/* One line for -v: `<- SOCKS5 reply: REP 0x00 succeeded, BND 127.0.0.1:40000`.
 * Versions, reserved bytes, lengths and ATYP are left out unless something
 * is wrong with them; a problem ends the line.  o may be NULL. */
void trace_line(FILE *fp, const struct msg *m, const struct view_opts *o);

/* Bytes that form no message (tunnel data, what follows a fault), 16 a line,
 * offsets from base, with a printable-ASCII column ('.' for the rest).
 * o may be NULL. */
void hexdump_print(FILE *fp, const uint8_t *p, size_t len, size_t base,
		   const struct view_opts *o);

/*
 * Pieces the views share, also for json_out.c and the front end.
 */

/* "SOCKS4a CONNECT request", "SOCKS5 BIND request", else desc->title.
 * Returns the length, snprintf-style. */
size_t msg_title(const struct msg *m, char *buf, size_t cap);

/* "->" for what the client sends, "<-" for what the server sends (o may
 * override, and may be NULL). */
const char *msg_arrow(const struct msg *m, const struct view_opts *o);

/* Bytes the message covers: m->len, or the end of its last field. */
size_t msg_extent(const struct msg *m);

/*
 * For a truncated message, the total length it is known to need: at least
 * m->need, and more when the fields after the one cut short have sizes
 * already known (a SOCKS5 reply cut in BND.ADDR needs BND.PORT too).
 * *open_ended is set when the total is only a lower bound (a string whose
 * 0x00 has not arrived).
 */
size_t msg_known_total(const struct msg *m, bool *open_ended);

/* The field where a malformed or truncated message stopped, or NULL:
 * the field that broke, the one cut short, or the next one expected. */
const char *msg_stop_field(const struct msg *m);

/*
 * What is wrong with m, for people, without the title:
 *   "malformed at offset 0x0003 in ATYP: unknown address type 0x07"
 *   "truncated after 7 of 10 bytes (in BND.ADDR)"
 * "" (and 0) when m->status is PROTO_OK.  Safe to print: escaped.
 */
size_t msg_problem(const struct msg *m, char *buf, size_t cap);

/* What a code means in f's name table, or NULL when the table has none. */
const char *field_code_meaning(const struct field *f, uint32_t code);

/* Whether f is shown masked (FD_SECRET without show_secrets). */
bool field_masked(const struct field *f, const struct view_opts *o);

/* Whether a field has all its bytes: for a fixed-size field, whether f->num
 * can be trusted; for a variable-size one, whether it is not FF_TRUNCATED. */
bool field_complete(const struct field *f);

/* How an FK_ADDR (or FK_IPV4) field's bytes are to be read. */
enum addr_form { ADDR_UNKNOWN, ADDR_IPV4, ADDR_IPV6, ADDR_NAME };
enum addr_form field_addr_form(const struct msg *m, const struct field *f);

/*
 * The value of f as the hex view shows it: 80, 0x5a, 66.102.7.99,
 * "Fred" (quoted, escaped), ******** for a masked secret; "" when the field
 * is too short to have one.  FK_LIST fields: the items, comma-separated.
 * Returns the length, snprintf-style (buf may be NULL when cap is 0).
 */
size_t field_value_text(const struct msg *m, const struct field *f,
			const struct view_opts *o, char *buf, size_t cap);

#endif
