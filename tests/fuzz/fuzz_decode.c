/*
 * proto_decode() on every message type: what it says about a buffer stays
 * within the buffer, and it says the same whichever way the bytes arrive.
 *
 * Input: see decode_input_read() in fuzz.h (type byte, optional offered
 * methods, then the message).  For the whole buffer the decoder must answer
 * with a well-formed struct msg; then
 *
 *   complete (len L):  every prefix shorter than L, alone in a buffer of its
 *                      size, answers PROTO_NEED_MORE with need in (prefix, L],
 *                      and the fields it has finished agree with the full
 *                      decode; p[0..L) alone is complete, L bytes, same fields
 *                      (a UDP datagram is the exception: its DATA is all
 *                      that is there, so a prefix holding the whole header
 *                      is a complete datagram with less DATA);
 *   malformed:         every prefix shorter than msg.len answers NEED_MORE
 *                      with need > prefix, or the same error at the same
 *                      offset; p[0..msg.len) alone gives the same error and len.
 *
 * Each prefix is copied into a heap block of exactly its size, so a read past
 * the bytes the decoder was given is an ASan report, not a silent pass.
 */
#include "fuzz.h"

static void
decode_alone(enum msg_type type, const uint8_t *p, size_t k, const struct proto_ctx *ctx,
	     struct msg *m, uint8_t **copy)
{
	*copy = malloc(k > 0 ? k : 1);
	CHECK(*copy != NULL);
	if (k > 0)
		memcpy(*copy, p, k);
	proto_decode(type, *copy, k, ctx, m);
	check_msg_shape(m, type, *copy, k);
}

/*
 * Where a complete message's FK_REST field (a UDP datagram's DATA) begins,
 * or (size_t)-1: a datagram is whatever the packet holds, so every prefix
 * that has the whole header is a complete, shorter datagram.
 */
static size_t
rest_start(const struct msg *m)
{
	if (m->status == PROTO_OK && m->nfields > 0 &&
	    m->fields[m->nfields - 1].desc->kind == FK_REST)
		return m->fields[m->nfields - 1].off;
	return (size_t)-1;
}

/* A prefix shorter than the decisive length: waiting, or the same fault. */
static void
check_prefix(const struct msg *full, const struct msg *pm, size_t k)
{
	enum msg_type type = full->desc->type;

	if (k >= rest_start(full)) {
		CHECKF(pm->status == PROTO_OK && pm->len == k && pm->nfields == full->nfields,
		       "type %d: prefix %zu of a datagram with a %zu-byte header: status %d len %zu",
		       type, k, rest_start(full), pm->status, pm->len);
		for (size_t i = 0; i + 1 < pm->nfields; i++)
			CHECK(same_fields(&pm->fields[i], &full->fields[i]));
		CHECK(pm->fields[pm->nfields - 1].len == k - rest_start(full));
		return;
	}
	if (pm->status == PROTO_NEED_MORE) {
		CHECKF(pm->need > k, "type %d: prefix %zu: need %zu", type, k, pm->need);
		if (full->status == PROTO_OK)
			CHECKF(pm->need <= full->len,
			       "type %d: prefix %zu: need %zu, but the message is %zu bytes", type,
			       k, pm->need, full->len);
		/* Every field but the one cut short is as in the full decode. */
		CHECK(pm->nfields <= full->nfields || full->status != PROTO_OK);
		for (size_t i = 0; i + 1 < pm->nfields && i < full->nfields; i++)
			CHECKF(same_fields(&pm->fields[i], &full->fields[i]),
			       "type %d: prefix %zu: field %zu differs", type, k, i);
		return;
	}
	CHECKF(full->status < 0, "type %d: prefix %zu of a complete %zu-byte message: status %d",
	       type, k, full->len, pm->status);
	CHECKF(pm->status == full->status && pm->err_off == full->err_off,
	       "type %d: prefix %zu: status %d at %zu, full decode %d at %zu", type, k,
	       pm->status, pm->err_off, full->status, full->err_off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_input in;
	const struct proto_ctx *ctx;
	struct msg full, pm;
	uint8_t *copy;

	if (!decode_input_read(data, size, &in))
		return 0;
	ctx = in.has_ctx ? &in.ctx : NULL;

	proto_decode(in.type, in.msg, in.len, ctx, &full);
	check_msg_shape(&full, in.type, in.msg, in.len);
	if (full.status == PROTO_NEED_MORE)
		return 0; /* the prefixes are checked when the fuzzer completes it */

	for (size_t k = 0; k < full.len; k++) {
		decode_alone(in.type, in.msg, k, ctx, &pm, &copy);
		check_prefix(&full, &pm, k);
		free(copy);
	}

	decode_alone(in.type, in.msg, full.len, ctx, &pm, &copy);
	CHECKF(pm.status == full.status && pm.len == full.len,
	       "type %d: p[0..%zu) alone: status %d len %zu; with %zu bytes: status %d len %zu",
	       in.type, full.len, pm.status, pm.len, in.len, full.status, full.len);
	if (full.status < 0)
		CHECK(pm.err_off == full.err_off && pm.err_field == full.err_field);
	CHECK(pm.nfields == full.nfields && pm.anomalies == full.anomalies);
	for (size_t i = 0; i < full.nfields; i++) {
		CHECK(same_fields(&pm.fields[i], &full.fields[i]));
		CHECK(pm.fields[i].flags == full.fields[i].flags);
	}
	free(copy);
	return 0;
}
