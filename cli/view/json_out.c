/* The JSON form of a struct msg, built from the same fields as the hex view. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fieldtext.h"
#include "json_out.h"
#include "msgtext.h"
#include "term.h"
#include "fieldtext_int.h"

#define SECRET_MASK "********"

/* Each helper returns 0, or -1 when jansson could not allocate. */

static int
set_new(json_t *obj, const char *key, json_t *value)
{
	/* json_object_set_new() takes the reference even when it fails. */
	return value == NULL || json_object_set_new(obj, key, value) != 0 ? -1 : 0;
}

static int
append_new(json_t *array, json_t *value)
{
	return value == NULL || json_array_append_new(array, value) != 0 ? -1 : 0;
}

static json_t *
hex_string(const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char small[128];
	char *text = len * 2 < sizeof(small) ? small : malloc(len * 2 + 1);

	if (text == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		text[2 * i] = digits[p[i] >> 4];
		text[2 * i + 1] = digits[p[i] & 0x0f];
	}
	text[2 * len] = '\0'; /* a string; and gcc -fsanitize then sees it written */
	json_t *s = json_stringn(text, len * 2);
	/* With --show-secrets this is a password, in hex. */
	explicit_bzero(text, len * 2);
	if (text != small)
		free(text);
	return s;
}

/*
 * Whether text is fit to be a JSON string a terminal can show: no C0
 * control, no DEL, no C1 control (U+0080..U+009F, C2 80..C2 9F in UTF-8).
 * JSON_ENSURE_ASCII escapes C0 and C1 on output but lets DEL through raw,
 * and a consumer that prints the decoded value would emit all of them.
 */
static bool
printable_text(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f ||
		    (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f))
			return false;
	return true;
}

/* Text as it is when it is printable UTF-8, else null: "hex" has the bytes. */
static json_t *
text_value(const uint8_t *p, size_t len)
{
	json_t *s = printable_text(p, len) ? json_stringn((const char *)p, len) : NULL;
	return s != NULL ? s : json_null();
}

json_t *
json_printable(const char *text, size_t len)
{
	if (printable_text((const uint8_t *)text, len)) {
		json_t *s = json_stringn(text, len);

		if (s != NULL)
			return s;
	}
	/* Not UTF-8, or a control character: escaped as the terminal views
	 * escape it ("a\\x7fb"), which is ASCII. */
	size_t cap = term_escaped_len(text, len) + 1;
	char *esc = malloc(cap);

	if (esc == NULL)
		return NULL;
	term_escape(esc, cap, text, len);
	json_t *s = json_string(esc);
	free(esc);
	return s;
}

static json_t *
meaning_value(const struct field *f, uint32_t code)
{
	const char *meaning = field_code_meaning(f, code);
	return meaning != NULL ? json_string(meaning) : json_null();
}

static json_t *
flags_value(const struct field *f)
{
	static const struct {
		unsigned flag;
		const char *word;
	} words[] = {
		{FF_DERIVED, "derived"},	{FF_OVERRIDE, "override"},
		{FF_ANOMALY, "anomaly"},	{FF_UNASSIGNED, "unassigned"},
		{FF_TRUNCATED, "truncated"}, {FF_BAD, "bad"},
	};
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if ((f->flags & words[i].flag) && append_new(a, json_string(words[i].word)) < 0)
			goto fail;
	if ((f->desc->flags & FD_SECRET) && append_new(a, json_string("secret")) < 0)
		goto fail;
	return a;
fail:
	json_decref(a);
	return NULL;
}

static int
set_list(json_t *obj, const struct field *f)
{
	json_t *codes = json_array();
	json_t *meanings = json_array();

	if (codes == NULL || meanings == NULL) {
		json_decref(codes);
		json_decref(meanings);
		return -1;
	}
	/* obj owns both from here on, whatever happens below. */
	if (set_new(obj, "value", codes) < 0) {
		json_decref(meanings);
		return -1;
	}
	if (set_new(obj, "meaning", meanings) < 0)
		return -1;
	for (size_t i = 0; i < f->len; i++) {
		if (append_new(codes, json_integer(f->bytes[i])) < 0 ||
		    append_new(meanings, meaning_value(f, f->bytes[i])) < 0)
			return -1;
	}
	return 0;
}

static json_t *
address_value(const struct msg *m, const struct field *f)
{
	char text[INET6_ADDRSTRLEN];
	enum addr_form form = field_addr_form(m, f);

	if (form == ADDR_IPV4 && f->len == 4 &&
	    inet_ntop(AF_INET, f->bytes, text, sizeof(text)) != NULL)
		return json_string(text);
	if (form == ADDR_IPV6 && f->len == 16 &&
	    inet_ntop(AF_INET6, f->bytes, text, sizeof(text)) != NULL)
		return json_string(text);
	if (form == ADDR_NAME)
		return text_value(f->bytes, f->len);
	return json_null();
}

/* "value" and "meaning" by the field's kind. */
static int
set_value(json_t *obj, const struct msg *m, const struct field *f, bool masked)
{
	enum field_kind kind = f->desc->kind;

	if (masked)
		return set_new(obj, "value", json_string(SECRET_MASK));
	switch (kind) {
	case FK_LIST:
		return set_list(obj, f);
	case FK_IPV4:
	case FK_ADDR:
		return set_new(obj, "value", address_value(m, f));
	case FK_BYTES:
	case FK_CSTR:
	case FK_REST:
		if (f->desc->format == FMT_OPAQUE)
			return set_new(obj, "value", hex_string(f->bytes, f->len));
		return set_new(obj, "value", text_value(f->bytes, f->len));
	default:
		break;
	}
	/* The numeric kinds. */
	if (!field_complete(f))
		return set_new(obj, "value", json_null());
	if (set_new(obj, "value", json_integer(f->num)) < 0)
		return -1;
	if (f->desc->names != NULL)
		return set_new(obj, "meaning", meaning_value(f, f->num));
	return 0;
}

/* What an address or port means where it is (SOCKS4a's marker, a
 * datagram's source, a BIND reply's address).  Addresses and ports have no
 * name table, so set_value() gave them no "meaning" of their own. */
static int
set_context(json_t *obj, const struct msg *m, const struct field *f,
	    const struct view_opts *o)
{
	const char *context = field_context_meaning(m, f, o);

	return context != NULL ? set_new(obj, "meaning", json_string(context)) : 0;
}

static json_t *
field_to_json(const struct msg *m, const struct field *f, const struct view_opts *o)
{
	bool masked = field_masked(f, o);
	json_t *obj = json_object();

	if (obj == NULL)
		return NULL;
	if (set_new(obj, "name", json_string(f->desc->name)) < 0 ||
	    set_new(obj, "offset", json_integer((json_int_t)f->off)) < 0 ||
	    set_new(obj, "length", json_integer((json_int_t)f->len)) < 0 ||
	    (!masked && set_new(obj, "hex", hex_string(f->bytes, f->len)) < 0) ||
	    set_value(obj, m, f, masked) < 0 ||
	    (!masked && set_context(obj, m, f, o) < 0) ||
	    set_new(obj, "flags", flags_value(f)) < 0 ||
	    (f->note != NULL && set_new(obj, "note", json_string(f->note)) < 0)) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int
set_truncated(json_t *obj, const struct msg *m, const char *stop)
{
	bool open_ended;
	size_t need = msg_known_total(m, &open_ended);

	if (set_new(obj, "status", json_string("truncated")) < 0 ||
	    set_new(obj, "need", json_integer((json_int_t)need)) < 0 ||
	    set_new(obj, "need_is_minimum", json_boolean(open_ended)) < 0 ||
	    set_new(obj, "truncated_in", stop != NULL ? json_string(stop) : json_null()) < 0)
		return -1;
	return 0;
}

static int
set_malformed(json_t *obj, const struct msg *m, const char *stop)
{
	json_t *err = json_object();

	if (set_new(obj, "status", json_string("malformed")) < 0 ||
	    set_new(obj, "error", err) < 0)
		return -1;
	/* proto/ writes the reason; it may quote a byte, so check it is
	 * printable UTF-8. */
	size_t whylen = strnlen(m->why, sizeof(m->why));
	json_t *why = whylen > 0 && printable_text((const uint8_t *)m->why, whylen)
			      ? json_stringn(m->why, whylen)
			      : NULL;
	if (why == NULL)
		why = json_string(proto_strerror(m->status));
	if (set_new(err, "offset", json_integer((json_int_t)m->err_off)) < 0 ||
	    set_new(err, "field", stop != NULL ? json_string(stop) : json_null()) < 0 ||
	    set_new(err, "reason", why) < 0 ||
	    set_new(err, "code", json_string(proto_strerror(m->status))) < 0)
		return -1;
	return 0;
}

static int
set_status(json_t *obj, const struct msg *m)
{
	const char *stop = msg_stop_field(m);

	if (m->status == PROTO_OK)
		return set_new(obj, "status", json_string("complete"));
	if (m->status == PROTO_NEED_MORE)
		return set_truncated(obj, m, stop);
	return set_malformed(obj, m, stop);
}

json_t *
msg_to_json(const struct msg *m, unsigned opts)
{
	struct view_opts o = {.show_secrets = (opts & MSG_JSON_SHOW_SECRETS) != 0};

	return msg_to_json_view(m, &o);
}

json_t *
msg_to_json_view(const struct msg *m, const struct view_opts *o)
{
	static const struct view_opts no_opts;
	char title[128];
	json_t *obj = json_object();
	json_t *fields = json_array();

	if (o == NULL)
		o = &no_opts;
	msg_title_as(m, o, title, sizeof(title));
	if (obj == NULL || fields == NULL)
		goto fail;
	bool server = m->desc != NULL && msg_received(m, o);
	if (set_new(obj, "direction", json_string(server ? "server" : "client")) < 0 ||
	    set_new(obj, "type", m->desc != NULL ? json_string(m->desc->key) : json_null()) < 0 ||
	    set_new(obj, "title", json_string(title)) < 0 ||
	    set_new(obj, "length", json_integer((json_int_t)msg_extent(m))) < 0 ||
	    set_status(obj, m) < 0 ||
	    set_new(obj, "anomalies", json_integer(m->anomalies)) < 0)
		goto fail;
	json_t *held = fields;
	fields = NULL; /* owned by obj from here, even on failure */
	if (set_new(obj, "fields", held) < 0)
		goto fail;
	for (size_t i = 0; i < m->nfields && i < PROTO_MAX_FIELDS; i++)
		if (append_new(held, field_to_json(m, &m->fields[i], o)) < 0)
			goto fail;
	return obj;
fail:
	json_decref(fields);
	json_decref(obj);
	return NULL;
}
