/*
 * Facts about a decoded message that every reader of it needs, the engine
 * as much as the views: how far it reaches, how long it will be, where it
 * stopped and what is wrong with it.  Pure, like the decoder they follow.
 */
#include <string.h>

#include "field.h"
#include "text.h"

size_t
msg_extent(const struct msg *m)
{
	size_t end = m->len;

	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		if (f->off + f->len > end)
			end = f->off + f->len;
	}
	return end;
}

/* The decoder knows the message's layout: its need is the total, exact or
 * a lower bound (a string whose 0x00 has not come, an ATYP not yet read). */
size_t
msg_known_total(const struct msg *m, bool *open_ended)
{
	*open_ended = m->status == PROTO_NEED_MORE && !m->need_exact;
	return m->need;
}

static const struct field_desc *
stop_desc(const struct msg *m)
{
	if (m->status == PROTO_OK)
		return NULL;
	if (m->status < 0 && m->err_field >= 0 && (size_t)m->err_field < m->nfields)
		return m->fields[m->err_field].desc;
	unsigned flag = m->status < 0 ? FF_BAD : FF_TRUNCATED;
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].flags & flag)
			return m->fields[i].desc;
	return NULL; /* the decoder marks the field it stopped in: not reached */
}

const char *
msg_stop_field(const struct msg *m)
{
	const struct field_desc *d = stop_desc(m);

	return d != NULL ? d->name : NULL;
}

static void
text_size(struct text *t, size_t v)
{
	text_dec(t, v > UINT32_MAX ? UINT32_MAX : (uint32_t)v);
}

size_t
msg_problem(const struct msg *m, char *buf, size_t cap)
{
	struct text t;
	const char *where = msg_stop_field(m);

	text_start(&t, buf, cap);
	if (m->status < 0) {
		text_str(&t, "malformed at offset ");
		text_hex16(&t, m->err_off > UINT16_MAX ? UINT16_MAX : (uint16_t)m->err_off);
		if (where != NULL) {
			text_str(&t, " in ");
			text_str(&t, where);
		}
		text_str(&t, ": ");
		size_t whylen = strnlen(m->why, sizeof(m->why));
		text_printable(&t, m->why, whylen > 0 ? whylen : 0);
		if (whylen == 0)
			text_str(&t, proto_strerror(m->status));
	} else if (m->status == PROTO_NEED_MORE) {
		size_t have = msg_extent(m);
		bool open_ended;
		size_t total = msg_known_total(m, &open_ended);
		text_str(&t, "truncated after ");
		text_size(&t, have);
		if (total > have) {
			text_str(&t, open_ended ? " of at least " : " of ");
			text_size(&t, total);
		}
		text_str(&t, " bytes");
		if (where != NULL) {
			text_str(&t, " (in ");
			text_str(&t, where);
			text_str(&t, ")");
		}
	}
	return t.need;
}
