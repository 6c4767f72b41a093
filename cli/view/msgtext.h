/*
 * A message in words, for the views, JSON and the front end's errors: its
 * title, its arrow, the bytes it covers, and for one that is truncated or
 * malformed, where it stopped, what it is known to need, and what is wrong.
 * Reads struct msg only; no bytes are parsed here.
 */
#ifndef SOCKSCOPE_CLI_MSGTEXT_H
#define SOCKSCOPE_CLI_MSGTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "field.h"
#include "view_opts.h"

/* "SOCKS4a CONNECT request", "SOCKS5 BIND request", else desc->title.
 * Returns the length, snprintf-style. */
size_t msg_title(const struct msg *m, char *buf, size_t cap);

/* msg_title() of m shown as o says: a reply in its role (o->role), as
 * "SOCKS5 first BIND reply (where the server listens)" or "SOCKS4 second
 * BIND reply (the peer that connected)".  o may be NULL. */
size_t msg_title_as(const struct msg *m, const struct view_opts *o, char *buf, size_t cap);

/* "->" for what the client sends, "<-" for what the server sends (o may
 * override, and may be NULL). */
const char *msg_arrow(const struct msg *m, const struct view_opts *o);

/* msg_extent(), msg_known_total(), msg_stop_field() and msg_problem()
 * are facts of the decoder: proto/field.h. */

/*
 * The field that carries a server message's answer (METHOD, STATUS, REP or
 * CD) when all its bytes arrived, also in a message cut short or malformed
 * after it (05 07 and then the close: REP 0x07); NULL when the message has
 * none or it did not arrive.
 */
const struct field *msg_code_field(const struct msg *m);

/* That field in words: "REP 0x07 command not supported" ("REP 0xa7" when
 * the code has no name); "" (and 0) when there is none. */
size_t msg_code_text(const struct msg *m, char *buf, size_t cap);

#endif
