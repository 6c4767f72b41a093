/*
 * TCP reassembly (cli/capture/reasm.c): segments of one stream, cut, sent
 * in any order, repeated, overlapping, cut short by a snap length, some
 * never captured, with acknowledgements in between.
 *
 * Input:
 *   byte 0       bits 0-1: the ISN's high bits (wrap near 2^32); bit 2: no
 *                SYN (joined mid-stream); bits 3-7: limit = (x + 1) * 16
 *   records      4 bytes each: start (2 bytes: bit 15 a changed copy, its
 *                middle byte flipped; bits 0-14 modulo the stream), length
 *                (1 byte), flags (bit 0 FIN, bit 1 an ACK of start+length
 *                first, bits 2-7 the bytes cut by the snap length)
 *   the stream   the bytes left, at most 2048
 *
 * Checked: each segment's captured bytes are in a heap block of exactly
 * their size (a read past them is an ASan report); every byte handed on is
 * the first copy captured of the byte at its offset (never a made-up byte,
 * never a later copy); a segment whose bytes differ from the first copy
 * where reasm can still compare (bytes held, or among the last REASM_RECENT
 * handed on since the last gap) is reported with exactly the span from the
 * first differing byte to the last, and one whose bytes are equal is not
 * reported, nor a keep-alive (one byte one below the highest seen); data
 * and gaps
 * come in order, each offset once; a FIN comes once, where it was sent;
 * after the flush nothing is held.  And with a large limit, no SYN lost,
 * every segment whole and the stream covered, the stream comes out whole
 * whatever the order: split and order invariance.
 */
#include "fuzz.h"

#include "reasm.h"

#define STREAM_MAX 2048
#define RECORDS_MAX 256

/* What reasm keeps of each byte: the first copy captured while it was
 * not yet given up, or the snap length's cut, or nothing (given up before a
 * copy came). */
enum claim { CL_NONE, CL_DATA, CL_CUT, CL_GONE };

struct out {
	size_t nstream;
	uint8_t claim[STREAM_MAX];
	uint8_t first[STREAM_MAX];  /* CL_DATA: the first copy */
	uint64_t next;
	uint64_t recent_from;       /* the end of the last gap */
	uint64_t hi;                /* one past the highest byte claimed */
	uint64_t data, gaps;
	int fins;
	uint64_t fin_off;
	bool in_segment;
	int differs;                /* reports during the segment */
	uint64_t differ_off, differ_len;
};

static void
on_data(void *ctx, const uint8_t *p, size_t n, uint64_t off)
{
	struct out *o = ctx;

	CHECKF(off == o->next, "data at %llu, expected %llu", (unsigned long long)off,
	       (unsigned long long)o->next);
	CHECK(n > 0);
	CHECKF(off + n <= o->nstream, "data past the stream: %llu+%zu", (unsigned long long)off, n);
	for (size_t i = 0; i < n; i++)
		CHECKF(o->claim[off + i] == CL_DATA && o->first[off + i] == p[i],
		       "byte %llu handed on is not the first copy", (unsigned long long)(off + i));
	o->next = off + n;
	o->data += n;
}

static void
on_gap(void *ctx, uint64_t off, uint64_t len, enum reasm_gap_why why)
{
	struct out *o = ctx;

	CHECK(off == o->next && len > 0);
	CHECK(reasm_gap_why_text(why) != NULL);
	o->next = o->recent_from = off + len;
	o->gaps += len;
}

static void
on_differ(void *ctx, uint64_t off, uint64_t len)
{
	struct out *o = ctx;

	CHECK(o->in_segment);
	o->differs++;
	o->differ_off = off;
	o->differ_len = len;
}

/* The copy p[0..cap) of [at, at + len) of the stream (at relative to the
 * stream's start, negative before it) comes: what reasm keeps of each byte,
 * and the span where it must find this copy different, [*from, *to). */
static void
model_segment(struct out *o, long at, const uint8_t *p, size_t cap, size_t len, bool fin,
	      uint64_t *from, uint64_t *to)
{
	uint64_t lo = o->next > REASM_RECENT ? o->next - REASM_RECENT : 0;
	uint64_t seen = o->hi > o->next ? o->hi : o->next;

	if (lo < o->recent_from)
		lo = o->recent_from;
	*from = *to = 0;
	if (len == 1 && !fin && at >= 0 && (uint64_t)at + 1 == seen)
		return; /* a keep-alive: its byte is not compared, nor kept */
	for (size_t i = 0; i < len; i++) {
		if (at + (long)i < 0)
			continue; /* before a partial stream's start */
		uint64_t off = (uint64_t)(at + (long)i);
		if (off + 1 > o->hi)
			o->hi = off + 1;
		if (o->claim[off] == CL_NONE) {
			o->claim[off] = off < o->next ? CL_GONE : i < cap ? CL_DATA : CL_CUT;
			o->first[off] = i < cap ? p[i] : 0;
		} else if (o->claim[off] == CL_DATA && i < cap && o->first[off] != p[i] &&
			   (off >= o->next || off >= lo)) {
			if (*to == 0)
				*from = off;
			*to = off + 1;
		}
	}
}

static void
on_fin(void *ctx, uint64_t off)
{
	struct out *o = ctx;

	CHECK(off == o->next);
	o->fins++;
	o->fin_off = off;
}

struct rec {
	size_t start, len, cut;
	bool fin, ack, changed;
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = {data, size};
	struct rec recs[RECORDS_MAX];
	size_t nrec, nstream;
	uint8_t b0;

	if (size < 1)
		return 0;
	b0 = rd_u8(&r);
	nrec = rd_u8(&r);
	if (nrec > RECORDS_MAX || r.n < nrec * 4)
		return 0;
	const uint8_t *rp = r.p;
	const uint8_t *stream = r.p + nrec * 4;
	nstream = r.n - nrec * 4;
	if (nstream == 0 || nstream > STREAM_MAX)
		return 0;
	for (size_t i = 0; i < nrec; i++) {
		const uint8_t *x = rp + 4 * i;
		recs[i].start = ((size_t)(x[0] & 0x7f) << 8 | x[1]) % nstream;
		recs[i].changed = x[0] & 0x80;
		recs[i].len = x[2];
		if (recs[i].start + recs[i].len > nstream)
			recs[i].len = nstream - recs[i].start;
		recs[i].fin = (x[3] & 1) && recs[i].start + recs[i].len == nstream;
		recs[i].ack = x[3] & 2;
		recs[i].cut = (size_t)(x[3] >> 2) < recs[i].len ? (size_t)(x[3] >> 2) : recs[i].len;
	}
	uint32_t isn = (uint32_t)(b0 & 3) << 30 | 0x3ffffff0u;
	bool syn = !(b0 & 4);
	size_t limit = (size_t)((b0 >> 3) + 1) * 16;
	/* the invariance case: a limit beyond the stream, every record whole */
	bool whole = true;
	uint8_t covered[STREAM_MAX] = {0};
	for (size_t i = 0; i < nrec; i++) {
		whole &= recs[i].cut == 0 && !recs[i].ack;
		memset(covered + recs[i].start, 1, recs[i].len);
	}
	whole &= syn && memchr(covered, 0, nstream) == NULL;
	if (whole)
		limit = STREAM_MAX * 2;

	/* with no SYN the stream starts at the first segment seen */
	size_t base = !syn && nrec > 0 ? recs[0].start : 0;
	static struct out o;
	memset(&o, 0, sizeof(o));
	o.nstream = nstream - base;
	struct reasm_sink sink = { on_data, on_gap, on_fin, &o, on_differ };
	struct reasm rs;
	reasm_init(&rs, limit);
	if (syn)
		reasm_syn(&rs, isn);
	for (size_t i = 0; i < nrec; i++) {
		const struct rec *x = &recs[i];
		size_t cap = x->len - x->cut;
		uint8_t *copy = malloc(cap > 0 ? cap : 1);
		CHECK(copy != NULL);
		memcpy(copy, stream + x->start, cap);
		if (x->changed && cap > 0)
			copy[cap / 2] ^= 0x5a;
		if (x->ack)
			reasm_ack(&rs, isn + 1 + (uint32_t)x->start, &sink);
		uint64_t from, to;
		model_segment(&o, (long)x->start - (long)base, copy, cap, x->len, x->fin, &from,
			      &to);
		o.in_segment = true;
		o.differs = 0;
		bool ok = reasm_segment(&rs, isn + 1 + (uint32_t)x->start, copy, cap, x->len, x->fin,
					&sink);
		o.in_segment = false;
		free(copy);
		if (ok && to == 0)
			CHECKF(o.differs == 0, "an equal copy reported at %llu+%llu",
			       (unsigned long long)o.differ_off, (unsigned long long)o.differ_len);
		if (ok && to != 0)
			CHECKF(o.differs == 1 && o.differ_off == from && o.differ_len == to - from,
			       "a copy differing in %llu..%llu reported %d times, last %llu+%llu",
			       (unsigned long long)from, (unsigned long long)to, o.differs,
			       (unsigned long long)o.differ_off, (unsigned long long)o.differ_len);
		CHECK(rs.held <= limit);
	}
	reasm_flush(&rs, &sink);
	CHECK(rs.pending == NULL && rs.held == 0);
	CHECK(o.fins <= 1);
	CHECK(o.data + o.gaps == o.next);
	if (o.fins == 1)
		CHECK(o.fin_off == o.next);
	if (whole) {
		CHECKF(o.gaps == 0 && o.data == nstream, "whole stream: %llu data, %llu gaps of %zu",
		       (unsigned long long)o.data, (unsigned long long)o.gaps, nstream);
	}
	reasm_free(&rs);
	return 0;
}
