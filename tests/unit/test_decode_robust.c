/*
 * The decoder on mutated input (decode.c): whatever the bytes, the answer
 * keeps its promises.  Deterministic: a fixed generator, so a failure names
 * the seed message and the round that broke it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

static const struct {
	enum msg_type type;
	const char *hex;
} seeds[] = {
	{ MSG_S4_REQUEST, "04 01 00 50 42 66 07 63 'Fred' 00" },
	{ MSG_S4_REQUEST, "04 01 00 50 00 00 00 01 'Fred' 00 'example.com' 00" },
	{ MSG_S4_REPLY, "00 5a 12 34 01 02 03 04" },
	{ MSG_S5_GREETING, "05 03 00 01 02" },
	{ MSG_S5_METHOD, "05 02" },
	{ MSG_S5_AUTH_REQUEST, "01 04 'user' 04 'pass'" },
	{ MSG_S5_AUTH_STATUS, "01 00" },
	{ MSG_S5_REQUEST, "05 01 00 03 0b 'example.com' 01 bb" },
	{ MSG_S5_REQUEST, "05 01 00 04 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 00 16" },
	{ MSG_S5_REPLY, "05 00 00 01 7f 00 00 01 d4 31" },
	{ MSG_S5_REPLY, "05 00 00 03 09 'localhost' 00 00" },
	{ MSG_S5_UDP, "00 00 00 01 7f 00 00 01 00 35 'ping'" },
	{ MSG_S5_UDP, "00 00 00 03 01 'a' 00 35" },
	{ MSG_GSSAPI, "01 01 00 03 aa bb cc" },
	{ MSG_GSSAPI, "01 ff" },
};

static uint32_t rng_state;

static uint32_t rnd(void)
{
	uint32_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

static int early_error(int status)
{
	return status == PROTO_E_VERSION || status == PROTO_E_ATYP || status == PROTO_E_LENGTH;
}

static void check_one(enum msg_type type, const uint8_t *buf, size_t len, const char *what)
{
	struct msg m, k_msg;
	uint8_t *p = dup_exact(buf, len);
	int rc = proto_decode(type, p, len, NULL, &m);

	ck_assert_msg(rc == m.status, "%s: returned %d, status %d", what, rc, m.status);
	check_decode_sane(what, &m, p, len);

	if (rc == PROTO_OK && type != MSG_S5_UDP) {
		/* the message alone: the same answer; any less: need more */
		uint8_t *q = dup_exact(buf, m.len);
		ck_assert_int_eq(proto_decode(type, q, m.len, NULL, &k_msg), PROTO_OK);
		ck_assert_msg(k_msg.len == m.len, "%s: alone it consumes %zu, not %zu", what,
			      k_msg.len, m.len);
		check_same_msg(what, &m, &k_msg);
		free(q);
		for (size_t k = 0; k < m.len; k++) {
			q = dup_exact(buf, k);
			int r = proto_decode(type, q, k, NULL, &k_msg);
			ck_assert_msg(r == PROTO_NEED_MORE && k_msg.need > k && k_msg.need <= m.len,
				      "%s: %zu of the %zu bytes answered %d need %zu", what, k, m.len,
				      r, r == PROTO_NEED_MORE ? k_msg.need : 0);
			free(q);
		}
	} else if (rc < 0 && early_error(rc)) {
		/* a single bad byte: fine before it, the same fault from it on */
		for (size_t k = 0; k < len; k++) {
			uint8_t *q = dup_exact(buf, k);
			int r = proto_decode(type, q, k, NULL, &k_msg);
			if (k <= m.err_off)
				ck_assert_msg(r == PROTO_NEED_MORE,
					      "%s: %zu bytes, before the fault at %zu, answered %d",
					      what, k, m.err_off, r);
			else
				ck_assert_msg(r == rc && k_msg.err_off == m.err_off &&
						      k_msg.err_field == m.err_field,
					      "%s: %zu bytes answered %d at %zu, all %zu: %d at %zu",
					      what, k, r, k_msg.err_off, len, rc, m.err_off);
			free(q);
		}
	} else if (rc == PROTO_NEED_MORE) {
		ck_assert_msg(m.need > len, "%s: need %zu of %zu", what, m.need, len);
	}
	free(p);
}

START_TEST(robust_mutations)
{
	uint8_t base[64], buf[96];
	size_t n = hexbytes(seeds[_i].hex, base, sizeof base);
	enum msg_type type = seeds[_i].type;

	rng_state = 0x9e3779b9u ^ (uint32_t)(_i * 7919 + 1);
	for (int round = 0; round < 400; round++) {
		char what[96];
		size_t len = n;
		memcpy(buf, base, n);
		int edits = 1 + (int)(rnd() % 3);
		for (int e = 0; e < edits; e++) {
			switch (rnd() % 5) {
			case 0: /* one byte, any value */
				if (len)
					buf[rnd() % len] = (uint8_t)rnd();
				break;
			case 1: /* one byte, a small value: lengths, versions, types */
				if (len)
					buf[rnd() % len] = (uint8_t)(rnd() % 6);
				break;
			case 2: /* cut */
				len = len ? rnd() % len : 0;
				break;
			case 3: /* glue bytes on */
				for (size_t k = rnd() % 8; k > 0 && len < sizeof buf; k--)
					buf[len++] = (uint8_t)rnd();
				break;
			default: /* a byte dropped from the middle */
				if (len > 1) {
					size_t at = rnd() % len;
					memmove(buf + at, buf + at + 1, len - at - 1);
					len--;
				}
				break;
			}
		}
		snprintf(what, sizeof what, "seed %d round %d (%zu bytes)", _i, round, len);
		check_one(type, buf, len, what);
	}
}
END_TEST

/* Every single-byte value at every offset of every seed. */
START_TEST(robust_every_byte)
{
	uint8_t base[64], buf[64];
	size_t n = hexbytes(seeds[_i].hex, base, sizeof base);

	for (size_t at = 0; at < n; at++)
		for (unsigned v = 0; v <= 0xff; v++) {
			char what[96];
			memcpy(buf, base, n);
			buf[at] = (uint8_t)v;
			snprintf(what, sizeof what, "seed %d, byte %zu = 0x%02x", _i, at, v);
			check_one(seeds[_i].type, buf, n, what);
		}
}
END_TEST

/* Nothing at all, and lone bytes, for every type. */
START_TEST(robust_tiny)
{
	struct msg m;
	uint8_t b;

	for (int t = 0; t < MSG_TYPE_COUNT; t++) {
		ck_assert_int_eq(proto_decode((enum msg_type)t, &b, 0, NULL, &m), PROTO_NEED_MORE);
		ck_assert_uint_ge(m.need, 1);
		for (unsigned v = 0; v <= 0xff; v++) {
			char what[64];
			b = (uint8_t)v;
			snprintf(what, sizeof what, "type %d, the lone byte 0x%02x", t, v);
			uint8_t *p = dup_exact(&b, 1);
			proto_decode((enum msg_type)t, p, 1, NULL, &m);
			check_decode_sane(what, &m, p, 1);
			ck_assert_msg(m.status != PROTO_OK, "%s: one byte is a whole message", what);
			free(p);
		}
	}
}
END_TEST

Suite *decode_robust_suite(void)
{
	Suite *s = suite_create("decode robustness");
	TCase *tc = tcase_create("mutations");

	tcase_add_loop_test(tc, robust_mutations, 0, (int)NELEM(seeds));
	tcase_add_loop_test(tc, robust_every_byte, 0, (int)NELEM(seeds));
	tcase_add_test(tc, robust_tiny);
	suite_add_tcase(s, tc);
	return s;
}
