/*
 * A field in words, for the hex view, the trace line, JSON and the REPL:
 * its value as text, what its code means, whether it is masked or complete,
 * and how its address bytes are to be read.  Reads struct field only;
 * bytes from the input are escaped before they are returned.
 */
#ifndef SOCKSCOPE_CLI_FIELDTEXT_H
#define SOCKSCOPE_CLI_FIELDTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field.h"
#include "view_opts.h"

/* What a code means in f's name table, or NULL when the table has none. */
const char *field_code_meaning(const struct field *f, uint32_t code);

/*
 * What an address or a port means where its bytes alone cannot say, or
 * NULL: SOCKS4a's marker in a request's DSTIP ("SOCKS4a: the host name
 * follows"), the source in a datagram received from the relay (o->dir),
 * where a granted first BIND reply listens and who connected in the second
 * (o->role).  o may be NULL.
 */
const char *field_context_meaning(const struct msg *m, const struct field *f,
				  const struct view_opts *o);

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
