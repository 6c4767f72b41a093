/*
 * One hop of the client engine driven by the protocol flow (proto/flow.h):
 * what sockscope sends is fed as the client's side, every byte it reads as
 * the server's, and the flow alone says what comes next, what a reply
 * means and what a close means.  A chain is one flow per hop, each over the
 * tunnel of the one before: the bytes read from the socket go through
 * hop 1's flow, whose tunnel data is hop 2's server side, and so on.
 */
#ifndef SOCKSCOPE_HOPFLOW_H
#define SOCKSCOPE_HOPFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

/* Starts hop i's flow: version 4 or 5, the methods its greeting offers. */
void hop_start(struct session *s, int i, int version, const uint8_t *offered, size_t noffered);

/* Feeds what the client sends to hop i's flow, then writes it, bounded by
 * deadline; EXIT_OK or a failure in s->error. */
int hop_send(struct session *s, int i, const uint8_t *p, size_t len, int64_t deadline);

/*
 * Reads one message hop i's server owes, no byte more (what comes after it
 * stays in the socket for the next hop or the tunnel).  EXIT_OK when it came
 * or a close decided the flow (hop_verdict() words it); EXIT_TIMEOUT on
 * the deadline, with s->error.
 */
int hop_read(struct session *s, int i, int64_t deadline);

/* The flow's outcome as an exit status, in words in s->error: EXIT_OK
 * while undecided or granted. */
int hop_verdict(struct session *s, int i);

/* The phase as the trace and the errors name it: "greeting", "auth",
 * "request", "bind-wait"; NULL after the handshake. */
const char *hop_phase_word(const struct hop_flow *h);

/* Whether hop i's flow says the request was granted. */
bool hop_granted(const struct session *s, int i);

/* Bytes read from the socket after the handshake, fed to every hop's flow
 * (hop 1's, whose tunnel carries the next hop's). */
void hop_feed(struct session *s, const uint8_t *p, size_t n);

/*
 * What came on a UDP association's control connection, fed to the flows:
 * nothing should.  true, once, with the flow's violation in why (phase,
 * offset, what is wrong); the association goes on.
 */
bool hop_control_bytes(struct session *s, const uint8_t *p, size_t n, char *why, size_t cap);

/* Forgets every hop's flow: they hold the RFC 1929 request sent. */
void hop_wipe_all(struct session *s);

#endif
