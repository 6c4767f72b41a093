/*
 * The JSON form of a message, for -j/--json and `decode --json`:
 *
 *   {"direction": "client", "type": "request", "title": "SOCKS5 CONNECT request",
 *    "length": 10, "status": "complete",
 *    "fields": [{"name": "VER", "offset": 0, "length": 1, "hex": "05",
 *                "value": 5, "meaning": "SOCKS5", "flags": []}, ...]}
 *
 * status is "complete", "truncated" (with "need", the total known to be
 * required, "need_is_minimum" and "truncated_in") or
 * "malformed" (with "error": {"offset", "field", "reason", "code"}).
 * A field's value is a number, an address string, a list of codes, opaque
 * bytes in hex (a GSS-API token), or the text; text that is not valid UTF-8, or holds a control character
 * (C0, DEL or C1), has a null value, and "hex" always holds
 * the exact bytes.  A masked secret has value "********" and no "hex".
 * Flags: "derived", "override", "anomaly", "unassigned", "truncated", "bad",
 * "secret".  An address or port whose meaning depends on where it is has a
 * "meaning" too: "SOCKS4a: the host name follows" for DSTIP 0.0.0.x, the
 * source in a datagram from the relay, a BIND reply's address in its role.
 */
#ifndef SOCKSCOPE_CLI_JSON_OUT_H
#define SOCKSCOPE_CLI_JSON_OUT_H

#include <jansson.h>

#include "field.h"
#include "view_opts.h"

#define MSG_JSON_SHOW_SECRETS 0x01u /* PASSWD in clear, as --show-secrets */

/* A new reference, or NULL when memory ran out. */
json_t *msg_to_json(const struct msg *m, unsigned opts);

/* msg_to_json() of m shown as o says, as the hex view and the trace show
 * it: o->dir gives "direction" (a datagram received from the relay is the
 * server's, and its DST.ADDR the source), o->role the title and the
 * meaning of a BIND reply's address, o->show_secrets PASSWD.  o may be
 * NULL. */
json_t *msg_to_json_view(const struct msg *m, const struct view_opts *o);

/* A JSON string for text meant for people (a host name from the network,
 * a user name): as it is when it is printable UTF-8, else escaped as the
 * terminal views escape it (\xNN), so no control byte -- DEL included, which
 * JSON_ENSURE_ASCII lets through -- reaches whoever prints the value.  A
 * new reference, or NULL when memory ran out. */
json_t *json_printable(const char *text, size_t len);

/* How every JSON document leaves sockscope: ASCII only (so no byte from the
 * network reaches a terminal raw), keys in the order they were added. */
#define SOCKSCOPE_JSON_FLAGS (JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER)

#endif
