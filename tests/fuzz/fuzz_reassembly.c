/*
 * TCP reassembly (cli/capture/reasm.c): segments of one stream, cut, sent
 * in any order, repeated, overlapping, cut short by a snap length, some
 * never captured, with acknowledgements in between.
 *
 * Input:
 *   byte 0       bits 0-1: the ISN's high bits (wrap near 2^32); bit 2: no
 *                SYN (joined mid-stream); bits 3-7: limit = (x + 1) * 16
 *   records      4 bytes each: start (2 bytes, modulo the stream), length
 *                (1 byte), flags (bit 0 FIN, bit 1 an ACK of start+length
 *                first, bits 2-7 the bytes cut by the snap length)
 *   the stream   the bytes left, at most 2048
 *
 * Checked: each segment's captured bytes are in a heap block of exactly
 * their size (a read past them is an ASan report); every byte handed on is
 * the stream's byte at its offset (never a made-up byte); data and gaps
 * come in order, each offset once; a FIN comes once, where it was sent;
 * after the flush nothing is held.  And with a large limit, no SYN lost,
 * every segment whole and the stream covered, the stream comes out whole
 * whatever the order: split and order invariance.
 */
#include "fuzz.h"

#include "reasm.h"

#define STREAM_MAX 2048
#define RECORDS_MAX 256

struct out {
	const uint8_t *stream;
	size_t nstream;
	uint64_t next;
	uint64_t data, gaps;
	int fins;
	uint64_t fin_off;
};

static void
on_data(void *ctx, const uint8_t *p, size_t n, uint64_t off)
{
	struct out *o = ctx;

	CHECKF(off == o->next, "data at %llu, expected %llu", (unsigned long long)off,
	       (unsigned long long)o->next);
	CHECK(n > 0);
	CHECKF(off + n <= o->nstream, "data past the stream: %llu+%zu", (unsigned long long)off, n);
	CHECK(memcmp(p, o->stream + off, n) == 0);
	o->next = off + n;
	o->data += n;
}

static void
on_gap(void *ctx, uint64_t off, uint64_t len, enum reasm_gap_why why)
{
	struct out *o = ctx;

	CHECK(off == o->next && len > 0);
	CHECK(reasm_gap_why_text(why) != NULL);
	o->next = off + len;
	o->gaps += len;
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
	bool fin, ack;
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
		recs[i].start = ((size_t)x[0] << 8 | x[1]) % nstream;
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
	struct out o = { .stream = stream + base, .nstream = nstream - base };
	struct reasm_sink sink = { on_data, on_gap, on_fin, &o };
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
		if (x->ack)
			reasm_ack(&rs, isn + 1 + (uint32_t)x->start, &sink);
		reasm_segment(&rs, isn + 1 + (uint32_t)x->start, copy, cap, x->len, x->fin, &sink);
		free(copy);
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
