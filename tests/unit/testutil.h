/*
 * Shared machinery for the proto/ unit tests: hex vectors, drafts built from
 * a list of operations, checks of a decoded or encoded message (testutil.c),
 * and the checks every valid or malformed vector gets (testvec.c: decode,
 * encode, every prefix, trailing bytes, every split, round trip).
 *
 * Expected values come from doc/PROTOCOL.md and are written out in the tables;
 * nothing here computes an answer with the code under test.
 */
#ifndef SOCKSCOPE_TESTS_UNIT_TESTUTIL_H
#define SOCKSCOPE_TESTS_UNIT_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "field.h"
#include "names.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Room for every vector in the tables (the long ones are built in code). */
#define VEC_MAX 2200

/*
 * "05 01 00 03 0b 'example.com' 00 50": hex bytes, with text between single
 * quotes copied as it is.  Aborts the test on a malformed spec.
 */
size_t hexbytes(const char *spec, uint8_t *out, size_t cap);

/* ---- drafts from a list of operations ---- */

enum op_kind { OP_END = 0, OP_NUM, OP_BYTES, OP_IPV4, OP_IPV6, OP_NAME, OP_UNSET };

struct op {
	enum op_kind kind;
	const char *field;
	uint32_t num;
	const char *data; /* OP_BYTES, OP_IPV4, OP_IPV6, OP_NAME */
	size_t len;
};

#define OPN(f, n) { OP_NUM, (f), (n), NULL, 0 }
#define OPB(f, s) { OP_BYTES, (f), 0, (s), sizeof(s) - 1 }
#define OP4(f, s) { OP_IPV4, (f), 0, (s), 4 }
#define OP6(f, s) { OP_IPV6, (f), 0, (s), 16 }
#define OPD(f, s) { OP_NAME, (f), 0, (s), sizeof(s) - 1 }
#define OPU(f) { OP_UNSET, (f), 0, NULL, 0 }

#define MAX_OPS 8

/* draft_init, then every op, each of which must answer PROTO_OK. */
void build_draft(struct draft *d, enum msg_type type, const struct op *ops, const char *what);

/* ---- expected fields ---- */

#define NONUM (-1L)       /* do not check the number */
#define FFX 0x8000u        /* do not check the anomaly flags */
#define FF_CHECKED (FF_ANOMALY | FF_UNASSIGNED | FF_TRUNCATED | FF_BAD)

struct xf {
	const char *name;
	size_t off, len;
	long num;
	unsigned ff; /* the FF_CHECKED flags the decoder must set, or FFX */
};

/* Vector flags. */
#define V_NOENC 0x01u /* no draft builds it */
#define V_REST 0x02u  /* ends in FK_REST: a prefix past the header is complete */

/* A valid message: it decodes with PROTO_OK into exactly these fields. */
struct vec {
	const char *name;
	enum msg_type type;
	const char *hex;
	struct op ops[MAX_OPS];             /* the draft that encodes to hex */
	struct xf fields[PROTO_MAX_FIELDS]; /* name NULL ends */
	size_t exact_from; /* prefixes at least this long need exactly the whole (0: no check) */
	unsigned flags;
	const char *offered; /* hex of the methods offered (decoder ctx), or NULL */
};

/* A malformed message: it decodes to this error. */
#define E_LATE 0x01u /* the error may be reported only on more input than err_off+1 */

struct evec {
	const char *name;
	enum msg_type type;
	const char *hex;
	struct op ops[MAX_OPS]; /* a draft that encodes to hex (overrides), or none */
	int status;
	size_t err_off;
	const char *err_name;
	unsigned flags;
};

/* ---- the checks of a vector table (testvec.c) ---- */

void vec_decode(const struct vec *v);
void vec_encode(const struct vec *v);
void vec_prefixes(const struct vec *v);
void vec_trailing(const struct vec *v);
void vec_split(const struct vec *v);
void vec_roundtrip(const struct vec *v);
void evec_decode(const struct evec *v);
void evec_encode(const struct evec *v);
void evec_prefixes(const struct evec *v);

/*
 * Decoded message against expected fields: count, order, names, offsets,
 * lengths, numbers, flags, bytes pointing into buf, fields back to back.
 */
void check_fields(const char *what, const struct msg *m, const uint8_t *buf,
		  const struct xf *xf, int check_flags);
/* How many expected fields xf lists (up to the one whose name is NULL). */
size_t count_xf(const struct xf *xf);
/* Two decodes of the same bytes (possibly at different addresses) agree. */
void check_same_msg(const char *what, const struct msg *a, const struct msg *b);
/* Invariants of any decoder answer for len input bytes. */
void check_decode_sane(const char *what, const struct msg *m, const uint8_t *p, size_t len);

/* The field's name, or "(none)", for messages. */
const char *fname(const struct field *f);
/* The name of the field a decode blamed, or "(none)". */
const char *err_fname(const struct msg *m);
/* Field lookup that fails the test when absent. */
const struct field *need_field(const struct msg *m, const char *name);

/* The name of a proto status (PROTO_OK, PROTO_E_*), or "?". */
const char *rc_name(int rc);

/* A fresh heap copy of exactly len bytes, so that over-reads are caught. */
uint8_t *dup_exact(const uint8_t *p, size_t len);

/* Encode d; fails the test unless PROTO_OK.  Returns the length. */
size_t encode_ok(const struct draft *d, uint8_t *out, size_t cap, struct msg *m, const char *what);

/*
 * Encode d, which must be refused with status, naming one of the given
 * fields (alt may be NULL).
 */
void encode_refused(const struct draft *d, int status, const char *field, const char *alt,
		    const char *what);

/* Loop tests for a vector table: defines <pfx>_add_tcase(Suite *). */
#define VECTOR_TESTS(pfx, table)                                                          \
	START_TEST(pfx##_decode) { vec_decode(&(table)[_i]); }                           \
	END_TEST                                                                          \
	START_TEST(pfx##_encode) { vec_encode(&(table)[_i]); }                           \
	END_TEST                                                                          \
	START_TEST(pfx##_prefixes) { vec_prefixes(&(table)[_i]); }                       \
	END_TEST                                                                          \
	START_TEST(pfx##_trailing) { vec_trailing(&(table)[_i]); }                       \
	END_TEST                                                                          \
	START_TEST(pfx##_split) { vec_split(&(table)[_i]); }                             \
	END_TEST                                                                          \
	START_TEST(pfx##_roundtrip) { vec_roundtrip(&(table)[_i]); }                     \
	END_TEST                                                                          \
	static void pfx##_add_tcase(Suite *s)                                             \
	{                                                                                 \
		TCase *tc = tcase_create(#pfx);                                           \
		int n = (int)NELEM(table);                                                \
		tcase_add_loop_test(tc, pfx##_decode, 0, n);                              \
		tcase_add_loop_test(tc, pfx##_encode, 0, n);                              \
		tcase_add_loop_test(tc, pfx##_prefixes, 0, n);                            \
		tcase_add_loop_test(tc, pfx##_trailing, 0, n);                            \
		tcase_add_loop_test(tc, pfx##_split, 0, n);                               \
		tcase_add_loop_test(tc, pfx##_roundtrip, 0, n);                           \
		suite_add_tcase(s, tc);                                                   \
	}

#define ERROR_TESTS(pfx, table)                                                           \
	START_TEST(pfx##_decode) { evec_decode(&(table)[_i]); }                          \
	END_TEST                                                                          \
	START_TEST(pfx##_encode) { evec_encode(&(table)[_i]); }                          \
	END_TEST                                                                          \
	START_TEST(pfx##_prefixes) { evec_prefixes(&(table)[_i]); }                      \
	END_TEST                                                                          \
	static void pfx##_add_tcase(Suite *s)                                             \
	{                                                                                 \
		TCase *tc = tcase_create(#pfx);                                           \
		int n = (int)NELEM(table);                                                \
		tcase_add_loop_test(tc, pfx##_decode, 0, n);                              \
		tcase_add_loop_test(tc, pfx##_encode, 0, n);                              \
		tcase_add_loop_test(tc, pfx##_prefixes, 0, n);                            \
		suite_add_tcase(s, tc);                                                   \
	}

#endif
