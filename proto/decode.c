/*
 * The incremental decoder: one walker over any message descriptor.
 *
 * It looks only at the bytes it is given and never past the message: a
 * reply's length comes from its own ATYP and length bytes, and whatever
 * follows a complete message is left to the caller (it is tunnel data).
 * The frames and limits it checks: doc/PROTOCOL.md.
 */
#include <string.h>

#include "field.h"
#include "text.h"

struct walk {
	const struct msg_desc *desc;
	const uint8_t *p;
	size_t len;
	size_t off;
	const struct proto_ctx *ctx;
	struct msg *m;
	/* Values by descriptor index, for fields that size or gate others. */
	uint32_t val[PROTO_MAX_FIELDS];
	const uint8_t *at[PROTO_MAX_FIELDS];
	int seen[PROTO_MAX_FIELDS];
};

static int
index_of_kind(const struct msg_desc *desc, enum field_kind kind)
{
	for (size_t i = 0; i < desc->nfields; i++)
		if (desc->fields[i].kind == kind)
			return (int)i;
	return -1;
}

/* The value of the derived field (length, count, ATYP) that describes field i. */
static int
describer_of(const struct walk *w, size_t i, enum field_kind kind, uint32_t *out)
{
	for (size_t j = 0; j < i; j++) {
		const struct field_desc *fd = &w->desc->fields[j];

		if (fd->ref == (int)i && fd->kind == kind && w->seen[j]) {
			*out = w->val[j];
			return 1;
		}
	}
	return 0;
}

/* The field whose value says whether fd is on the wire; -1 when none does. */
static int
deciding_field(const struct walk *w, const struct field_desc *fd)
{
	switch (fd->presence) {
	case PRESENT_IF_DOMAIN:
		return index_of_kind(w->desc, FK_ATYP);
	case PRESENT_IF_SOCKS4A:
		return index_of_kind(w->desc, FK_IPV4);
	case PRESENT_IF_NOT_ABORT:
		return proto_field_index(w->desc, "MTYP");
	case PRESENT_ALWAYS:
		break;
	}
	return -1;
}

static int
is_present(const struct walk *w, const struct field_desc *fd)
{
	int k = deciding_field(w, fd);

	if (fd->presence == PRESENT_ALWAYS)
		return 1;
	if (k < 0 || !w->seen[k])
		return 0;
	switch (fd->presence) {
	case PRESENT_IF_DOMAIN:
		return w->val[k] == 3;
	case PRESENT_IF_SOCKS4A:
		return proto_socks4a_marker(w->at[k]);
	case PRESENT_IF_NOT_ABORT:
		return w->val[k] != 0xff;
	case PRESENT_ALWAYS:
		break;
	}
	return 1;
}

/*
 * The size of a list, a byte string or an address, from the count, length
 * or ATYP read before it; 0 when that has not been read yet.
 */
static int
described_size(const struct walk *w, size_t i, size_t *size)
{
	const struct field_desc *fd = &w->desc->fields[i];
	uint32_t v = 0;

	switch (fd->kind) {
	case FK_LIST:
		if (!describer_of(w, i, FK_COUNT, &v))
			return 0;
		break;
	case FK_BYTES:
		if (!describer_of(w, i, FK_LEN8, &v) && !describer_of(w, i, FK_LEN16, &v))
			return 0;
		break;
	case FK_ADDR:
		if (!describer_of(w, i, FK_ATYP, &v))
			return 0;
		if (v == 1 || v == 4) {
			*size = v == 1 ? 4 : 16;
			return 1;
		}
		if (!describer_of(w, i, FK_LEN8, &v))
			return 0;
		break;
	default:
		return 0;
	}
	*size = v;
	return 1;
}

static struct field *
add_field(struct walk *w, size_t i, size_t len)
{
	struct field *f = &w->m->fields[w->m->nfields++];

	memset(f, 0, sizeof(*f));
	f->desc = &w->desc->fields[i];
	f->index = (int)i;
	f->off = w->off;
	f->len = len;
	f->bytes = w->p != NULL ? w->p + w->off : NULL;
	return f;
}

static void
flag(struct msg *m, struct field *f, unsigned fl, const char *note)
{
	if ((f->flags & (FF_ANOMALY | FF_UNASSIGNED)) == 0)
		m->anomalies++;
	f->flags |= fl;
	if (f->note == NULL)
		f->note = note;
}

/* Marks f as where decoding broke; m->why already holds the reason. */
static int
fail(struct walk *w, struct field *f, size_t off, int status)
{
	struct msg *m = w->m;

	f->flags |= FF_BAD;
	m->status = status;
	m->err_off = off;
	m->err_field = (int)(f - m->fields);
	m->len = w->len < f->off + f->len ? w->len : f->off + f->len;
	return status;
}

static int
need_more(struct walk *w, struct field *f, size_t total)
{
	struct msg *m = w->m;

	f->flags |= FF_TRUNCATED;
	m->status = PROTO_NEED_MORE;
	m->need = total;
	m->len = w->len;
	return PROTO_NEED_MORE;
}

/* How many bytes field i occupies, or -1 with the walk failed or waiting. */
static int
field_size(struct walk *w, size_t i, size_t *size)
{
	const struct field_desc *fd = &w->desc->fields[i];
	const uint8_t *nul;
	size_t avail = w->len - w->off, scan;

	*size = field_kind_size(fd->kind);
	if (*size > 0)
		return 0; /* a fixed size */
	switch (fd->kind) {
	case FK_LIST:
	case FK_BYTES:
	case FK_ADDR:
		/* Its length, count or ATYP came before it; 0 if it never did. */
		if (!described_size(w, i, size))
			*size = 0;
		return 0;
	case FK_CSTR:
		scan = avail < PROTO_MAX_CSTR + 1 ? avail : PROTO_MAX_CSTR + 1;
		nul = scan > 0 ? memchr(w->p + w->off, 0, scan) : NULL;
		if (nul != NULL) {
			*size = (size_t)(nul - (w->p + w->off));
			return 0;
		}
		if (avail > PROTO_MAX_CSTR) {
			struct text t;
			/* The field covers the byte that proved it unterminated. */
			struct field *f = add_field(w, i, PROTO_MAX_CSTR + 1);

			text_start(&t, w->m->why, sizeof(w->m->why));
			text_str(&t, "no 0x00 within ");
			text_dec(&t, PROTO_MAX_CSTR);
			text_str(&t, " bytes");
			fail(w, f, w->off + PROTO_MAX_CSTR, PROTO_E_UNTERMINATED);
			return -1;
		}
		/* The terminator has yet to come: at least one more byte. */
		need_more(w, add_field(w, i, avail), w->len + 1);
		return -1;
	case FK_REST:
		*size = avail;
		return 0;
	default:
		break; /* fixed sizes returned above */
	}
	*size = 0;
	return 0;
}

/* Whether the fields read so far say if fd is on the wire. */
static int
presence_known(const struct walk *w, const struct field_desc *fd)
{
	int k = deciding_field(w, fd);

	return fd->presence == PRESENT_ALWAYS || (k >= 0 && w->seen[k]);
}

/*
 * The bytes the fields after i are known to need, from what is decoded so
 * far: fixed sizes, and sizes whose length or ATYP field has been read.  It
 * stops at the first field whose presence or size is not known yet, and then
 * *exact is false: the total is a lower bound.
 */
static size_t
known_size_after(const struct walk *w, size_t i, bool *exact)
{
	size_t total = 0;

	*exact = false;
	for (size_t j = i + 1; j < w->desc->nfields; j++) {
		const struct field_desc *fd = &w->desc->fields[j];
		size_t size = 0;

		if (!presence_known(w, fd))
			return total;
		if (!is_present(w, fd))
			continue;
		if (field_kind_size(fd->kind) > 0) {
			total += field_kind_size(fd->kind);
			continue;
		}
		switch (fd->kind) {
		case FK_LIST:
		case FK_BYTES:
		case FK_ADDR:
			if (!described_size(w, j, &size))
				return total;
			total += size;
			break;
		case FK_CSTR:
			return total + 1; /* at least its 0x00 */
		case FK_REST:
			return total;
		default:
			break; /* fixed sizes were counted above */
		}
	}
	*exact = true;
	return total;
}

static uint32_t
read_number(const struct field_desc *fd, const uint8_t *p)
{
	switch (fd->kind) {
	case FK_U16:
	case FK_LEN16:
		return (uint32_t)p[0] << 8 | p[1];
	case FK_IPV4:
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	case FK_U8:
	case FK_COUNT:
	case FK_LEN8:
	case FK_ATYP:
	case FK_NUL:
		return p[0];
	default:
		return 0;
	}
}

static int
offered(const struct proto_ctx *ctx, uint32_t method)
{
	for (size_t i = 0; i < ctx->noffered; i++)
		if (ctx->offered[i] == method)
			return 1;
	return 0;
}

/* Checks one complete field; returns 0, or the error status. */
static int
check_field(struct walk *w, struct field *f)
{
	const struct field_desc *fd = f->desc;
	struct msg *m = w->m;
	struct text t;

	text_start(&t, m->why, sizeof(m->why));
	if (fd->expect >= 0 && f->num != (uint32_t)fd->expect) {
		if (fd->tolerate >= 0 && f->num == (uint32_t)fd->tolerate) {
			flag(m, f, FF_ANOMALY, "not the version the standard says; tolerated");
		} else {
			text_str(&t, "expected ");
			text_hex8(&t, (uint8_t)fd->expect);
			text_str(&t, ", got ");
			text_hex8(&t, (uint8_t)f->num);
			return fail(w, f, f->off, PROTO_E_VERSION);
		}
	}
	if ((fd->flags & FD_NONZERO) && f->num == 0) {
		text_str(&t, fd->name);
		text_str(&t, " is 0; at least 1 is required");
		return fail(w, f, f->off, PROTO_E_LENGTH);
	}
	if (fd->kind == FK_ATYP && f->num != 1 && f->num != 3 && f->num != 4) {
		text_str(&t, "unknown address type ");
		text_hex8(&t, (uint8_t)f->num);
		text_str(&t, ": the length of what follows is unknown");
		return fail(w, f, f->off, PROTO_E_ATYP);
	}
	if ((fd->flags & FD_RESERVED) && f->num != 0)
		flag(m, f, FF_ANOMALY, "reserved, should be 0");
	if ((fd->flags & FD_METHOD) && w->ctx != NULL && w->ctx->offered != NULL &&
	    f->num != 0xff && !offered(w->ctx, f->num))
		flag(m, f, FF_ANOMALY, "this method was not offered");
	if (fd->names != NULL && fd->expect < 0) {
		if (fd->kind == FK_LIST) {
			for (size_t k = 0; k < f->len; k++) {
				const struct name_entry *e = names_find(fd->names, f->bytes[k]);

				if (e == NULL || (e->flags & NE_UNASSIGNED))
					flag(m, f, FF_UNASSIGNED, "holds an unassigned code");
			}
		} else {
			const struct name_entry *e = names_find(fd->names, f->num);

			if (e == NULL || (e->flags & NE_UNASSIGNED))
				flag(m, f, FF_UNASSIGNED, "unassigned code");
		}
	}
	return 0;
}

int
proto_decode(enum msg_type type, const uint8_t *p, size_t len, const struct proto_ctx *ctx,
	     struct msg *m)
{
	struct walk w;

	memset(m, 0, sizeof(*m));
	m->desc = proto_msg_desc(type);
	m->buf = p;
	m->err_field = -1;
	if (m->desc == NULL) {
		m->status = PROTO_E_NOFIELD;
		return m->status;
	}
	memset(&w, 0, sizeof(w));
	w.desc = m->desc;
	w.p = p;
	w.len = p == NULL ? 0 : len;
	w.ctx = ctx;
	w.m = m;

	for (size_t i = 0; i < w.desc->nfields; i++) {
		const struct field_desc *fd = &w.desc->fields[i];
		struct field *f;
		size_t size;
		int rc;

		if (!is_present(&w, fd))
			continue;
		if (field_size(&w, i, &size) < 0)
			return m->status;
		if (w.len - w.off < size) {
			bool exact;
			size_t rest = known_size_after(&w, i, &exact);

			need_more(&w, add_field(&w, i, w.len - w.off), w.off + size + rest);
			m->need_exact = exact;
			return m->status;
		}
		f = add_field(&w, i, size);
		if (fd->kind == FK_LIST || fd->kind == FK_BYTES || fd->kind == FK_CSTR ||
		    fd->kind == FK_REST)
			f->num = (uint32_t)size;
		else if (fd->kind == FK_ADDR)
			(void)describer_of(&w, i, FK_ATYP, &f->num);
		else
			f->num = read_number(fd, f->bytes);
		w.val[i] = f->num;
		w.at[i] = f->bytes;
		w.seen[i] = 1;
		w.off += size;
		if ((rc = check_field(&w, f)) != 0)
			return rc;
	}
	m->status = PROTO_OK;
	m->len = w.off;
	return PROTO_OK;
}

const struct field *
msg_field(const struct msg *m, const char *name)
{
	int i = proto_field_index(m->desc, name);

	if (i < 0)
		return NULL;
	for (size_t k = 0; k < m->nfields; k++)
		if (m->fields[k].index == i)
			return &m->fields[k];
	return NULL;
}
