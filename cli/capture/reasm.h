/*
 * TCP reassembly of one direction of a connection, by sequence number.
 *
 * Segments come in capture order: out of order, repeated, overlapping, cut
 * by the snap length, or missing.  The reassembler hands the stream on in
 * order, each byte once, with its offset in the stream (the bytes the side
 * sent before it).  Where bytes are missing it says so, as a gap of N bytes,
 * and never makes them up:
 *
 *   - the snap length cut a segment: the rest of it is a gap when the
 *     stream reaches it;
 *   - the other side acknowledged bytes the capture never held (it got
 *     them; the capture missed them);
 *   - more than `limit` bytes, or REASM_SEGS_MAX segments, wait behind a
 *     hole (the hole is given up);
 *   - the stream is flushed (a reset, the capture's end) with a hole open.
 *
 * Where two copies of a byte differ, the first one captured is kept (the
 * one a receiver that got it first would have kept too), and the sink's
 * `differ` hears of it: evidence of a middlebox rewriting, a broken stack
 * or bytes injected.  A copy is compared with the bytes held ahead of the
 * stream and with the last REASM_RECENT bytes handed on; a copy of older
 * bytes, of bytes before a partial stream's start or of bytes given up as
 * missing cannot be compared (counted in `unchecked`).  A keep-alive (one
 * byte, no FIN, one below the highest byte seen) is no copy sent again: its
 * byte may be any byte (RFC 1122 4.2.3.6), so it is not compared (counted
 * in `keepalives`), as tshark reads it too.  Bytes past the FIN are no part
 * of the stream (a receiver ignores them): dropped, counted in `past_fin`.  Pure: no I/O; it
 * allocates the segments it holds, at most `limit` bytes of them plus one
 * segment.
 */
#ifndef SOCKSCOPE_CLI_REASM_H
#define SOCKSCOPE_CLI_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum reasm_gap_why {
	REASM_GAP_SNAPLEN, /* the snap length cut the segment */
	REASM_GAP_ACKED,   /* acknowledged by the other side, never captured */
	REASM_GAP_LIMIT,   /* too much waited behind it */
	REASM_GAP_END,     /* still missing when the stream was flushed */
};

struct reasm_sink {
	void (*data)(void *ctx, const uint8_t *p, size_t n, uint64_t off);
	void (*gap)(void *ctx, uint64_t off, uint64_t len, enum reasm_gap_why why);
	void (*fin)(void *ctx, uint64_t off); /* the stream ended at off (a FIN) */
	void *ctx;
	/* A segment sent again differs from the first copy in [off, off + len)
	 * (the first differing byte to the last); may be NULL. */
	void (*differ)(void *ctx, uint64_t off, uint64_t len);
};

struct reasm_seg;

/* Bytes handed on that a copy sent again is compared with: a SOCKS message
 * sent again is the last thing its side sent (it waits for the answer), and
 * all but the longest (a long login, a GSSAPI token) fit.  Per direction,
 * inline: 512 bytes more per connection. */
#define REASM_RECENT 256u

struct reasm {
	bool started;      /* the stream's first sequence number is known */
	bool partial;      /* no SYN: the stream was joined in its middle */
	uint32_t base;     /* the sequence number of offset 0 */
	uint64_t next;     /* offset of the next byte to hand on */
	struct reasm_seg *pending; /* ahead of next, sorted, not overlapping */
	struct reasm_seg *last;    /* the last of pending: appending costs no walk */
	size_t held;       /* bytes in pending */
	size_t nsegs;      /* segments in pending */
	size_t limit;
	bool fin_known, fin_done;
	uint64_t fin_off;
	uint64_t repeated; /* bytes that came again (retransmitted, overlapping) */
	uint64_t gaps;     /* bytes given up as missing */
	uint64_t differed; /* bytes in the spans reported to differ */
	uint64_t unchecked; /* bytes that came again but could not be compared */
	uint64_t keepalives; /* one-byte segments one below the highest byte seen */
	uint64_t past_fin;  /* bytes past the FIN: no part of the stream, dropped */
	uint64_t recent_from; /* recent[] holds the stream's bytes from here to next */
	uint8_t recent[REASM_RECENT]; /* byte off at recent[off % REASM_RECENT] */
};

/* Most bytes a stream holds behind a hole, by default. */
#define REASM_LIMIT_DEFAULT (1u << 20)
/* Most segments it holds: a segment placed among them walks those before
 * it, so many tiny ones would cost time as their square.  A megabyte of
 * full-sized segments is about 730. */
#define REASM_SEGS_MAX 1024u

void reasm_init(struct reasm *r, size_t limit);

/* A SYN with sequence number seq: the stream's first byte is seq + 1. */
void reasm_syn(struct reasm *r, uint32_t seq);

/*
 * A segment: seq, len bytes of payload of which the first cap were captured
 * (cap <= len), p[0..cap); fin when it carries a FIN.  A stream with no SYN
 * starts at its first segment and is partial.  Returns false when memory
 * ran out (the segment is then given up as a gap).
 */
bool reasm_segment(struct reasm *r, uint32_t seq, const uint8_t *p, size_t cap, size_t len,
		   bool fin, const struct reasm_sink *s);

/* The other side acknowledged everything before ack. */
void reasm_ack(struct reasm *r, uint32_t ack, const struct reasm_sink *s);

/* Hands on everything held, holes as gaps (the stream will get no more). */
void reasm_flush(struct reasm *r, const struct reasm_sink *s);

void reasm_free(struct reasm *r);

const char *reasm_gap_why_text(enum reasm_gap_why why);

#endif
