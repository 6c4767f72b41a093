/*
 * The checks every vector of a table gets (see testutil.h): decode, encode,
 * every prefix, trailing bytes, every split, the round trip; and for a
 * malformed vector, the error, its encoding and its prefixes.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct proto_ctx *make_ctx(const char *offered, struct proto_ctx *ctx,
					uint8_t *store, size_t cap)
{
	if (!offered)
		return NULL;
	ctx->noffered = hexbytes(offered, store, cap);
	ctx->offered = store;
	return ctx;
}

static int decode_copy(enum msg_type type, const uint8_t *buf, size_t len,
		       const struct proto_ctx *ctx, struct msg *m, uint8_t **copy)
{
	*copy = dup_exact(buf, len);
	memset(m, 0x5a, sizeof *m);
	int rc = proto_decode(type, *copy, len, ctx, m);
	ck_assert_msg(rc == m->status, "decode returned %d but msg.status is %d", rc, m->status);
	return rc;
}

void vec_decode(const struct vec *v)
{
	uint8_t buf[VEC_MAX], off[256], *p;
	struct proto_ctx ctx;
	const struct proto_ctx *cp = make_ctx(v->offered, &ctx, off, sizeof off);
	size_t n = hexbytes(v->hex, buf, sizeof buf);
	struct msg m;

	int rc = decode_copy(v->type, buf, n, cp, &m, &p);
	ck_assert_msg(rc == PROTO_OK, "%s: decode answered %d (%s) need %zu, at %zu in %s: %s",
		      v->name, rc, rc_name(rc), rc == PROTO_NEED_MORE ? m.need : 0,
		      rc < 0 ? m.err_off : 0, rc < 0 ? err_fname(&m) : "-", rc < 0 ? m.why : "");
	ck_assert_msg(m.desc == proto_msg_desc(v->type), "%s: wrong descriptor", v->name);
	ck_assert_msg(m.len == n, "%s: consumed %zu of %zu", v->name, m.len, n);
	check_decode_sane(v->name, &m, p, n);
	check_fields(v->name, &m, p, v->fields, 1);
	free(p);
}

/* The derived numeric fields whose FF_DERIVED / FF_OVERRIDE are unambiguous. */
static int is_length_like(const struct field_desc *fd)
{
	return fd->kind == FK_COUNT || fd->kind == FK_LEN8 || fd->kind == FK_LEN16 ||
	       fd->kind == FK_ATYP;
}

static int op_sets(const struct op *ops, const char *field)
{
	int set = 0;
	for (size_t i = 0; i < MAX_OPS && ops[i].kind != OP_END; i++) {
		if (strcmp(ops[i].field, field) != 0)
			continue;
		if (ops[i].kind == OP_NUM)
			set = 1;
		else if (ops[i].kind == OP_UNSET)
			set = 0;
	}
	return set;
}

static void check_derived_flags(const char *what, const struct msg *m, const struct op *ops)
{
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		if (!f->desc || !is_length_like(f->desc))
			continue;
		if (op_sets(ops, f->desc->name))
			ck_assert_msg(f->flags & FF_OVERRIDE, "%s: overridden %s lacks FF_OVERRIDE",
				      what, fname(f));
		else
			ck_assert_msg((f->flags & FF_DERIVED) && !(f->flags & FF_OVERRIDE),
				      "%s: derived %s has flags 0x%x, expected FF_DERIVED", what,
				      fname(f), f->flags);
	}
}

void vec_encode(const struct vec *v)
{
	uint8_t want[VEC_MAX], out[VEC_MAX + 32];
	size_t n = hexbytes(v->hex, want, sizeof want);
	struct draft d;
	struct msg m;
	struct proto_error err;
	size_t outlen;
	int rc;

	if (v->flags & V_NOENC)
		return;
	build_draft(&d, v->type, v->ops, v->name);

	memset(out, 0xa5, sizeof out);
	memset(&m, 0x5a, sizeof m);
	outlen = encode_ok(&d, out, sizeof out, &m, v->name);
	ck_assert_msg(outlen == n, "%s: encoded %zu bytes, expected %zu", v->name, outlen, n);
	ck_assert_mem_eq(out, want, n);
	check_fields(v->name, &m, out, v->fields, 0);
	check_derived_flags(v->name, &m, v->ops);

	/* Exactly enough room, and no msg wanted. */
	memset(out, 0xa5, sizeof out);
	outlen = encode_ok(&d, out, n, NULL, v->name);
	ck_assert_msg(outlen == n, "%s: encoded %zu bytes into exact room", v->name, outlen);
	ck_assert_mem_eq(out, want, n);

	/* One byte short: refused, nothing written past the room given. */
	memset(out, 0xa5, sizeof out);
	memset(&err, 0, sizeof err);
	rc = proto_encode(&d, out, n - 1, &outlen, NULL, &err);
	ck_assert_msg(rc == PROTO_E_SPACE, "%s: encode into %zu of %zu bytes answered %d", v->name,
		      n - 1, n, rc);
	ck_assert_int_eq(err.status, PROTO_E_SPACE);
	for (size_t i = n - 1; i < sizeof out; i++)
		ck_assert_msg(out[i] == 0xa5, "%s: byte %zu written past a room of %zu", v->name, i,
			      n - 1);

	/* No room at all. */
	memset(out, 0xa5, sizeof out);
	rc = proto_encode(&d, out, 0, &outlen, NULL, &err);
	ck_assert_msg(rc == PROTO_E_SPACE, "%s: encode into 0 bytes answered %d", v->name, rc);
	ck_assert_msg(out[0] == 0xa5, "%s: wrote into a room of 0", v->name);
}

void vec_prefixes(const struct vec *v)
{
	uint8_t buf[VEC_MAX], off[256], *p;
	struct proto_ctx ctx;
	const struct proto_ctx *cp = make_ctx(v->offered, &ctx, off, sizeof off);
	size_t n = hexbytes(v->hex, buf, sizeof buf);
	size_t nx = count_xf(v->fields);
	size_t full = (v->flags & V_REST) ? v->fields[nx - 1].off : n;
	size_t last_need = 0;
	struct msg m;

	for (size_t k = 0; k < n; k++) {
		char what[128];
		int rc = decode_copy(v->type, buf, k, cp, &m, &p);

		snprintf(what, sizeof what, "%s, first %zu of %zu bytes", v->name, k, n);
		check_decode_sane(what, &m, p, k);
		if ((v->flags & V_REST) && k >= full) {
			ck_assert_msg(rc == PROTO_OK && m.len == k, "%s: answered %d, consumed %zu",
				      what, rc, rc == PROTO_OK ? m.len : 0);
		} else {
			ck_assert_msg(rc == PROTO_NEED_MORE,
				      "%s: answered %d (%s) instead of need more%s%s", what, rc,
				      rc_name(rc), rc < 0 ? ": " : "", rc < 0 ? m.why : "");
			ck_assert_msg(m.need > k && m.need <= full,
				      "%s: need %zu, expected more than %zu and at most %zu", what,
				      m.need, k, full);
			ck_assert_msg(m.need >= last_need,
				      "%s: need went down from %zu to %zu with more bytes", what,
				      last_need, m.need);
			last_need = m.need;
			if (v->exact_from && k >= v->exact_from)
				ck_assert_msg(m.need == full,
					      "%s: need %zu, but %zu bytes are known to be needed",
					      what, m.need, full);
		}
		free(p);
	}
}

void vec_trailing(const struct vec *v)
{
	static const char *const trailers[] = {
		"00",
		"de ad be ef 00 01 02 03",
		"05 00 00 01 7f 00 00 01 00 50 'GET / HTTP/1.0'",
	};
	uint8_t buf[VEC_MAX + 64], off[256], *p;
	struct proto_ctx ctx;
	const struct proto_ctx *cp = make_ctx(v->offered, &ctx, off, sizeof off);
	size_t n = hexbytes(v->hex, buf, VEC_MAX);
	size_t nx = count_xf(v->fields);
	struct msg m;

	for (size_t t = 0; t <= NELEM(trailers); t++) {
		char what[128];
		size_t extra;
		if (t < NELEM(trailers)) {
			extra = hexbytes(trailers[t], buf + n, 64);
		} else { /* the same message again, pipelined */
			extra = n < 64 ? n : 64;
			memcpy(buf + n, buf, extra);
		}
		snprintf(what, sizeof what, "%s + %zu trailing bytes", v->name, extra);
		int rc = decode_copy(v->type, buf, n + extra, cp, &m, &p);
		ck_assert_msg(rc == PROTO_OK, "%s: answered %d (%s)", what, rc, rc_name(rc));
		check_decode_sane(what, &m, p, n + extra);
		if (v->flags & V_REST) {
			/* the payload runs to the end of the datagram */
			ck_assert_msg(m.len == n + extra, "%s: consumed %zu", what, m.len);
			ck_assert_msg(m.nfields == nx, "%s: %zu fields", what, m.nfields);
			ck_assert_msg(m.fields[nx - 1].len == v->fields[nx - 1].len + extra,
				      "%s: payload %zu bytes", what, m.fields[nx - 1].len);
		} else {
			ck_assert_msg(m.len == n, "%s: consumed %zu, the message is %zu", what, m.len,
				      n);
			check_fields(what, &m, p, v->fields, 1);
		}
		free(p);
	}
}

void vec_split(const struct vec *v)
{
	uint8_t buf[VEC_MAX], off[256], *ref, *p, *q;
	struct proto_ctx ctx;
	const struct proto_ctx *cp = make_ctx(v->offered, &ctx, off, sizeof off);
	size_t n = hexbytes(v->hex, buf, sizeof buf);
	size_t nx = count_xf(v->fields);
	size_t full = (v->flags & V_REST) ? v->fields[nx - 1].off : n;
	struct msg r, m;

	ck_assert_int_eq(decode_copy(v->type, buf, n, cp, &r, &ref), PROTO_OK);

	/* The first k bytes arrive, then the rest: the same answer as all at once. */
	for (size_t k = 0; k <= n; k++) {
		char what[128];
		snprintf(what, sizeof what, "%s split at %zu", v->name, k);
		int rc = decode_copy(v->type, buf, k, cp, &m, &p);
		if (k < full)
			ck_assert_msg(rc == PROTO_NEED_MORE, "%s: first part answered %d", what, rc);
		q = malloc(n);
		ck_assert_ptr_nonnull(q);
		if (k)
			memcpy(q, p, k);
		memcpy(q + k, buf + k, n - k);
		free(p);
		memset(&m, 0x5a, sizeof m);
		rc = proto_decode(v->type, q, n, cp, &m);
		ck_assert_msg(rc == PROTO_OK, "%s: whole answered %d", what, rc);
		check_same_msg(what, &r, &m);
		free(q);
	}

	/* A reader that reads exactly what the decoder asks for lands on the end. */
	size_t have = 0, rounds = 0;
	for (;;) {
		int rc = decode_copy(v->type, buf, have, cp, &m, &p);
		free(p);
		ck_assert_msg(rounds++ <= n, "%s: the reader never finishes", v->name);
		if (rc != PROTO_NEED_MORE) {
			ck_assert_msg(rc == PROTO_OK, "%s: reader at %zu got %d", v->name, have, rc);
			break;
		}
		ck_assert_msg(m.need > have && m.need <= full,
			      "%s: reader at %zu asked for %zu of %zu", v->name, have, m.need, full);
		have = m.need;
	}
	ck_assert_msg(have == full && m.len == full, "%s: reader stopped at %zu (len %zu) of %zu",
		      v->name, have, m.len, full);
	free(ref);
}

static int numeric_kind(enum field_kind k)
{
	return k == FK_U8 || k == FK_U16 || k == FK_COUNT || k == FK_LEN8 || k == FK_LEN16 ||
	       k == FK_ATYP;
}

void vec_roundtrip(const struct vec *v)
{
	uint8_t out[VEC_MAX];
	struct draft d;
	struct msg em, dm;
	size_t outlen;

	if (v->flags & V_NOENC)
		return;
	build_draft(&d, v->type, v->ops, v->name);
	outlen = encode_ok(&d, out, sizeof out, &em, v->name);
	memset(&dm, 0x5a, sizeof dm);
	int rc = proto_decode(v->type, out, outlen, NULL, &dm);
	ck_assert_msg(rc == PROTO_OK && dm.len == outlen,
		      "%s: decoding the encoder's %zu bytes answered %d (len %zu)", v->name, outlen,
		      rc, rc == PROTO_OK ? dm.len : 0);
	ck_assert_msg(em.nfields == dm.nfields, "%s: encoder says %zu fields, decoder %zu", v->name,
		      em.nfields, dm.nfields);
	for (size_t i = 0; i < dm.nfields; i++) {
		const struct field *e = &em.fields[i], *f = &dm.fields[i];
		ck_assert_msg(e->desc == f->desc, "%s: field %zu is %s encoded, %s decoded", v->name,
			      i, fname(e), fname(f));
		ck_assert_msg(e->off == f->off && e->len == f->len,
			      "%s: %s at %zu+%zu encoded, %zu+%zu decoded", v->name, fname(f),
			      e->off, e->len, f->off, f->len);
		if (numeric_kind(f->desc->kind))
			ck_assert_msg(e->num == f->num, "%s: %s = %u encoded, %u decoded", v->name,
				      fname(f), (unsigned)e->num, (unsigned)f->num);
	}
	/* Every value the draft was given comes back. */
	for (size_t i = 0; i < MAX_OPS && v->ops[i].kind != OP_END; i++) {
		const struct op *o = &v->ops[i];
		const struct field *f;
		if (o->kind == OP_UNSET || op_sets(v->ops + i + 1, o->field))
			continue;
		f = need_field(&dm, o->field);
		if (o->kind == OP_NUM) {
			ck_assert_msg(f->num == o->num, "%s: %s came back as %u, set to %u", v->name,
				      o->field, (unsigned)f->num, (unsigned)o->num);
		} else {
			ck_assert_msg(f->len == o->len, "%s: %s came back with %zu bytes, set %zu",
				      v->name, o->field, f->len, o->len);
			ck_assert_mem_eq(f->bytes, o->data, o->len);
		}
	}
}

void evec_decode(const struct evec *v)
{
	uint8_t buf[VEC_MAX], *p;
	size_t n = hexbytes(v->hex, buf, sizeof buf);
	struct msg m;

	int rc = decode_copy(v->type, buf, n, NULL, &m, &p);
	ck_assert_msg(rc == v->status, "%s: decode answered %d (%s), expected %d (%s)", v->name, rc,
		      rc_name(rc), v->status, rc_name(v->status));
	check_decode_sane(v->name, &m, p, n);
	ck_assert_msg(m.err_off == v->err_off, "%s: error at offset %zu, expected %zu (%s)",
		      v->name, m.err_off, v->err_off, m.why);
	ck_assert_msg(m.err_field >= 0, "%s: error names no field (%s)", v->name, m.why);
	ck_assert_msg(strcmp(err_fname(&m), v->err_name) == 0, "%s: error in %s, expected %s (%s)",
		      v->name, err_fname(&m), v->err_name, m.why);
	const struct field *f = &m.fields[m.err_field];
	ck_assert_msg(f->off <= m.err_off && m.err_off <= f->off + f->len,
		      "%s: err_off %zu outside %s (%zu+%zu)", v->name, m.err_off, fname(f), f->off,
		      f->len);
	ck_assert_msg(f->flags & FF_BAD, "%s: %s lacks FF_BAD", v->name, fname(f));
	free(p);
}

void evec_encode(const struct evec *v)
{
	uint8_t want[VEC_MAX], out[VEC_MAX];
	size_t n = hexbytes(v->hex, want, sizeof want);
	struct draft d;
	struct msg m;

	if (v->ops[0].kind == OP_END)
		return;
	build_draft(&d, v->type, v->ops, v->name);
	size_t outlen = encode_ok(&d, out, sizeof out, &m, v->name);
	ck_assert_msg(outlen == n, "%s: encoded %zu bytes, expected %zu", v->name, outlen, n);
	ck_assert_mem_eq(out, want, n);
	check_derived_flags(v->name, &m, v->ops);
}

void evec_prefixes(const struct evec *v)
{
	uint8_t buf[VEC_MAX], *p;
	size_t n = hexbytes(v->hex, buf, sizeof buf);
	struct msg m;

	if (v->flags & E_LATE)
		return;
	for (size_t k = 0; k <= n; k++) {
		char what[128];
		int rc = decode_copy(v->type, buf, k, NULL, &m, &p);
		snprintf(what, sizeof what, "%s, first %zu of %zu bytes", v->name, k, n);
		check_decode_sane(what, &m, p, k);
		if (k <= v->err_off) {
			/* everything before the fault is a valid beginning */
			ck_assert_msg(rc == PROTO_NEED_MORE, "%s: answered %d (%s) before the fault",
				      what, rc, rc_name(rc));
		} else {
			/* the fault is in hand: say so now, not after more reads */
			ck_assert_msg(rc == v->status, "%s: answered %d (%s), expected %d (%s)", what,
				      rc, rc_name(rc), v->status, rc_name(v->status));
			ck_assert_msg(m.err_off == v->err_off &&
					      strcmp(err_fname(&m), v->err_name) == 0,
				      "%s: error at %zu in %s, expected %zu in %s", what, m.err_off,
				      err_fname(&m), v->err_off, v->err_name);
		}
		free(p);
	}
}
