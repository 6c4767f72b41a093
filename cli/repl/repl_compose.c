/*
 * Composing: a draft encoded exactly as it will be sent, shown in the hex
 * view, and checked against the spec by decoding the bytes with the one
 * decoder.  Kept apart from the steps because `show` previews a draft
 * without a connection, and the steps and `show` both come through here.
 */
#include "repl_engine.h"

#include <string.h>

/* The hex of a message on one line; secrets masked as the views mask them. */
static void
print_hex_line(struct rsess *s, const struct msg *m, const uint8_t *p, size_t len)
{
	fprintf(s->out, "   hex   ");
	for (size_t i = 0; i < len; i++) {
		bool masked = false;

		for (size_t k = 0; k < m->nfields; k++) {
			const struct field *f = &m->fields[k];

			if (i >= f->off && i < f->off + f->len && field_masked(f, &s->vo))
				masked = true;
		}
		if (masked)
			fprintf(s->out, "%s**", i > 0 ? " " : "");
		else
			fprintf(s->out, "%s%02x", i > 0 ? " " : "", p[i]);
	}
	fputc('\n', s->out);
}

/*
 * Whether bytes p[0..len) are a well-formed message of their type, by the
 * one decoder: "" when they are, else the problem in words.
 */
static void
spec_problem(enum msg_type type, const uint8_t *p, size_t len, char *buf, size_t cap)
{
	struct msg dm;
	size_t off = 0;

	buf[0] = '\0';
	proto_decode(type, p, len, NULL, &dm);
	if (dm.status != PROTO_OK) {
		msg_problem(&dm, buf, cap);
		return;
	}
	if (dm.len < len) {
		snprintf(buf, cap, "%zu byte%s follow the end of the message", len - dm.len,
			 rs_plural(len - dm.len));
		return;
	}
	for (size_t i = 0; i < dm.nfields && off < cap; i++) {
		const struct field *f = &dm.fields[i];
		int n;

		if (!(f->flags & (FF_ANOMALY | FF_BAD)))
			continue;
		n = snprintf(buf + off, cap - off, "%s%s: %s", off > 0 ? "; " : "", f->desc->name,
			     f->note != NULL ? f->note : "not as the spec says");
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

int
rs_encode_quietly(struct rsess *s, enum rs_draft rd, uint8_t *out, size_t cap, size_t *len,
		  struct msg *m)
{
	const struct draft *d = &s->d[rd];
	struct proto_error err;
	const char *hint = "";

	if (proto_encode(d, out, cap, len, m, &err) == PROTO_OK)
		return EXIT_OK;
	if (err.field != NULL && strcmp(err.field, "PASSWD") == 0)
		hint = " (`set pass` asks for it without echo)";
	else if (err.field != NULL && strcmp(err.field, "UNAME") == 0)
		hint = " (`set user NAME`)";
	return rs_fail(EXIT_USAGE, "the %s cannot be encoded: %s: %s%s", d->desc->title,
		       err.field != NULL ? err.field : "?", err.why, hint);
}

int
rs_compose(struct rsess *s, enum rs_draft rd, const char *when, uint8_t *out, size_t cap,
	   size_t *len, struct msg *m)
{
	const struct draft *d = &s->d[rd];
	char problem[400];
	int rc;

	if ((rc = rs_encode_quietly(s, rd, out, cap, len, m)) != EXIT_OK)
		return rc;
	hexview_print(s->out, m, &s->vo);
	if (when == NULL)
		print_hex_line(s, m, out, *len);
	spec_problem(d->desc->type, out, *len, problem, sizeof(problem));
	if (problem[0] != '\0')
		rs_warn("the %s breaks the spec: %s; it %s sent as composed", d->desc->title, problem,
			when == NULL ? "would be" : "is");
	return EXIT_OK;
}
