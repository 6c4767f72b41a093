/*
 * TCP reassembly of one direction (reasm.h).
 *
 * Offsets are 64-bit stream offsets; a 32-bit sequence number is read as
 * the offset nearest to the next byte expected, so the stream may pass
 * 4 GiB and sequence numbers may wrap.  Held segments never overlap: a new
 * segment fills only the holes between those already held (the first copy
 * captured wins), and a byte before `next` was handed on already.  A copy
 * sent again is compared where the first is still at hand: held, or among
 * the last REASM_RECENT bytes handed on.
 */
#include <stdlib.h>
#include <string.h>

#include "reasm.h"

struct reasm_seg {
	struct reasm_seg *next;
	uint64_t off;
	size_t len;
	bool hole; /* bytes the snap length cut: known missing */
	uint8_t data[];
};

void
reasm_init(struct reasm *r, size_t limit)
{
	memset(r, 0, sizeof(*r));
	r->limit = limit;
}

void
reasm_syn(struct reasm *r, uint32_t seq)
{
	if (r->started)
		return; /* a SYN sent again */
	r->started = true;
	r->base = seq + 1;
}

/* Where the copies of one segment differ from the first: the first
 * differing byte's offset to the last's. */
struct span {
	uint64_t from, to; /* to == 0: none yet */
};

static void
span_add(struct span *d, uint64_t off)
{
	if (d->to == 0 || off < d->from)
		d->from = off;
	if (off + 1 > d->to)
		d->to = off + 1;
}

/* p, the bytes of [a, a + n), against the first copy q of the same bytes. */
static void
compare(struct span *d, uint64_t a, const uint8_t *p, const uint8_t *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != q[i])
			span_add(d, a + i);
}

/* The last bytes handed on, kept for comparing: p, handed on at off. */
static void
remember(struct reasm *r, const uint8_t *p, size_t n, uint64_t off)
{
	size_t skip = n > REASM_RECENT ? n - REASM_RECENT : 0;

	for (size_t i = skip; i < n; i++)
		r->recent[(off + i) % REASM_RECENT] = p[i];
}

/* [a, b) came again, all of it handed on already (before next); p its
 * bytes, NULL when the snap length cut them. */
static void
compare_delivered(struct reasm *r, uint64_t a, uint64_t b, const uint8_t *p, struct span *d)
{
	uint64_t lo = r->next > REASM_RECENT ? r->next - REASM_RECENT : 0;

	if (lo < r->recent_from)
		lo = r->recent_from;
	uint64_t from = a > lo ? a : lo;

	r->repeated += b - a;
	if (p == NULL || from >= b) {
		r->unchecked += b - a;
		return;
	}
	r->unchecked += from - a;
	for (uint64_t o = from; o < b; o++)
		if (p[o - a] != r->recent[o % REASM_RECENT])
			span_add(d, o);
}

/* The stream offset of seq: the one nearest to next; negative before the
 * stream's start. */
static int64_t
unwrap(const struct reasm *r, uint32_t seq)
{
	uint32_t rel = seq - r->base, cur = (uint32_t)r->next;

	return (int64_t)r->next + (int32_t)(rel - cur);
}

static bool
insert_piece(struct reasm *r, struct reasm_seg **pp, uint64_t a, size_t n, const uint8_t *p)
{
	struct reasm_seg *s = malloc(sizeof(*s) + (p != NULL ? n : 0));

	if (s == NULL)
		return false;
	s->off = a;
	s->len = n;
	s->hole = p == NULL;
	if (p != NULL) {
		memcpy(s->data, p, n);
		r->held += n;
	}
	s->next = *pp;
	*pp = s;
	if (s->next == NULL)
		r->last = s;
	r->nsegs++;
	return true;
}

/* [a, b) into the holes between the held segments; p the bytes of [a, b),
 * or NULL for bytes known missing. */
static bool
insert_range(struct reasm *r, uint64_t a, uint64_t b, const uint8_t *p, struct span *d)
{
	struct reasm_seg **pp = &r->pending;
	const uint64_t a0 = a;

	if (a < r->next) {
		uint64_t end = b < r->next ? b : r->next;
		compare_delivered(r, a, end, p, d);
		a = end;
	}
	while (a < b) {
		if (r->last != NULL && r->last->off + r->last->len <= a)
			pp = &r->last->next; /* after all held: the usual case */
		while (*pp != NULL && (*pp)->off + (*pp)->len <= a)
			pp = &(*pp)->next;
		struct reasm_seg *cur = *pp;
		if (cur != NULL && cur->off <= a) {
			uint64_t end = cur->off + cur->len < b ? cur->off + cur->len : b;
			r->repeated += end - a;
			if (p != NULL && !cur->hole)
				compare(d, a, p + (a - a0), cur->data + (a - cur->off),
					(size_t)(end - a));
			else
				r->unchecked += end - a;
			a = end;
			continue;
		}
		uint64_t end = cur != NULL && cur->off < b ? cur->off : b;
		if (!insert_piece(r, pp, a, (size_t)(end - a), p != NULL ? p + (a - a0) : NULL))
			return false;
		pp = &(*pp)->next;
		a = end;
	}
	return true;
}

static void
give_up_to(struct reasm *r, uint64_t to, enum reasm_gap_why why, const struct reasm_sink *s)
{
	if (to <= r->next)
		return;
	r->gaps += to - r->next;
	s->gap(s->ctx, r->next, to - r->next, why);
	r->next = r->recent_from = to;
}

/* Hands on what is contiguous with next, then the FIN when it is reached. */
static void
deliver(struct reasm *r, const struct reasm_sink *s)
{
	while (r->pending != NULL && r->pending->off <= r->next) {
		struct reasm_seg *seg = r->pending;

		r->pending = seg->next;
		if (r->pending == NULL)
			r->last = NULL;
		r->nsegs--;
		if (seg->hole) {
			give_up_to(r, seg->off + seg->len, REASM_GAP_SNAPLEN, s);
		} else {
			r->held -= seg->len;
			r->next += seg->len;
			remember(r, seg->data, seg->len, seg->off);
			s->data(s->ctx, seg->data, seg->len, seg->off);
		}
		free(seg);
	}
	if (r->fin_known && !r->fin_done && r->next >= r->fin_off) {
		r->fin_done = true;
		s->fin(s->ctx, r->fin_off);
	}
}

/* Too much waits behind the first hole: give holes up until it fits. */
static void
enforce_limit(struct reasm *r, const struct reasm_sink *s)
{
	while ((r->held > r->limit || r->nsegs > REASM_SEGS_MAX) && r->pending != NULL) {
		give_up_to(r, r->pending->off, REASM_GAP_LIMIT, s);
		deliver(r, s);
	}
}

/* The FIN came: what is held past it is no part of the stream. */
static void
drop_past_fin(struct reasm *r)
{
	struct reasm_seg **pp = &r->pending;

	r->last = NULL;
	while (*pp != NULL && (*pp)->off + (*pp)->len <= r->fin_off) {
		r->last = *pp;
		pp = &(*pp)->next;
	}
	if (*pp != NULL && (*pp)->off < r->fin_off) {
		size_t cut = (size_t)((*pp)->off + (*pp)->len - r->fin_off);
		(*pp)->len -= cut;
		r->past_fin += cut;
		r->held -= (*pp)->hole ? 0 : cut;
		r->last = *pp;
		pp = &(*pp)->next;
	}
	while (*pp != NULL) {
		struct reasm_seg *seg = *pp;
		*pp = seg->next;
		r->past_fin += seg->len;
		r->held -= seg->hole ? 0 : seg->len;
		r->nsegs--;
		free(seg);
	}
}

/* One past the highest byte seen: handed on or held. */
static uint64_t
seen_end(const struct reasm *r)
{
	uint64_t end = r->last != NULL ? r->last->off + r->last->len : 0;

	return end > r->next ? end : r->next;
}

bool
reasm_segment(struct reasm *r, uint32_t seq, const uint8_t *p, size_t cap, size_t len,
	      bool fin, const struct reasm_sink *s)
{
	bool ok = true;

	if (cap > len)
		cap = len;
	if (!r->started) {
		r->started = r->partial = true;
		r->base = seq;
	}
	int64_t at = unwrap(r, seq);
	if (len == 1 && !fin && at + 1 == (int64_t)seen_end(r)) {
		r->keepalives++;
		return true; /* a keep-alive's byte may be any byte: not compared */
	}
	if (at < 0) {
		/* bytes before the first byte seen (a partial stream's earlier
		 * bytes); a copy sent again may run on past it */
		size_t before = (uint64_t)-at < len ? (size_t)-at : len;
		r->repeated += before;
		r->unchecked += before;
		if (before == len)
			return true;
		p += before < cap ? before : cap;
		cap = before < cap ? cap - before : 0;
		len -= before;
		at = 0;
	}
	uint64_t a = (uint64_t)at;
	if (fin && !r->fin_known) {
		r->fin_known = true;
		r->fin_off = a + len;
		drop_past_fin(r);
	}
	if (r->fin_known && a + len > r->fin_off) {
		/* past the FIN: no part of the stream (a receiver ignores them) */
		size_t keep = a >= r->fin_off ? 0 : (size_t)(r->fin_off - a);
		r->past_fin += len - keep;
		cap = cap < keep ? cap : keep;
		len = keep;
	}
	struct span d = {0, 0};
	if (cap > 0 && a == r->next && r->pending == NULL) {
		/* in order with nothing held: handed on without a copy */
		r->next += cap;
		remember(r, p, cap, a);
		s->data(s->ctx, p, cap, a);
	} else if (cap > 0) {
		ok = insert_range(r, a, a + cap, p, &d);
	}
	if (ok && cap < len)
		ok = insert_range(r, a + cap, a + len, NULL, &d);
	if (d.to > 0) {
		/* the first copy stays: said before what follows is handed on */
		r->differed += d.to - d.from;
		if (s->differ != NULL)
			s->differ(s->ctx, d.from, d.to - d.from);
	}
	deliver(r, s);
	enforce_limit(r, s);
	return ok;
}

/* A single byte acknowledged past what was held may be a FIN the capture
 * missed, not data: the flush says what is missing then. */
void
reasm_ack(struct reasm *r, uint32_t ack, const struct reasm_sink *s)
{
	if (!r->started)
		return;
	int64_t at = unwrap(r, ack);
	if (at <= (int64_t)r->next)
		return;
	uint64_t to = (uint64_t)at;
	if (r->fin_known && to > r->fin_off)
		to = r->fin_off;
	if (!r->fin_known && to == r->next + 1 && r->pending == NULL)
		return;
	while (r->next < to) {
		uint64_t upto = r->pending != NULL && r->pending->off < to ? r->pending->off : to;
		give_up_to(r, upto, REASM_GAP_ACKED, s);
		deliver(r, s);
	}
}

void
reasm_flush(struct reasm *r, const struct reasm_sink *s)
{
	while (r->pending != NULL) {
		give_up_to(r, r->pending->off, REASM_GAP_END, s);
		deliver(r, s);
	}
	if (r->fin_known && !r->fin_done) {
		give_up_to(r, r->fin_off, REASM_GAP_END, s);
		deliver(r, s);
	}
}

void
reasm_free(struct reasm *r)
{
	while (r->pending != NULL) {
		struct reasm_seg *seg = r->pending;

		r->pending = seg->next;
		free(seg);
	}
	r->last = NULL;
	r->held = 0;
	r->nsegs = 0;
}

const char *
reasm_gap_why_text(enum reasm_gap_why why)
{
	switch (why) {
	case REASM_GAP_SNAPLEN:
		return "cut by the snap length";
	case REASM_GAP_ACKED:
		return "acknowledged by the other side but not in the capture";
	case REASM_GAP_LIMIT:
		return "never came while later bytes piled up";
	case REASM_GAP_END:
		return "missing when the connection ended";
	}
	return "missing";
}
