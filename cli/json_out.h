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
 * "secret".
 */
#ifndef SOCKSCOPE_CLI_JSON_OUT_H
#define SOCKSCOPE_CLI_JSON_OUT_H

#include <jansson.h>

#include "field.h"

#define MSG_JSON_SHOW_SECRETS 0x01u /* PASSWD in clear, as --show-secrets */

/* A new reference, or NULL when memory ran out. */
json_t *msg_to_json(const struct msg *m, unsigned opts);

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
