/*
 * TCP reassembly (cli/capture/reasm.c): a stream cut into segments comes
 * out the same whatever their order, repetitions and overlaps; what the
 * capture lacks comes out as a gap of the right length at the right offset,
 * for each reason, and never as made-up bytes.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "reasm.h"
#include "suites.h"

#define OUT_MAX 4096
#define LOG_MAX 16384

struct rec {
	uint8_t out[OUT_MAX]; /* the stream as handed on, gaps as '?' */
	size_t nout;
	char log[LOG_MAX];    /* "D0+5 G5+3:snap F8" */
	size_t nlog;
	uint64_t expect_off;  /* data and gaps must come in order */
	bool order_broken;
};

/* "Dof+len " (data), "Xof+len " (copies differ) or "Gof+len:" (a gap,
 * its reason follows). */
static void
logs(struct rec *r, char kind, uint64_t off, uint64_t len)
{
	int n = snprintf(r->log + r->nlog, LOG_MAX - r->nlog, "%c%llu+%llu%s", kind,
			 (unsigned long long)off, (unsigned long long)len, kind == 'G' ? ":" : " ");
	ck_assert(n > 0 && (size_t)n < LOG_MAX - r->nlog);
	r->nlog += (size_t)n;
}

static void
rec_data(void *ctx, const uint8_t *p, size_t n, uint64_t off)
{
	struct rec *r = ctx;

	if (off != r->expect_off)
		r->order_broken = true;
	r->expect_off = off + n;
	ck_assert(r->nout + n <= OUT_MAX);
	memcpy(r->out + r->nout, p, n);
	r->nout += n;
	logs(r, 'D', off, n);
}

static void
rec_gap(void *ctx, uint64_t off, uint64_t len, enum reasm_gap_why why)
{
	static const char *const tag[] = {"snap", "acked", "limit", "end"};
	struct rec *r = ctx;

	if (off != r->expect_off)
		r->order_broken = true;
	r->expect_off = off + len;
	ck_assert(r->nout + len <= OUT_MAX);
	memset(r->out + r->nout, '?', (size_t)len);
	r->nout += (size_t)len;
	logs(r, 'G', off, len);
	r->nlog += (size_t)snprintf(r->log + r->nlog, LOG_MAX - r->nlog, "%s ", tag[why]);
}

static void
rec_fin(void *ctx, uint64_t off)
{
	struct rec *r = ctx;
	int n = snprintf(r->log + r->nlog, LOG_MAX - r->nlog, "F%llu ", (unsigned long long)off);

	ck_assert(n > 0 && (size_t)n < LOG_MAX - r->nlog);
	r->nlog += (size_t)n;
}

/* "Xoff+len ": a copy sent again differs from the first there. */
static void
rec_differ(void *ctx, uint64_t off, uint64_t len)
{
	logs(ctx, 'X', off, len);
}

struct fixture {
	struct reasm r;
	struct rec rec;
	struct reasm_sink sink;
};

static void
setup(struct fixture *f, size_t limit)
{
	memset(&f->rec, 0, sizeof(f->rec));
	reasm_init(&f->r, limit);
	f->sink = (struct reasm_sink){ rec_data, rec_gap, rec_fin, &f->rec, rec_differ };
}

static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz";
#define ISN 1000u

/* Segment [from, to) of text, seq from ISN + 1. */
static void
seg(struct fixture *f, size_t from, size_t to, bool fin)
{
	ck_assert(reasm_segment(&f->r, ISN + 1 + (uint32_t)from, (const uint8_t *)text + from,
				to - from, to - from, fin, &f->sink));
}

static void
expect_stream(struct fixture *f, const char *want, const char *log)
{
	ck_assert_uint_eq(f->rec.nout, strlen(want));
	ck_assert_mem_eq(f->rec.out, want, strlen(want));
	ck_assert_str_eq(f->rec.log, log);
	ck_assert(!f->rec.order_broken);
	reasm_free(&f->r);
}

START_TEST(in_order)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 0, 5, false);
	seg(&f, 5, 12, true);
	expect_stream(&f, "0123456789ab", "D0+5 D5+7 F12 ");
	ck_assert(!f.r.partial);
}
END_TEST

/* Six segments in each of these orders, some repeated: the same stream. */
static const int orders[][8] = {
	{0, 1, 2, 3, 4, 5, -1},
	{5, 4, 3, 2, 1, 0, -1},
	{1, 0, 3, 2, 5, 4, -1},
	{2, 0, 2, 4, 1, 5, 3, -1},
	{0, 0, 5, 5, 3, 1, 2, 4},
	{4, 2, 0, 1, 3, 5, 1, -1},
};
static const size_t cuts[] = {0, 3, 4, 11, 20, 21, 36};

START_TEST(any_order_same_stream)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	for (size_t i = 0; i < 8 && orders[_i][i] >= 0; i++) {
		int k = orders[_i][i];
		seg(&f, cuts[k], cuts[k + 1], k == 5);
	}
	ck_assert_uint_eq(f.rec.nout, 36);
	ck_assert_mem_eq(f.rec.out, text, 36);
	ck_assert(!f.rec.order_broken);
	ck_assert(strstr(f.rec.log, "F36 ") != NULL);
	ck_assert_uint_eq(f.r.gaps, 0);
	reasm_free(&f.r);
}
END_TEST

/* Overlapping copies that differ: the first captured wins, each byte once,
 * and each copy that differs is said (its first differing byte to its last,
 * before the bytes it lets through are handed on). */
START_TEST(overlap_first_copy_wins)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	ck_assert(reasm_segment(&f.r, ISN + 1 + 4, (const uint8_t *)"EFGH", 4, 4, false, &f.sink));
	ck_assert(reasm_segment(&f.r, ISN + 1 + 2, (const uint8_t *)"cdefghij", 8, 8, false,
				&f.sink));
	ck_assert(reasm_segment(&f.r, ISN + 1, (const uint8_t *)"abXY", 4, 4, false, &f.sink));
	/* 0..1 "ab", 2..3 "cd" (the second segment came before "XY"), 4..7 "EFGH",
	   8..9 "ij" */
	expect_stream(&f, "abcdEFGHij", "X4+4 X2+2 D0+2 D2+2 D4+4 D8+2 ");
	ck_assert_uint_eq(f.r.repeated, 6);
	ck_assert_uint_eq(f.r.differed, 6);
}
END_TEST

/* [from, to) of text with the bytes at the offsets in `changed` (a string
 * of offsets, end at 0xff) replaced by '!', seq from ISN + 1. */
static void
seg_changed(struct fixture *f, size_t from, size_t to, const uint8_t *changed)
{
	uint8_t copy[64];

	ck_assert(to - from <= sizeof(copy));
	memcpy(copy, text + from, to - from);
	for (; *changed != 0xff; changed++)
		copy[*changed - from] = '!';
	ck_assert(reasm_segment(&f->r, ISN + 1 + (uint32_t)from, copy, to - from, to - from, false,
				&f->sink));
}

static const uint8_t none[] = {0xff};

/* Copies sent again with the same bytes, of bytes handed on and of bytes
 * held behind a hole, whole or in part: counted, never said. */
START_TEST(resend_same_is_silent)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 0, 8, false);
	seg(&f, 12, 20, false);
	seg_changed(&f, 2, 6, none);   /* handed on */
	seg_changed(&f, 14, 18, none); /* held */
	seg_changed(&f, 6, 14, none);  /* part handed on, part new, part held */
	expect_stream(&f, "0123456789abcdefghij", "D0+8 D8+4 D12+8 ");
	ck_assert_uint_eq(f.r.repeated, 4 + 4 + 2 + 2);
	ck_assert_uint_eq(f.r.differed, 0);
	ck_assert_uint_eq(f.r.unchecked, 0);
}
END_TEST

/* A copy of bytes handed on that differs: said with the span from the first
 * differing byte to the last; the first copy stays the stream. */
START_TEST(resend_differs_from_bytes_handed_on)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 0, 12, false);
	seg_changed(&f, 4, 10, (const uint8_t[]){6, 7, 0xff});
	seg_changed(&f, 0, 12, (const uint8_t[]){3, 9, 0xff});
	seg(&f, 12, 14, false);
	expect_stream(&f, "0123456789abcd", "D0+12 X6+2 X3+7 D12+2 ");
	ck_assert_uint_eq(f.r.differed, 2 + 7);
}
END_TEST

/* A copy of bytes held behind a hole that differs, then the hole filled:
 * the first copy is handed on. */
START_TEST(resend_differs_from_bytes_held)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 2, 10, false);
	seg_changed(&f, 5, 8, (const uint8_t[]){6, 0xff});
	ck_assert_str_eq(f.rec.log, "X6+1 ");
	seg(&f, 0, 2, false);
	expect_stream(&f, "0123456789", "X6+1 D0+2 D2+8 ");
}
END_TEST

/* Partial overlaps: a copy that runs from bytes handed on into new ones,
 * and one that covers a held segment and the holes on both sides of it:
 * only the overlap is compared, the new bytes go on. */
START_TEST(resend_differs_in_part)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 0, 6, false);
	seg_changed(&f, 4, 10, (const uint8_t[]){4, 0xff}); /* 4, 5 handed on; 6..9 new */
	seg(&f, 14, 16, false);
	seg_changed(&f, 12, 18, (const uint8_t[]){12, 15, 17, 0xff}); /* 15 held */
	seg(&f, 10, 12, false);
	expect_stream(&f, "0123456789ab!defg!", "D0+6 X4+1 D6+4 X15+1 D10+2 D12+2 D14+2 D16+2 ");
	ck_assert_uint_eq(f.r.differed, 2);
}
END_TEST

/* A keep-alive: one byte at one below the next byte the sender would send,
 * which may be any byte (RFC 1122 4.2.3.6; Windows sends a zero).  It is no
 * copy sent again: never said to differ, handed on nothing.  A one-byte
 * copy elsewhere, or one carrying a FIN, is still compared. */
START_TEST(keepalive_is_no_resend)
{
	struct fixture f;
	static const uint8_t zero = 0;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 0, 10, false);
	ck_assert(reasm_segment(&f.r, ISN + 1 + 9, &zero, 1, 1, false, &f.sink));
	ck_assert(reasm_segment(&f.r, ISN + 1 + 10, &zero, 0, 0, false, &f.sink));
	ck_assert_str_eq(f.rec.log, "D0+10 ");
	/* with a hole: one below the highest byte seen */
	seg(&f, 14, 18, false);
	ck_assert(reasm_segment(&f.r, ISN + 1 + 17, &zero, 1, 1, false, &f.sink));
	ck_assert_str_eq(f.rec.log, "D0+10 ");
	/* one byte elsewhere differs: said */
	ck_assert(reasm_segment(&f.r, ISN + 1 + 8, &zero, 1, 1, false, &f.sink));
	seg(&f, 10, 14, false);
	expect_stream(&f, "0123456789abcdefgh", "D0+10 X8+1 D10+4 D14+4 ");
	ck_assert_uint_eq(f.r.differed, 1);
}
END_TEST

/* What cannot be compared is counted, not said: bytes handed on more than
 * REASM_RECENT bytes ago, bytes given up as missing, bytes before a partial
 * stream's start, and a copy the snap length cut. */
START_TEST(resend_not_comparable)
{
	struct fixture f;
	static uint8_t big[REASM_RECENT + 40], other[20];

	setup(&f, 8);
	reasm_syn(&f.r, ISN);
	memset(big, 'a', sizeof(big));
	memset(other, 'b', sizeof(other));
	ck_assert(reasm_segment(&f.r, ISN + 1, big, sizeof(big), sizeof(big), false, &f.sink));
	/* 10 bytes too old, 10 still at hand */
	ck_assert(reasm_segment(&f.r, ISN + 1 + 30, other, 20, 20, false, &f.sink));
	ck_assert_str_eq(f.rec.log, "D0+296 X40+10 ");
	ck_assert_uint_eq(f.r.unchecked, 10);
	ck_assert_uint_eq(f.r.differed, 10);
	/* a copy cut by the snap length: its cut bytes are not compared */
	ck_assert(reasm_segment(&f.r, ISN + 1 + (uint32_t)sizeof(big) - 4, other, 0, 4, false,
				&f.sink));
	ck_assert_uint_eq(f.r.unchecked, 14);
	ck_assert_str_eq(f.rec.log, "D0+296 X40+10 ");
	reasm_free(&f.r);

	/* given up as missing (too much behind the hole), then sent late */
	setup(&f, 8);
	reasm_syn(&f.r, ISN);
	seg(&f, 2, 11, false);
	ck_assert(reasm_segment(&f.r, ISN + 1, other, 2, 2, false, &f.sink));
	expect_stream(&f, "??23456789a", "G0+2:limit D2+9 ");
	ck_assert_uint_eq(f.r.unchecked, 2);

	/* no SYN: bytes before the first seen */
	setup(&f, 1024);
	ck_assert(reasm_segment(&f.r, 5000, (const uint8_t *)"mid", 3, 3, false, &f.sink));
	ck_assert(reasm_segment(&f.r, 4998, (const uint8_t *)"XXmid", 5, 5, false, &f.sink));
	expect_stream(&f, "mid", "D0+3 ");
	ck_assert_uint_eq(f.r.unchecked, 2);
}
END_TEST

START_TEST(snap_length_cut)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	/* 10 bytes on the wire, 4 captured */
	ck_assert(reasm_segment(&f.r, ISN + 1, (const uint8_t *)text, 4, 10, false, &f.sink));
	seg(&f, 10, 12, false);
	expect_stream(&f, "0123??????ab", "D0+4 G4+6:snap D10+2 ");
	ck_assert_uint_eq(f.r.gaps, 6);
}
END_TEST

/* The receiver acknowledged bytes the capture never held: a gap at once,
 * then what waited behind it. */
START_TEST(acknowledged_but_missing)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 0, 3, false);
	seg(&f, 8, 12, false);
	ck_assert_str_eq(f.rec.log, "D0+3 ");
	reasm_ack(&f.r, ISN + 1 + 12, &f.sink);
	expect_stream(&f, "012?????89ab", "D0+3 G3+5:acked D8+4 ");
}
END_TEST

/* One byte acknowledged past the stream may be a FIN the capture missed. */
START_TEST(ack_of_one_is_no_gap)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 0, 3, false);
	reasm_ack(&f.r, ISN + 1 + 4, &f.sink);
	reasm_ack(&f.r, ISN + 1 + 2, &f.sink); /* old */
	expect_stream(&f, "012", "D0+3 ");
}
END_TEST

START_TEST(too_much_behind_a_hole)
{
	struct fixture f;

	setup(&f, 8);
	reasm_syn(&f.r, ISN);
	seg(&f, 2, 6, false);
	seg(&f, 6, 10, false);
	ck_assert_str_eq(f.rec.log, "");
	seg(&f, 10, 11, false); /* 9 held > 8: the hole is given up */
	seg(&f, 0, 2, false);   /* too late: already given up */
	expect_stream(&f, "??23456789a", "G0+2:limit D2+4 D6+4 D10+1 ");
	ck_assert_uint_eq(f.r.repeated, 2);
}
END_TEST

START_TEST(flush_gives_holes_up)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 0, 2, false);
	seg(&f, 4, 6, false);
	seg(&f, 8, 10, true);
	reasm_flush(&f.r, &f.sink);
	expect_stream(&f, "01??45??89", "D0+2 G2+2:end D4+2 G6+2:end D8+2 F10 ");
}
END_TEST

/* The FIN's segment came, the data before it did not. */
START_TEST(flush_up_to_the_fin)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 0, 2, false);
	ck_assert(reasm_segment(&f.r, ISN + 1 + 5, NULL, 0, 0, true, &f.sink));
	reasm_flush(&f.r, &f.sink);
	expect_stream(&f, "01???", "D0+2 G2+3:end F5 ");
}
END_TEST

/* Bytes past the FIN are no part of the stream (a receiver ignores them,
 * RFC 793 3.9): neither handed on nor held, whether they come after the
 * FIN or were held before it came; counted in past_fin. */
START_TEST(nothing_past_the_fin)
{
	struct fixture f;

	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 0, 4, false);
	ck_assert(reasm_segment(&f.r, ISN + 1 + 4, NULL, 0, 0, true, &f.sink));
	seg(&f, 2, 9, false);  /* runs past the FIN at 4 */
	seg(&f, 10, 12, false);
	reasm_flush(&f.r, &f.sink);
	ck_assert_uint_eq(f.r.past_fin, 5 + 2);
	expect_stream(&f, "0123", "D0+4 F4 ");

	/* held ahead first, the FIN below it later */
	setup(&f, 1024);
	reasm_syn(&f.r, ISN);
	seg(&f, 6, 10, false);
	seg(&f, 3, 8, false);
	ck_assert(reasm_segment(&f.r, ISN + 1 + 5, NULL, 0, 0, true, &f.sink));
	seg(&f, 0, 3, false);
	reasm_flush(&f.r, &f.sink);
	ck_assert_uint_eq(f.r.past_fin, 5);
	ck_assert_uint_eq(f.r.held, 0);
	expect_stream(&f, "01234", "D0+3 D3+2 F5 ");
}
END_TEST

/* Sequence numbers that wrap past 2^32 in the middle of the stream. */
START_TEST(sequence_wraps)
{
	struct fixture f;
	uint32_t isn = 0xfffffff0u;

	setup(&f, 1024);
	reasm_syn(&f.r, isn);
	for (size_t at = 0; at < 36; at += 6)
		ck_assert(reasm_segment(&f.r, isn + 1 + (uint32_t)at, (const uint8_t *)text + at,
					6, 6, false, &f.sink));
	ck_assert_uint_eq(f.rec.nout, 36);
	ck_assert_mem_eq(f.rec.out, text, 36);
	reasm_free(&f.r);
}
END_TEST

/* No SYN: the stream starts at the first segment seen; an older one is
 * before its start. */
START_TEST(joined_in_the_middle)
{
	struct fixture f;

	setup(&f, 1024);
	ck_assert(reasm_segment(&f.r, 5000, (const uint8_t *)"mid", 3, 3, false, &f.sink));
	ck_assert(reasm_segment(&f.r, 4990, (const uint8_t *)"old", 3, 3, false, &f.sink));
	ck_assert(reasm_segment(&f.r, 5003, (const uint8_t *)"dle", 3, 3, false, &f.sink));
	ck_assert(f.r.partial);
	expect_stream(&f, "middle", "D0+3 D3+3 ");
}
END_TEST

/* No SYN, and a retransmission that starts before the first segment seen
 * and runs past it (a sender repacketizes what it sends again): the bytes
 * past the first segment are new, handed on, not given up as missing. */
START_TEST(joined_in_the_middle_then_a_longer_copy)
{
	struct fixture f;

	setup(&f, 1024);
	ck_assert(reasm_segment(&f.r, 5000, (const uint8_t *)"mid", 3, 3, false, &f.sink));
	ck_assert(reasm_segment(&f.r, 4998, (const uint8_t *)"..middle", 8, 8, false, &f.sink));
	reasm_ack(&f.r, 5006, &f.sink);
	ck_assert(reasm_segment(&f.r, 5006, (const uint8_t *)"!", 1, 1, true, &f.sink));
	reasm_flush(&f.r, &f.sink);
	ck_assert_uint_eq(f.r.gaps, 0);
	expect_stream(&f, "middle!", "D0+3 D3+3 D6+1 F7 ");
}
END_TEST

/* Many small segments behind a hole: at most REASM_SEGS_MAX are held (each
 * would cost a walk of those held), then the hole is given up; no byte is
 * lost or made up. */
START_TEST(too_many_segments_behind_a_hole)
{
	struct fixture f;
	static uint8_t want[OUT_MAX];
	const size_t n = REASM_SEGS_MAX + 10;

	ck_assert(n + 1 <= OUT_MAX);
	setup(&f, (size_t)1 << 20);
	reasm_syn(&f.r, ISN);
	for (size_t i = 1; i <= n; i++)
		ck_assert(reasm_segment(&f.r, ISN + 1 + (uint32_t)i, (const uint8_t *)"x", 1, 1,
					false, &f.sink));
	ck_assert_uint_eq(f.r.gaps, 1);
	reasm_flush(&f.r, &f.sink);
	memset(want, 'x', n + 1);
	want[0] = '?';
	ck_assert_uint_eq(f.rec.nout, n + 1);
	ck_assert_mem_eq(f.rec.out, want, n + 1);
	ck_assert(strncmp(f.rec.log, "G0+1:limit ", 11) == 0);
	ck_assert(!f.rec.order_broken);
	reasm_free(&f.r);
}
END_TEST

Suite *
reasm_suite(void)
{
	Suite *s = suite_create("reasm");
	TCase *tc = tcase_create("reasm");

	tcase_add_test(tc, in_order);
	tcase_add_loop_test(tc, any_order_same_stream, 0, (int)(sizeof(orders) / sizeof(orders[0])));
	tcase_add_test(tc, overlap_first_copy_wins);
	tcase_add_test(tc, resend_same_is_silent);
	tcase_add_test(tc, resend_differs_from_bytes_handed_on);
	tcase_add_test(tc, resend_differs_from_bytes_held);
	tcase_add_test(tc, resend_differs_in_part);
	tcase_add_test(tc, resend_not_comparable);
	tcase_add_test(tc, keepalive_is_no_resend);
	tcase_add_test(tc, snap_length_cut);
	tcase_add_test(tc, acknowledged_but_missing);
	tcase_add_test(tc, ack_of_one_is_no_gap);
	tcase_add_test(tc, too_much_behind_a_hole);
	tcase_add_test(tc, flush_gives_holes_up);
	tcase_add_test(tc, flush_up_to_the_fin);
	tcase_add_test(tc, nothing_past_the_fin);
	tcase_add_test(tc, sequence_wraps);
	tcase_add_test(tc, joined_in_the_middle);
	tcase_add_test(tc, joined_in_the_middle_then_a_longer_copy);
	tcase_add_test(tc, too_many_segments_behind_a_hole);
	suite_add_tcase(s, tc);
	return s;
}
