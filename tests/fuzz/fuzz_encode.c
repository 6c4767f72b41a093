/*
 * The encoder from drafts built by the fuzzer: it refuses by name or writes
 * a message the decoder reads back as it was meant.
 *
 * Input:
 *   byte 0     message type (modulo MSG_TYPE_COUNT)
 *   then ops   one byte each: low nibble the field (modulo the message's
 *              field count), high nibble the action (modulo OP_COUNT), then
 *              the action's operands:
 *                OP_NUM8/16/32  a number of 1, 2 or 4 bytes -> draft_set_num
 *                OP_BYTES       length byte, bytes         -> draft_set_bytes
 *                OP_BYTES_LONG  2-byte length, bytes       -> draft_set_bytes
 *                OP_IPV4/IPV6   4 or 16 bytes              -> draft_set_ipv4/6
 *                OP_NAME        length byte, bytes         -> draft_set_name
 *                OP_NAME_LONG   2-byte length, bytes       -> draft_set_name
 *                OP_UNSET                                  -> draft_unset
 *                OP_CAP         2 bytes: an output capacity to try as well
 *              Field names are passed in lower case when the op byte's
 *              field nibble is >= 8 (names are case-insensitive).
 *
 * Checks: setters answer only their documented codes and never "no field"
 * for a field of the message; proto_encode() writes nothing past cap (the
 * buffers are heap blocks of exactly cap bytes), its msg describes out[0..len)
 * field by field, and a refusal names a status and a reason.  Encoding into
 * exactly outlen bytes gives the same bytes, into one byte less PROTO_E_SPACE.
 * When no derived field was overridden and every version field holds a value
 * the decoder takes, the bytes decode PROTO_OK, msg.len == outlen, with the
 * same fields and values.
 */
#include <ctype.h>

#include "fuzz.h"

enum op {
	OP_NUM8,
	OP_NUM16,
	OP_NUM32,
	OP_BYTES,
	OP_BYTES_LONG,
	OP_IPV4,
	OP_IPV6,
	OP_NAME,
	OP_NAME_LONG,
	OP_UNSET,
	OP_CAP,
	OP_COUNT
};

#define OUT_MAX 8192 /* more than any draft can take: 8 fields of at most 1024 bytes */

static bool
setter_status_ok(int rc)
{
	return rc == PROTO_OK || rc == PROTO_E_KIND || rc == PROTO_E_RANGE ||
	       rc == PROTO_E_TOO_LONG || rc == PROTO_E_FAMILY || rc == PROTO_E_NUL;
}

/* The encoded msg over out[0..outlen). */
static void
check_encoded(const struct draft *d, const struct msg *m, const uint8_t *out, size_t outlen)
{
	size_t end = 0;
	int last = -1;

	CHECK(m->status == PROTO_OK && m->desc == d->desc && m->buf == out);
	CHECK(m->len == outlen);
	CHECK(m->nfields <= PROTO_MAX_FIELDS && m->nfields <= d->desc->nfields);
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		CHECK(f->index > last && (size_t)f->index < d->desc->nfields);
		last = f->index;
		CHECK(f->desc == &d->desc->fields[f->index]);
		CHECKF(f->off == end, "field %s at %zu, previous ended at %zu", f->desc->name,
		       f->off, end);
		CHECK(f->len <= outlen - f->off);
		CHECK(f->bytes == out + f->off);
		/* Derived or overridden is said of derived fields only, never both. */
		if (f->flags & (FF_DERIVED | FF_OVERRIDE))
			CHECK(f->desc->flags & FD_DERIVED);
		CHECK((f->flags & (FF_DERIVED | FF_OVERRIDE)) != (FF_DERIVED | FF_OVERRIDE));
		end += f->len;
	}
	CHECK(end == outlen);
}

static void
check_refusal(int rc, const struct proto_error *err)
{
	CHECKF(rc < 0 && status_known(rc), "proto_encode: %d", rc);
	CHECK(err->status == rc);
	CHECK(memchr(err->why, '\0', sizeof(err->why)) != NULL);
	CHECK(err->why[0] != '\0');
}

/* Whether the decoder is meant to take what the draft says as it is. */
static bool
round_trip_expected(const struct draft *d)
{
	for (size_t i = 0; i < d->desc->nfields; i++) {
		const struct field_desc *fd = &d->desc->fields[i];

		if ((fd->flags & FD_DERIVED) && d->v[i].set)
			return false;
		if (fd->expect >= 0 && d->v[i].num != (uint32_t)fd->expect &&
		    (fd->tolerate < 0 || d->v[i].num != (uint32_t)fd->tolerate))
			return false;
	}
	return true;
}

static void
check_round_trip(const struct draft *d, const struct msg *enc, const uint8_t *out, size_t outlen)
{
	struct msg dec;
	enum msg_type type = d->desc->type;

	proto_decode(type, out, outlen, NULL, &dec);
	check_msg_shape(&dec, type, out, outlen);
	CHECKF(dec.status == PROTO_OK, "type %d: encoded %zu bytes decode with status %d (%s)",
	       type, outlen, dec.status, dec.why);
	CHECKF(dec.len == outlen, "type %d: encoded %zu bytes, decoded %zu", type, outlen, dec.len);
	CHECKF(dec.nfields == enc->nfields, "type %d: encoded %zu fields, decoded %zu", type,
	       enc->nfields, dec.nfields);
	for (size_t i = 0; i < dec.nfields; i++) {
		const struct field *a = &enc->fields[i], *b = &dec.fields[i];

		CHECKF(same_fields(a, b),
		       "type %d: field %zu %s: encoded off %zu len %zu num %u, decoded %s off %zu "
		       "len %zu num %u",
		       type, i, a->desc->name, a->off, a->len, a->num, b->desc->name, b->off,
		       b->len, b->num);
	}
}

/* Encode into a heap block of exactly cap bytes; *st gets the status. */
static uint8_t *
encode_into(const struct draft *d, size_t cap, size_t *outlen, struct msg *m,
	    struct proto_error *err, int *st)
{
	uint8_t *out = malloc(cap > 0 ? cap : 1);

	CHECK(out != NULL);
	*outlen = (size_t)-1;
	*st = proto_encode(d, out, cap, outlen, m, err);
	if (*st == PROTO_OK)
		CHECK(*outlen <= cap);
	else
		CHECK(*outlen == 0);
	return out;
}

/* One setter from the input applied to the draft; *extra_cap may be set. */
static void
apply_op(struct draft *d, struct reader *r, size_t *extra_cap)
{
	uint8_t op = rd_u8(r);
	const struct field_desc *fd = &d->desc->fields[(op & 0x0fu) % d->desc->nfields];
	char name[64];
	const uint8_t *p;
	uint8_t a16[16];
	size_t got, len;
	int rc;

	snprintf(name, sizeof(name), "%s", fd->name);
	if ((op & 0x0fu) >= 8)
		for (char *c = name; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
	switch ((op >> 4) % OP_COUNT) {
	case OP_NUM8:
		rc = draft_set_num(d, name, rd_u8(r));
		break;
	case OP_NUM16:
		rc = draft_set_num(d, name, rd_u16(r));
		break;
	case OP_NUM32:
		rc = draft_set_num(d, name, rd_u32(r));
		break;
	case OP_BYTES:
	case OP_BYTES_LONG:
		len = (op >> 4) % OP_COUNT == OP_BYTES ? rd_u8(r) : rd_u16(r);
		p = rd_bytes(r, len, &got);
		rc = draft_set_bytes(d, name, p, got);
		break;
	case OP_IPV4:
	case OP_IPV6:
		memset(a16, 0, sizeof(a16));
		len = (op >> 4) % OP_COUNT == OP_IPV4 ? 4 : 16;
		p = rd_bytes(r, len, &got);
		memcpy(a16, p, got);
		rc = len == 4 ? draft_set_ipv4(d, name, a16) : draft_set_ipv6(d, name, a16);
		break;
	case OP_NAME:
	case OP_NAME_LONG:
		len = (op >> 4) % OP_COUNT == OP_NAME ? rd_u8(r) : rd_u16(r);
		p = rd_bytes(r, len, &got);
		rc = draft_set_name(d, name, (const char *)p, got);
		break;
	case OP_UNSET:
		rc = draft_unset(d, name);
		CHECK(rc == PROTO_OK);
		break;
	default: /* OP_CAP */
		*extra_cap = rd_u16(r) % OUT_MAX;
		rc = PROTO_OK;
		break;
	}
	CHECKF(setter_status_ok(rc), "setting %s: %d", name, rc);
}

/* A refused draft: the same refusal at any capacity, or no room before it. */
static void
check_refused(struct draft *d, int rc, const struct msg *m, const struct proto_error *err,
	      size_t extra_cap)
{
	struct msg m2;
	struct proto_error err2;
	size_t outlen2;
	uint8_t *out2;
	int rc2;

	check_refusal(rc, err);
	CHECK(m->status == rc);
	if (extra_cap != (size_t)-1) {
		out2 = encode_into(d, extra_cap, &outlen2, &m2, &err2, &rc2);
		check_refusal(rc2, &err2);
		CHECK(rc2 == rc || rc2 == PROTO_E_SPACE);
		free(out2);
	}
}

/* The encoded bytes again with exactly enough room, one byte short, and
 * the input's capacity: the same bytes, or no room said so. */
static void
check_capacities(struct draft *d, const uint8_t *out, size_t outlen, size_t extra_cap)
{
	struct msg m2;
	struct proto_error err2;
	size_t outlen2;
	uint8_t *out2;
	int rc2;

	out2 = encode_into(d, outlen, &outlen2, NULL, NULL, &rc2);
	CHECK(rc2 == PROTO_OK && outlen2 == outlen);
	CHECK(outlen == 0 || memcmp(out, out2, outlen) == 0);
	free(out2);
	if (outlen > 0) {
		out2 = encode_into(d, outlen - 1, &outlen2, &m2, &err2, &rc2);
		CHECKF(rc2 == PROTO_E_SPACE, "%zu of %zu bytes of room: %d", outlen - 1, outlen,
		       rc2);
		check_refusal(rc2, &err2);
		free(out2);
	}
	if (extra_cap != (size_t)-1) {
		out2 = encode_into(d, extra_cap, &outlen2, &m2, &err2, &rc2);
		if (extra_cap >= outlen) {
			CHECK(rc2 == PROTO_OK && outlen2 == outlen);
			CHECK(outlen == 0 || memcmp(out, out2, outlen) == 0);
		} else {
			CHECK(rc2 == PROTO_E_SPACE);
		}
		free(out2);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct draft d; /* 12 KiB: not on the stack */
	struct reader r = {data, size};
	struct msg m;
	struct proto_error err;
	size_t outlen, extra_cap = (size_t)-1;
	uint8_t *out;
	int rc;

	if (size == 0)
		return 0;
	draft_init(&d, (enum msg_type)(rd_u8(&r) % MSG_TYPE_COUNT));
	CHECK(d.desc != NULL);
	while (r.n > 0)
		apply_op(&d, &r, &extra_cap);

	out = encode_into(&d, OUT_MAX, &outlen, &m, &err, &rc);
	if (rc != PROTO_OK) {
		check_refused(&d, rc, &m, &err, extra_cap);
		free(out);
		return 0;
	}
	check_encoded(&d, &m, out, outlen);
	check_capacities(&d, out, outlen, extra_cap);
	if (round_trip_expected(&d))
		check_round_trip(&d, &m, out, outlen);
	free(out);
	return 0;
}
