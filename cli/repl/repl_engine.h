/*
 * The REPL's stepping engine, internal: what its files share with one
 * another.  Commands reach the engine through repl_session.h (rs_open,
 * rs_send, rs_raw, ...); nothing outside these files includes this header.
 *
 *   repl_compose.c  a draft encoded, shown in the hex view, checked by the spec
 *   repl_fields.c   the drafts in use and their fields: found, set, printed
 *   repl_conn.c     the connection: opening it (through a chain), bytes in
 *                   and out, reading until a reply is whole, closing it
 *   repl_flow.c     the flow fed what goes both ways; what it shows and says
 *   repl_reply.c    the reply the server owes, awaited and fed to the flow
 *   repl_step.c     the handshake steps, one draft at a time, and `send`
 *   repl_raw.c      `raw` bytes as given, and `recv`
 *   repl_tunnel.c   `tunnel`: the connection relayed to stdin and stdout
 *   repl_status.c   `status`
 *   repl_udp.c      `dgram` through a granted UDP ASSOCIATE
 */
#ifndef SOCKSCOPE_CLI_REPL_ENGINE_H
#define SOCKSCOPE_CLI_REPL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "repl_session.h"

/* ---- repl_compose.c */

/* Draft rd encoded into out[0..cap) without showing it: EXIT_OK, or
   EXIT_USAGE naming the field that cannot be encoded. */
int rs_encode_quietly(struct rsess *s, enum rs_draft rd, uint8_t *out, size_t cap, size_t *len,
		      struct msg *m);

/* ---- repl_conn.c */

enum read_result { R_DONE, R_BAD, R_TIMEOUT, R_EOF, R_ERR, R_INTR, R_FULL };

/* Drops the first n bytes of c->in (at most what it has). */
void rs_consume(struct conn *c, size_t n);
/* 1 readable, 0 deadline passed, -1 poll failed, -2 interrupted. */
int rs_wait_readable(int fd, int64_t deadline);
/* Reads once what the socket has into conn.in: >0 bytes, 0 EOF, -1 error,
   -3 full, -4 nothing yet (EAGAIN). */
ssize_t rs_read_some(struct rsess *s);
/* Reads until a message of type is complete or malformed, or it cannot be;
   *m is what the bytes so far decode to, *err the errno of R_ERR. */
enum read_result rs_read_reply(struct rsess *s, enum msg_type type, int64_t deadline,
			       struct msg *m, int *err);
/* EXIT_OK when connected, else says so (`what` names the command). */
int rs_need_conn(struct rsess *s, const char *what);
/* Sends len bytes by deadline, fed to the flow as the client's; a failed
   send closes the connection. */
int rs_send_bytes(struct rsess *s, const uint8_t *p, size_t len, const char *phase,
		  int64_t deadline);
/* The same, for bytes the caller fed to the flow itself (`raw`). */
int rs_write_bytes(struct rsess *s, const uint8_t *p, size_t len, const char *phase,
		   int64_t deadline);
/* "127.0.0.1:40000" of our end, or of the peer's; "?" when unknown. */
void rs_sock_name(int fd, bool peer, char *buf, size_t cap);

/* ---- repl_flow.c */

/* A new flow for a new connection, of the proxy's version. */
void rs_flow_start(struct rsess *s);
/* The flow wiped (at close: it holds what the client sent), and ready for
   nothing but what a closed connection asks of it. */
void rs_flow_wipe(struct rsess *s);
/* What the REPL sent, fed to the flow as the client's; returns how many of
   the bytes were protocol (the rest is tunnel data). */
size_t rs_flow_sent(struct rsess *s, const uint8_t *p, size_t len);
/* The first n bytes of conn.in, fed to the flow as the server's, dropped. */
void rs_take(struct rsess *s, size_t n);
/* The client message the flow expects next; *owed false when it expects
   none (tunnel data, nothing until the server answered, the end). */
enum msg_type rs_client_owes(const struct rsess *s, bool *owed);
/* Whether the server owes a message on the open connection, and its type. */
bool rs_server_owes(const struct rsess *s, enum msg_type *type);
/*
 * What the flow decided since the last verdict, said: EXIT_OK, or the
 * failure's status after saying it on stderr with the flow's hint.  label
 * names the step; awaited the message the server owed, or NULL.
 */
int rs_verdict(struct rsess *s, const char *label, const char *awaited);
/* The view options for what the server sends now: a reply titled by its
   role in a BIND (the first while the reply is due, the second while
   bound). */
struct view_opts rs_server_view(const struct rsess *s);
/* The flow's hint, if it gave one not said yet, on stderr. */
void rs_say_hint(struct rsess *s);

/* ---- repl_reply.c */

/*
 * Waits until deadline for the reply the server owes (none: EXIT_OK at
 * once), lets the flow show it and say what it means.  A reply cut short
 * by the deadline stays due: `recv` or `send` go on reading it.  Returns
 * the step's status.
 */
int rs_expect_reply(struct rsess *s, int64_t deadline, const char *phase, int wait_ms);
/* How far bytes of a message got: "7 of 10 bytes (in BND.ADDR)". */
void rs_progress(const struct msg *m, size_t have, char *buf, size_t cap);
/* A code's name in table t, or "unknown code". */
const char *rs_code_meaning(const struct name_table *t, uint32_t code);
/* The methods the last greeting offered, as "02 USERNAME/PASSWORD, ...". */
void rs_offered_text(const struct rsess *s, char *buf, size_t cap);

/* ---- repl_raw.c */

/*
 * What comes back that is no message the server owes: read until
 * deadline, then until quiet_ms pass without a byte, shown as a hex dump
 * and fed to the flow; a close is the flow's to judge.  Nothing at all is
 * a timeout of the `label` phase when nothing_is_timeout, else "nothing
 * received".
 */
int rs_show_plain(struct rsess *s, int64_t deadline, int quiet_ms, const char *label,
		  bool nothing_is_timeout, int wait_ms);

/* ---- small words */

static inline const char *
rs_title_of(enum msg_type t)
{
	return proto_msg_desc(t)->title;
}

static inline double
rs_secs(int ms)
{
	return ms / 1000.0;
}

#endif
