/*
 * The views of whatever the decoder makes of any bytes: the hex view, the
 * -v trace line, the hex dump of what follows, the problem and title texts,
 * each field's value text, and the JSON form.
 *
 * Input: as fuzz_decode (see decode_input_read() in fuzz.h).  The quotient
 * of byte 0's low seven bits by MSG_TYPE_COUNT picks the view options:
 * bit 0 --show-secrets, bits 1-2 the direction (auto, sent, received; 3 is
 * auto), bit 3 a label.  The reply's role (none, BIND's first, BIND's
 * second) is that value plus the message's length, modulo 3.
 *
 * Checks, with colour off: every byte written is printable ASCII or '\n',
 * the output ends in '\n', the trace is one line.  With colour on: the same
 * once the SGR sequences (ESC [ digits and ';' m) are taken out, which must
 * give exactly the colourless output.  The bounded text builders fill any
 * buffer with a NUL-terminated prefix of the full text and return the full
 * length.  msg_to_json_view() gives a document that dumps as ASCII without C0
 * controls (DEL is left raw: JSON does not escape it),
 * parses back, and has the message's status and one entry per field, with
 * the secret masked unless asked.
 */
#include <jansson.h>

#include "fieldtext.h"
#include "fuzz.h"
#include "hexview.h"
#include "json_out.h"
#include "msgtext.h"
#include "traceline.h"

#define LABEL "hop 2"

struct out {
	char *buf;
	size_t len;
};

typedef void view_fn(FILE *fp, const struct msg *m, const struct decode_input *in,
		     const struct view_opts *o);

static void
view_hex(FILE *fp, const struct msg *m, const struct decode_input *in,
	 const struct view_opts *o)
{
	hexview_print(fp, m, o);
	/* What follows a complete message is tunnel data: a plain dump. */
	if (m->status == PROTO_OK && m->len < in->len)
		hexdump_print(fp, in->msg + m->len, in->len - m->len, m->len, o);
}

static void
view_trace(FILE *fp, const struct msg *m, const struct decode_input *in,
	   const struct view_opts *o)
{
	(void)in;
	trace_line(fp, m, o);
}

static struct out
render(view_fn *fn, const struct msg *m, const struct decode_input *in,
       const struct view_opts *o)
{
	struct out out = {NULL, 0};
	FILE *fp = open_memstream(&out.buf, &out.len);

	CHECK(fp != NULL);
	fn(fp, m, in, o);
	CHECK(fclose(fp) == 0);
	return out;
}

static void
check_plain(const struct out *out, const char *what)
{
	CHECKF(out->len > 0 && out->buf[out->len - 1] == '\n', "%s does not end a line", what);
	for (size_t i = 0; i < out->len; i++) {
		uint8_t c = (uint8_t)out->buf[i];

		CHECKF((c >= 0x20 && c < 0x7f) || c == '\n',
		       "%s: byte 0x%02x at %zu of:\n%.*s", what, c, i, (int)out->len, out->buf);
	}
}

/* The colour output without its SGR sequences; aborts on any other ESC. */
static void
strip_sgr(struct out *out, const char *what)
{
	size_t w = 0;

	for (size_t i = 0; i < out->len;) {
		if (out->buf[i] != '\033') {
			out->buf[w++] = out->buf[i++];
			continue;
		}
		size_t j = i + 1;
		CHECKF(j < out->len && out->buf[j] == '[', "%s: ESC at %zu not a CSI", what, i);
		for (j++; j < out->len && ((out->buf[j] >= '0' && out->buf[j] <= '9') ||
					    out->buf[j] == ';');
		     j++)
			;
		CHECKF(j < out->len && out->buf[j] == 'm', "%s: ESC at %zu not an SGR", what, i);
		i = j + 1;
	}
	out->len = w;
}

static void
check_view(view_fn *fn, const struct msg *m, const struct decode_input *in,
	   struct view_opts o, const char *what)
{
	o.color = false;
	struct out plain = render(fn, m, in, &o);
	check_plain(&plain, what);
	if (fn == view_trace)
		CHECKF(memchr(plain.buf, '\n', plain.len) == plain.buf + plain.len - 1,
		       "trace is more than one line:\n%.*s", (int)plain.len, plain.buf);

	o.color = true;
	struct out colour = render(fn, m, in, &o);
	strip_sgr(&colour, what);
	CHECKF(colour.len == plain.len && memcmp(colour.buf, plain.buf, plain.len) == 0,
	       "%s: colour changes more than colour:\n%.*s---\n%.*s", what, (int)plain.len,
	       plain.buf, (int)colour.len, colour.buf);
	free(plain.buf);
	free(colour.buf);
}

typedef size_t text_fn(const struct msg *m, const struct field *f,
		       const struct view_opts *o, char *buf, size_t cap);

static size_t
text_title(const struct msg *m, const struct field *f, const struct view_opts *o, char *buf,
	   size_t cap)
{
	(void)f;
	return msg_title_as(m, o, buf, cap);
}

static size_t
text_problem(const struct msg *m, const struct field *f, const struct view_opts *o,
	     char *buf, size_t cap)
{
	(void)f, (void)o;
	return msg_problem(m, buf, cap);
}

static size_t
text_code(const struct msg *m, const struct field *f, const struct view_opts *o, char *buf,
	  size_t cap)
{
	(void)f, (void)o;
	return msg_code_text(m, buf, cap);
}

/* A bounded builder: the full text, and in small buffers a prefix of it. */
static void
check_text(text_fn *fn, const struct msg *m, const struct field *f, const struct view_opts *o,
	   const char *what)
{
	static char full[8192];
	char small[40];
	size_t n = fn(m, f, o, full, sizeof(full));

	CHECKF(n < sizeof(full) && strlen(full) == n, "%s: length %zu, text of %zu", what, n,
	       strlen(full));
	for (size_t i = 0; i < n; i++)
		CHECKF(full[i] >= 0x20 && full[i] < 0x7f, "%s: byte 0x%02x in \"%s\"", what,
		       (uint8_t)full[i], full);
	for (size_t cap = 1; cap <= sizeof(small); cap += 3) {
		memset(small, 'Z', sizeof(small));
		CHECK(fn(m, f, o, small, cap) == n);
		size_t got = strnlen(small, cap);
		CHECKF(got < cap && got <= n && memcmp(small, full, got) == 0,
		       "%s: cap %zu gave \"%.*s\" of \"%s\"", what, cap, (int)got, small, full);
		CHECK(cap == sizeof(small) || small[cap] == 'Z');
	}
}

static void
check_json(const struct msg *m, const struct view_opts *o)
{
	bool show_secrets = o->show_secrets;
	json_t *j = msg_to_json_view(m, o);
	json_error_t jerr;

	CHECK(j != NULL);
	char *s = json_dumps(j, SOCKSCOPE_JSON_FLAGS);
	CHECK(s != NULL);
	/* JSON_ENSURE_ASCII escapes every control character but DEL (0x7f),
	 * which JSON leaves raw: ASCII, and no C0 control. */
	for (const char *c = s; *c != '\0'; c++)
		CHECKF(*c >= 0x20 && (uint8_t)*c <= 0x7f, "json: byte 0x%02x in %s", (uint8_t)*c,
		       s);
	/* NUL bytes of a field's text are \u0000: valid JSON, but jansson wants
	 * to be told. */
	json_t *back = json_loads(s, JSON_ALLOW_NUL, &jerr);
	CHECKF(back != NULL, "json does not parse back (%s): %s", jerr.text, s);

	const char *status = json_string_value(json_object_get(back, "status"));
	const char *want = m->status == PROTO_OK		 ? "complete"
			   : m->status == PROTO_NEED_MORE ? "truncated"
							  : "malformed";
	CHECKF(status != NULL && strcmp(status, want) == 0, "json status %s: %s",
	       status ? status : "(none)", s);
	json_t *fields = json_object_get(back, "fields");
	CHECK(json_is_array(fields) && json_array_size(fields) == m->nfields);
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		json_t *jf = json_array_get(fields, i);

		CHECK(json_integer_value(json_object_get(jf, "offset")) == (json_int_t)f->off);
		CHECK(json_integer_value(json_object_get(jf, "length")) == (json_int_t)f->len);
		if ((f->desc->flags & FD_SECRET) && !show_secrets) {
			CHECKF(json_object_get(jf, "hex") == NULL, "secret in hex: %s", s);
			const char *v = json_string_value(json_object_get(jf, "value"));
			CHECKF(v != NULL && strcmp(v, "********") == 0, "secret not masked: %s", s);
		} else {
			const char *hex = json_string_value(json_object_get(jf, "hex"));
			CHECK(hex != NULL && strlen(hex) == 2 * f->len);
		}
	}
	json_decref(back);
	free(s);
	json_decref(j);
}

/* A secret is never on the screen unless asked for. */
static void
check_secret_masked(const struct msg *m, const struct decode_input *in, struct view_opts o)
{
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		if (!(f->desc->flags & FD_SECRET) || o.show_secrets)
			continue;
		CHECK(field_masked(f, &o));
		char value[64];
		field_value_text(m, f, &o, value, sizeof(value));
		CHECKF(strcmp(value, "********") == 0, "secret shown as \"%s\"", value);
		(void)in;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_input in;
	struct msg m;
	struct view_opts o;

	if (!decode_input_read(data, size, &in))
		return 0;
	memset(&o, 0, sizeof(o));
	o.show_secrets = (in.extra & 1u) != 0;
	o.dir = (enum view_dir)((in.extra >> 1 & 3u) % 3u);
	o.label = (in.extra & 8u) ? LABEL : NULL;
	o.role = (enum view_role)((in.extra + in.len) % 3u);

	proto_decode(in.type, in.msg, in.len, in.has_ctx ? &in.ctx : NULL, &m);
	check_msg_shape(&m, in.type, in.msg, in.len);

	check_view(view_hex, &m, &in, o, "hexview_print");
	check_view(view_trace, &m, &in, o, "trace_line");

	check_text(text_title, &m, NULL, &o, "msg_title");
	check_text(text_problem, &m, NULL, &o, "msg_problem");
	check_text(text_code, &m, NULL, &o, "msg_code_text");
	if (msg_code_field(&m) != NULL)
		CHECK(msg_code_field(&m)->off + 1 <= msg_extent(&m));
	for (size_t i = 0; i < m.nfields; i++)
		check_text(field_value_text, &m, &m.fields[i], &o, m.fields[i].desc->name);
	check_secret_masked(&m, &in, o);

	CHECK(msg_extent(&m) <= in.len);
	bool open_ended;
	size_t total = msg_known_total(&m, &open_ended);
	if (m.status == PROTO_NEED_MORE)
		CHECKF(total >= m.need && total > msg_extent(&m), "known total %zu, need %zu",
		       total, m.need);
	CHECK(msg_arrow(&m, &o) != NULL);

	check_json(&m, &o);
	return 0;
}
