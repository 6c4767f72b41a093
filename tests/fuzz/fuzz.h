/*
 * What the libFuzzer harnesses share: a check that aborts (so libFuzzer keeps
 * the input), a reader over the fuzz input, the "type byte, optional offered
 * list" prelude of the decoder targets, and the shape every struct msg must
 * have whatever the bytes were.
 *
 * Only harnesses include this; it is no part of proto/ or cli/.
 */
#ifndef SOCKSCOPE_FUZZ_H
#define SOCKSCOPE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                               \
			abort();                                                \
		}                                                               \
	} while (0)

/* CHECK with a message saying which message and which length broke it. */
#define CHECKF(cond, ...)                                                       \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, \
				__LINE__, #cond);                               \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

struct reader {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t
rd_u8(struct reader *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static inline uint32_t
rd_u16(struct reader *r)
{
	uint32_t hi = rd_u8(r);
	return hi << 8 | rd_u8(r);
}

static inline uint32_t
rd_u32(struct reader *r)
{
	uint32_t hi = rd_u16(r);
	return hi << 16 | rd_u16(r);
}

/* Up to want bytes; *got says how many there were. */
static inline const uint8_t *
rd_bytes(struct reader *r, size_t want, size_t *got)
{
	const uint8_t *p = r->p;

	*got = want < r->n ? want : r->n;
	r->p += *got;
	r->n -= *got;
	return p;
}

/*
 * The decoder targets' input:
 *
 *   byte 0   bits 0-6: message type (modulo MSG_TYPE_COUNT); the quotient
 *            is left to the target (view options);  bit 7: a context follows
 *   [ctx]    one byte: bits 0-3 the number of offered methods, bit 4 a NULL
 *            offered pointer; then that many method codes
 *   rest     the message bytes
 */
struct decode_input {
	enum msg_type type;
	unsigned extra; /* (byte 0 & 0x7f) / MSG_TYPE_COUNT */
	bool has_ctx;
	struct proto_ctx ctx;
	uint8_t offered[15];
	const uint8_t *msg;
	size_t len;
};

static inline bool
decode_input_read(const uint8_t *data, size_t size, struct decode_input *in)
{
	struct reader r = {data, size};
	uint8_t b0;

	memset(in, 0, sizeof(*in));
	if (size == 0)
		return false;
	b0 = rd_u8(&r);
	in->type = (enum msg_type)((b0 & 0x7fu) % MSG_TYPE_COUNT);
	in->extra = (b0 & 0x7fu) / MSG_TYPE_COUNT;
	in->has_ctx = (b0 & 0x80u) != 0;
	if (in->has_ctx) {
		uint8_t c = rd_u8(&r);
		size_t got;
		const uint8_t *m = rd_bytes(&r, c & 0x0fu, &got);

		memcpy(in->offered, m, got);
		in->ctx.offered = (c & 0x10u) ? NULL : in->offered;
		in->ctx.noffered = got;
	}
	in->msg = r.p;
	in->len = r.n;
	return true;
}

static inline bool
status_known(int st)
{
	return st == PROTO_OK || st == PROTO_NEED_MORE ||
	       (st <= PROTO_E_VERSION && st >= PROTO_E_KIND);
}

/*
 * The shape of any struct msg over p[0..len) that proto_decode() returned:
 * within the buffer, fields in wire order and back to back, each pointing at
 * its own descriptor entry, and the status details that go with the status.
 */
static inline void
check_msg_shape(const struct msg *m, enum msg_type type, const uint8_t *p, size_t len)
{
	const struct msg_desc *desc = proto_msg_desc(type);
	size_t end = 0;
	int last_index = -1;
	unsigned anomalies = 0;

	CHECK(desc != NULL);
	CHECKF(status_known(m->status), "status %d", m->status);
	CHECK(m->desc == desc);
	CHECK(m->buf == p);
	CHECKF(m->len <= len, "type %d: msg.len %zu > len %zu", type, m->len, len);
	CHECKF(m->nfields <= PROTO_MAX_FIELDS, "nfields %zu", m->nfields);
	CHECK(m->nfields <= desc->nfields);
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		CHECK(f->index > last_index && (size_t)f->index < desc->nfields);
		last_index = f->index;
		CHECK(f->desc == &desc->fields[f->index]);
		CHECKF(f->off <= len && f->len <= len - f->off,
		       "type %d: field %s off %zu len %zu beyond buffer of %zu", type,
		       f->desc->name, f->off, f->len, len);
		CHECKF(f->off == end, "type %d: field %s at %zu, previous ended at %zu", type,
		       f->desc->name, f->off, end);
		if (len > 0)
			CHECK(f->bytes == p + f->off);
		end = f->off + f->len;
		if (f->flags & (FF_ANOMALY | FF_UNASSIGNED))
			anomalies++;
		if (m->status == PROTO_OK)
			CHECK(!(f->flags & (FF_TRUNCATED | FF_BAD)));
	}
	CHECK(m->anomalies == anomalies);
	CHECK(memchr(m->why, '\0', sizeof(m->why)) != NULL);
	switch (m->status) {
	case PROTO_OK:
		CHECKF(m->len == end, "type %d: msg.len %zu, fields end at %zu", type, m->len, end);
		CHECK(m->err_field == -1);
		break;
	case PROTO_NEED_MORE:
		CHECKF(m->need > len, "type %d: need %zu with %zu bytes", type, m->need, len);
		CHECK(m->nfields > 0 && (m->fields[m->nfields - 1].flags & FF_TRUNCATED));
		break;
	default:
		CHECKF(m->err_off < len, "type %d: err_off %zu, len %zu", type, m->err_off, len);
		CHECK(m->err_field >= 0 && (size_t)m->err_field < m->nfields);
		CHECK(m->fields[m->err_field].flags & FF_BAD);
		CHECK(m->why[0] != '\0');
		break;
	}
}

/* The same answer: status, length and every field. */
static inline bool
same_fields(const struct field *a, const struct field *b)
{
	return a->index == b->index && a->off == b->off && a->len == b->len &&
	       a->num == b->num;
}

#endif
