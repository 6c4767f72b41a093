/*
 * The sessions of a capture: packets in (their headers already read by
 * frames.c), sessions out.  Each TCP connection on a SOCKS port (or, with
 * sniff, any connection whose client's first bytes the flow takes for
 * SOCKS) is reassembled one direction at a time (reasm.h), both directions
 * are fed to one flow (proto/flow.h) in capture order, and the flow's
 * events go to the session's conversation view (session_view.h).  A UDP
 * association's datagrams are linked to the session that asked for it.
 *
 * No libpcap here: capture_main.c reads the packets; a test hands them in.
 */
#ifndef SOCKSCOPE_CLI_CAPTURE_ENGINE_H
#define SOCKSCOPE_CLI_CAPTURE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frames.h"
#include "session_view.h"

#define CAP_PORTS_MAX 32
/* What the open sessions' gathered messages, events and kept text may take
 * together: the same as the reassembly's bytes held behind holes. */
#define CAP_KEEP_BUDGET ((size_t)64 << 20)

/* A session that has ended: its view (summary gathered) and, when the
 * configuration asked for it, its conversation as text. */
struct cap_done {
	const struct sv_session *sv;
	const char *text; /* NUL-terminated; NULL when not kept */
	size_t len;
};

struct cap_config {
	uint16_t ports[CAP_PORTS_MAX];
	size_t nports;
	bool sniff;                /* any port: sessions the flow recognises */
	const struct sv_opts *view;
	bool keep_text;            /* write each conversation for cap_done.text */
	size_t reasm_limit;        /* per direction; 0: REASM_LIMIT_DEFAULT */
	size_t open_max;           /* connections open at once; 0: CAP_OPEN_MAX */
	size_t keep_budget;        /* what all open sessions keep (sv_budget); 0: CAP_KEEP_BUDGET */
	void (*on_done)(void *ctx, const struct cap_done *d);
	void *ctx;
	const char *end_words;     /* how cap_finish() ends a session; NULL:
				      "the capture's end" */
};

struct cap_engine;

/* A packet's time in microseconds since the epoch, from its seconds and
 * microseconds as a capture file holds them: clamped to the years 1970 to
 * 5138, so that no sum or difference of two times can overflow. */
int64_t cap_time(long long sec, long long usec);

/* NULL when memory ran out. */
struct cap_engine *cap_new(const struct cap_config *cfg);

/* From now on, sessions that start are not written as text (the front end
 * switched to the table): keep_text for those already open only. */
void cap_stop_text(struct cap_engine *e);

/* A packet captured at t (microseconds since the epoch), its headers in f,
 * payload the f->payload_cap bytes captured.  false when memory ran out. */
bool cap_packet(struct cap_engine *e, int64_t t, const struct tcp_frame *f,
		const uint8_t *payload);

/* The capture is over at t: every open session ends ("capture end"). */
void cap_finish(struct cap_engine *e, int64_t t);

/* Sessions found so far; connections tracked now. */
unsigned cap_sessions(const struct cap_engine *e);
size_t cap_open(const struct cap_engine *e);

void cap_free(struct cap_engine *e);

#endif
