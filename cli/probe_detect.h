/*
 * sockscope probe, internal: peers that are not SOCKS.  The first bytes of
 * an answer tell an HTTP, TLS or SSH server apart; http-sniff's answer, a
 * reply in the other SOCKS version and bytes followed by silence each come
 * to a decision here.  Buffers in, a decision out: no I/O.
 */
#ifndef SOCKSCOPE_CLI_PROBE_DETECT_H
#define SOCKSCOPE_CLI_PROBE_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe_types.h"

/* A step's end as detection sees it: the outcome, the peer when one was
   recognised (PEER_NONE otherwise), and the detail in words. */
struct detection {
	enum outcome oc;
	enum peer peer;
	char detail[200];
};

/* "", "http", "tls", "ssh", "other", "echo": the JSON "peer". */
extern const char *const probe_peer_names[];
/* "an HTTP server", ...: the table's words for a peer. */
extern const char *const probe_peer_words[];

/* What the first bytes say about a peer that is not SOCKS. */
enum peer probe_peer_of(const uint8_t *p, size_t n);

/* Up to 16 bytes as "05 00 ...", for details. */
void probe_hexprefix(const uint8_t *p, size_t n, char *out, size_t outlen);

/*
 * http-sniff: what the answer so far to "HEAD / HTTP/1.0" says.  eof: no
 * more bytes come (err: the errno that ended them, or 0).  false while more
 * bytes could still decide.
 */
bool probe_detect_sniff(const uint8_t *in, size_t have, bool eof, int err, struct detection *d);

/*
 * The answer to a step's first message (the greeting, the SOCKS4 request)
 * starts with that message, byte for byte: an echo service (OC_NOT_SOCKS,
 * PEER_ECHO).  No SOCKS reply is: a method selection or a SOCKS4 reply is
 * shorter than what it answers, and nothing may follow it before the
 * client's next message.
 */
bool probe_detect_echo(const uint8_t *sent, size_t sentlen, const uint8_t *in, size_t have,
		       struct detection *d);

/*
 * Bytes that are not the SOCKS reply expected: another protocol's
 * (OC_NOT_SOCKS with its peer) or, when undecodable is set (the decoder
 * refused them, rather than asking for more), the other SOCKS version
 * (OC_OTHER_VERSION).  false: neither; the bytes are SOCKS, however bad.
 */
bool probe_detect_foreign(enum msg_type expect, const uint8_t *in, size_t have, bool undecodable,
			  struct detection *d);

/* A malformed reply in SOCKS's own shape: its version byte (in[0]) fits. */
bool probe_socksish(enum msg_type expect, const uint8_t *in);

/*
 * Some bytes, then nothing until the deadline.  true: an answer from
 * something that is not SOCKS (any answer, for the http-sniff step: raw);
 * false: a SOCKS reply cut short.
 */
bool probe_detect_partial(const uint8_t *in, size_t have, bool raw, struct detection *d);

#endif
