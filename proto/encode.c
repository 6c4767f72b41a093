/*
 * The encoder: one walker over any message descriptor, building bytes from a
 * draft.  Derived fields follow their data unless overridden; an override is
 * sent exactly as given, which is how a malformed message is made on purpose.
 * Every length is checked here, once, before any byte leaves.
 */
#include <string.h>

#include "field.h"
#include "text.h"

struct enc {
	const struct draft *d;
	uint8_t *out;
	size_t cap;
	size_t off;
	struct msg *m;
	struct proto_error *err;
};

static int
refuse(struct enc *e, int status, const struct field_desc *fd, const char *why, uint32_t n)
{
	struct text t;

	if (e->err == NULL)
		return status;
	e->err->status = status;
	e->err->field = fd != NULL ? fd->name : NULL;
	text_start(&t, e->err->why, sizeof(e->err->why));
	text_str(&t, why);
	if (n > 0) {
		text_dec(&t, n);
		text_str(&t, " bytes");
	}
	return status;
}

/* ATYP as it will be sent: the override, or what the address says. */
static uint32_t
effective_atyp(const struct draft *d)
{
	for (size_t i = 0; i < d->desc->nfields; i++) {
		const struct field_desc *fd = &d->desc->fields[i];

		if (fd->kind == FK_ATYP)
			return d->v[i].set || fd->ref < 0 ? d->v[i].num : d->v[fd->ref].num;
	}
	return 0;
}

static int
socks4a_host_set(const struct draft *d)
{
	for (size_t i = 0; i < d->desc->nfields; i++) {
		const struct field_desc *fd = &d->desc->fields[i];

		if (fd->kind == FK_CSTR && fd->presence == PRESENT_IF_SOCKS4A)
			return d->v[i].set;
	}
	return 0;
}

static int
is_present(const struct draft *d, const struct field_desc *fd)
{
	int k;

	switch (fd->presence) {
	case PRESENT_ALWAYS:
		return 1;
	case PRESENT_IF_DOMAIN:
		return effective_atyp(d) == 3;
	case PRESENT_IF_SOCKS4A:
		return socks4a_host_set(d);
	case PRESENT_IF_NOT_ABORT:
		k = proto_field_index(d->desc, "MTYP");
		return k < 0 || d->v[k].num != 0xff;
	}
	return 1;
}

static int
put(struct enc *e, const struct field_desc *fd, const uint8_t *p, size_t len)
{
	if (len > e->cap - e->off)
		return refuse(e, PROTO_E_SPACE, fd, "output buffer too small for ", (uint32_t)len);
	if (len > 0)
		memcpy(e->out + e->off, p, len);
	return PROTO_OK;
}

static void
put_number(uint8_t *p, uint32_t v, size_t width)
{
	for (size_t k = 0; k < width; k++)
		p[k] = (uint8_t)(v >> (8 * (width - 1 - k)));
}

/*
 * The value of a derived length or count: the length of the data it
 * describes, refused when the field cannot hold it.
 */
static int
derive_length(struct enc *e, const struct field_desc *fd, uint32_t *out)
{
	const struct draft *d = e->d;
	const struct field_desc *data = &d->desc->fields[fd->ref];
	size_t len = d->v[fd->ref].len;
	size_t max = fd->kind == FK_LEN16 ? 0xffff : 0xff;

	if (len > max) {
		if (data->kind == FK_ADDR)
			return refuse(e, PROTO_E_TOO_LONG, data,
				      "a domain name is at most 255 bytes; this one is ", (uint32_t)len);
		return refuse(e, PROTO_E_TOO_LONG, data,
			      max == 0xff ? "at most 255 bytes fit; this is "
					  : "at most 65535 bytes fit; this is ",
			      (uint32_t)len);
	}
	if (len == 0 && (fd->flags & FD_NONZERO))
		return refuse(e, PROTO_E_EMPTY, data, "must not be empty", 0);
	*out = (uint32_t)len;
	return PROTO_OK;
}

static int
encode_field(struct enc *e, int i, struct field *f)
{
	const struct draft *d = e->d;
	const struct field_desc *fd = &d->desc->fields[i];
	const struct draft_value *v = &d->v[i];
	static const uint8_t socks4a_ip[4] = { 0, 0, 0, 1 };
	uint8_t num[4];
	uint32_t n = v->num;
	size_t width;
	int rc;

	f->flags = 0;
	switch (fd->kind) {
	case FK_COUNT:
	case FK_LEN8:
	case FK_LEN16:
		if (v->set) {
			f->flags |= FF_OVERRIDE;
		} else {
			if ((rc = derive_length(e, fd, &n)) != PROTO_OK)
				return rc;
			f->flags |= FF_DERIVED;
		}
		break;
	case FK_ATYP:
		if (v->set) {
			f->flags |= FF_OVERRIDE;
		} else {
			n = d->v[fd->ref].num;
			f->flags |= FF_DERIVED;
		}
		break;
	case FK_NUL:
		if (v->set) {
			f->flags |= FF_OVERRIDE;
		} else {
			f->flags |= FF_DERIVED;
			n = 0;
		}
		break;
	case FK_IPV4:
		/* SOCKS4a: 0.0.0.1 tells the server a name follows
		 * (doc/PROTOCOL.md, "SOCKS4a request"). */
		if (fd->ref >= 0 && socks4a_host_set(d)) {
			if (v->set) {
				f->flags |= FF_OVERRIDE;
				break;
			}
			f->flags |= FF_DERIVED;
			f->num = 1;
			f->len = 4;
			return put(e, fd, socks4a_ip, 4);
		}
		break;
	case FK_CSTR:
		if (v->len > 0 && memchr(v->bytes, 0, v->len) != NULL)
			return refuse(e, PROTO_E_NUL, fd, "holds a 0x00, which would end it early", 0);
		break;
	default:
		break;
	}

	width = field_kind_numeric(fd->kind) ? field_kind_size(fd->kind) : 0;
	if (width > 0) {
		if (n > (width == 1 ? 0xffu : 0xffffu))
			return refuse(e, PROTO_E_RANGE, fd, "value does not fit the field", 0);
		put_number(num, n, width);
		f->num = n;
		f->len = width;
		return put(e, fd, num, width);
	}
	/* Byte-valued kinds: IPv4, lists, names, addresses, payloads. */
	f->len = v->len;
	f->num = fd->kind == FK_ADDR ? v->num : (uint32_t)v->len;
	if (fd->kind == FK_IPV4)
		f->num = (uint32_t)v->bytes[0] << 24 | (uint32_t)v->bytes[1] << 16 |
			 (uint32_t)v->bytes[2] << 8 | v->bytes[3];
	return put(e, fd, v->bytes, v->len);
}

int
proto_encode(const struct draft *d, uint8_t *out, size_t cap, size_t *outlen, struct msg *m,
	     struct proto_error *err)
{
	/* m and err are written, never read: cppcheck's whole-program check
	 * takes them for uninitialised inputs. */
	// cppcheck-suppress ctuuninitvar
	struct enc e = { d, out, cap, 0, m, err };
	struct msg scratch;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (m == NULL)
		m = &scratch;
	memset(m, 0, sizeof(*m));
	m->desc = d->desc;
	m->buf = out;
	m->err_field = -1;
	*outlen = 0;
	if (d->desc == NULL)
		return refuse(&e, PROTO_E_NOFIELD, NULL, "no such message", 0);

	for (size_t i = 0; i < d->desc->nfields; i++) {
		const struct field_desc *fd = &d->desc->fields[i];
		struct field *f;
		int rc;

		if (!is_present(d, fd))
			continue;
		f = &m->fields[m->nfields];
		memset(f, 0, sizeof(*f));
		f->desc = fd;
		f->index = (int)i;
		f->off = e.off;
		f->bytes = out + e.off;
		if ((rc = encode_field(&e, (int)i, f)) != PROTO_OK) {
			m->status = rc;
			return rc;
		}
		m->nfields++;
		e.off += f->len;
	}
	m->len = e.off;
	m->status = PROTO_OK;
	*outlen = e.off;
	return PROTO_OK;
}

const char *
proto_strerror(int status)
{
	switch (status) {
	case PROTO_OK:
		return "complete";
	case PROTO_NEED_MORE:
		return "incomplete: more bytes needed";
	case PROTO_E_VERSION:
		return "wrong version";
	case PROTO_E_ATYP:
		return "unknown address type";
	case PROTO_E_LENGTH:
		return "length or count of 0";
	case PROTO_E_TOO_LONG:
		return "too long for its length field";
	case PROTO_E_EMPTY:
		return "empty";
	case PROTO_E_NUL:
		return "holds a 0x00";
	case PROTO_E_RANGE:
		return "value out of range";
	case PROTO_E_FAMILY:
		return "address family not carried by this message";
	case PROTO_E_SPACE:
		return "output buffer too small";
	case PROTO_E_UNTERMINATED:
		return "no terminating 0x00";
	case PROTO_E_NOFIELD:
		return "no such field";
	case PROTO_E_KIND:
		return "wrong kind of value for the field";
	}
	return "unknown error";
}
