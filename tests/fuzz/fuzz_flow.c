/*
 * The flow over two interleaved directions: it never takes more than it is
 * given, every offset and tunnel byte it reports is within what each side
 * sent, and how the bytes are cut does not change what it says.
 *
 * Input:
 *   byte 0     the version: 0 sniffed, 1 SOCKS4, 2 SOCKS5 (modulo 3)
 *   records    a header byte h, then for data (h & 0x40 clear) (h & 0x3f) + 1
 *              bytes from the client (h & 0x80 clear) or the server;
 *              h & 0x40 set is a close of that side, h & 1 a reset
 *
 * The records are fed three ways (whole, one byte at a time, in pieces of
 * three) and the event sequences, written out with tunnel events merged,
 * must be equal.  Each piece is copied into a heap block of exactly its
 * size, so a read past what was fed is an ASan report.
 */
#include "fuzz.h"

#include "flow.h"

#define LOG_MAX 65536
#define STREAM_MAX 65536

struct run {
	struct flow fl;
	char log[LOG_MAX];
	size_t nlog;
	uint8_t stream[2][STREAM_MAX];
	size_t nstream[2];
	const uint8_t *piece; /* the piece being fed, and its length */
	size_t npiece;
	bool tunnel_open[2]; /* the last logged event is this side's tunnel run */
	uint64_t tunnel_end[2];
};

static void
logf_(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>

static void
logf_(struct run *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->nlog >= LOG_MAX - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->log + r->nlog, LOG_MAX - r->nlog, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->nlog += (size_t)n < LOG_MAX - r->nlog ? (size_t)n : LOG_MAX - r->nlog - 1;
}

static bool
within(const void *p, size_t n, const void *base, size_t size)
{
	const uint8_t *a = p, *b = base;

	return a >= b && a + n <= b + size;
}

static void
on_event(void *ctx, const struct flow_event *ev)
{
	struct run *r = ctx;
	int s = ev->side == FLOW_CLIENT ? 0 : 1;

	CHECK(ev->side == FLOW_CLIENT || ev->side == FLOW_SERVER);
	if (ev->kind == FLOW_EV_TUNNEL) {
		CHECK(ev->len > 0);
		CHECKF(ev->off + ev->len <= r->nstream[s], "tunnel %llu+%zu past %zu",
		       (unsigned long long)ev->off, ev->len, r->nstream[s]);
		CHECK(within(ev->data, ev->len, r->piece, r->npiece) ||
		      within(ev->data, ev->len, &r->fl, sizeof(r->fl)));
		CHECK(memcmp(ev->data, r->stream[s] + ev->off, ev->len) == 0);
		if (r->tunnel_open[s] && r->tunnel_end[s] == ev->off) {
			r->tunnel_end[s] += ev->len;
			return; /* the same run, however it was cut */
		}
		r->tunnel_open[0] = r->tunnel_open[1] = false;
		r->tunnel_open[s] = true;
		r->tunnel_end[s] = ev->off + ev->len;
		logf_(r, "%d tunnel@%llu\n", s, (unsigned long long)ev->off);
		return;
	}
	r->tunnel_open[0] = r->tunnel_open[1] = false;
	switch (ev->kind) {
	case FLOW_EV_MESSAGE:
		CHECK(ev->msg != NULL && ev->msg->status == PROTO_OK);
		CHECK(ev->off + ev->msg->len <= r->nstream[s]);
		CHECK(memcmp(ev->msg->buf, r->stream[s] + ev->off, ev->msg->len) == 0);
		logf_(r, "%d msg %d@%llu len %zu\n", s, ev->msg->desc->type,
		      (unsigned long long)ev->off, ev->msg->len);
		break;
	case FLOW_EV_PHASE:
		logf_(r, "phase %d\n", ev->phase);
		break;
	case FLOW_EV_OUTCOME:
		CHECK(ev->outcome->result != FLOW_RES_NONE);
		CHECK(ev->outcome->off <= r->nstream[ev->outcome->side == FLOW_CLIENT ? 0 : 1]);
		CHECK(memchr(ev->outcome->why, '\0', sizeof(ev->outcome->why)) != NULL);
		logf_(r, "outcome %d side %d code %u off %llu field %s why %s\n",
		      ev->outcome->result, ev->outcome->side, ev->outcome->code,
		      (unsigned long long)ev->outcome->off,
		      ev->outcome->field ? ev->outcome->field : "-", ev->outcome->why);
		break;
	case FLOW_EV_ANOMALY:
		CHECK(ev->off <= r->nstream[s] && ev->text != NULL);
		logf_(r, "%d anomaly %s@%llu %s\n", s, ev->field ? ev->field : "-",
		      (unsigned long long)ev->off, ev->text);
		break;
	case FLOW_EV_HINT:
		CHECK(ev->hint->evidence_len <= HINT_PREFIX);
		CHECK(memchr(ev->hint->text, '\0', sizeof(ev->hint->text)) != NULL);
		logf_(r, "%d hint %d %s [", s, ev->hint->id, ev->hint->text);
		for (size_t i = 0; i < ev->hint->evidence_len; i++)
			logf_(r, "%02x", ev->hint->evidence[i]);
		logf_(r, "]\n");
		break;
	case FLOW_EV_CLOSE:
		CHECK(ev->off == r->nstream[s]);
		logf_(r, "%d close %d in %d\n", s, ev->close, ev->phase);
		break;
	case FLOW_EV_TUNNEL:
		break;
	}
}

static void
feed_piece(struct run *r, enum flow_side side, const uint8_t *p, size_t n)
{
	int s = side == FLOW_CLIENT ? 0 : 1;
	uint8_t *copy = malloc(n);
	size_t took, room;
	bool decided;

	CHECK(copy != NULL);
	memcpy(copy, p, n);
	memcpy(r->stream[s] + r->nstream[s], p, n);
	r->nstream[s] += n;
	r->piece = copy;
	r->npiece = n;
	room = flow_room(&r->fl, side);
	CHECKF(room == SIZE_MAX || room <= FLOW_MSG_MAX, "room %zu", room);
	decided = r->fl.outcome.result != FLOW_RES_NONE;
	took = flow_feed(&r->fl, side, copy, n);
	CHECKF(took <= n, "took %zu of %zu", took, n);
	/* no more than the room: never the violation of holding too much */
	if (n <= room && !decided)
		CHECKF(strstr(r->fl.outcome.why, "more bytes than sockscope holds") == NULL,
		       "fed %zu of room %zu, still too much held", n, room);
	free(copy);
}

/* Feeds the records in pieces of at most `piece` bytes (0: whole). */
static void
run_input(struct run *r, const uint8_t *data, size_t size, size_t piece)
{
	struct reader rd = { data + 1, size - 1 };
	struct flow_config cfg = { .version = data[0] % 3 == 0 ? 0 : data[0] % 3 == 1 ? 4 : 5,
				   .on_event = on_event, .ctx = r };

	memset(r, 0, sizeof(*r));
	flow_init(&r->fl, &cfg);
	while (rd.n > 0) {
		uint8_t h = rd_u8(&rd);
		enum flow_side side = (h & 0x80) ? FLOW_SERVER : FLOW_CLIENT;
		size_t got;
		const uint8_t *p;

		if (h & 0x40) {
			flow_close(&r->fl, side, (h & 1) ? FLOW_RESET : FLOW_FIN);
			continue;
		}
		p = rd_bytes(&rd, (size_t)(h & 0x3f) + 1, &got);
		if (r->nstream[side == FLOW_CLIENT ? 0 : 1] + got > STREAM_MAX)
			break;
		for (size_t off = 0; off < got;) {
			size_t k = piece == 0 || piece > got - off ? got - off : piece;

			feed_piece(r, side, p + off, k);
			off += k;
		}
	}
}

static struct run whole, bytewise, threes;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	run_input(&whole, data, size, 0);
	run_input(&bytewise, data, size, 1);
	run_input(&threes, data, size, 3);
	CHECKF(whole.nlog == bytewise.nlog && memcmp(whole.log, bytewise.log, whole.nlog) == 0,
	       "whole:\n%.*s\nbyte at a time:\n%.*s", (int)whole.nlog, whole.log,
	       (int)bytewise.nlog, bytewise.log);
	CHECKF(whole.nlog == threes.nlog && memcmp(whole.log, threes.log, whole.nlog) == 0,
	       "whole:\n%.*s\nin threes:\n%.*s", (int)whole.nlog, whole.log, (int)threes.nlog,
	       threes.log);
	return 0;
}
