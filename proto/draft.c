/*
 * Drafts: the values a person wants in a message, before encoding.
 * Setters check what they can at once, so a bad value is refused when it is
 * typed, not when it is sent.
 */
#include <string.h>

#include "field.h"

static void
value_reset(struct draft_value *v, const struct field_desc *fd)
{
	v->set = false;
	v->num = fd->dflt;
	v->len = 0;
	memset(v->bytes, 0, sizeof(v->bytes));
	if (fd->kind == FK_IPV4) {
		v->len = 4;
	} else if (fd->kind == FK_ADDR) {
		v->num = 1; /* 0.0.0.0 until told otherwise */
		v->len = 4;
	}
}

void
draft_init(struct draft *d, enum msg_type type)
{
	memset(d, 0, sizeof(*d));
	d->desc = proto_msg_desc(type);
	if (d->desc == NULL)
		return;
	for (size_t i = 0; i < d->desc->nfields; i++)
		value_reset(&d->v[i], &d->desc->fields[i]);
}

static struct draft_value *
lookup(struct draft *d, const char *field, const struct field_desc **fd)
{
	int i = proto_field_index(d->desc, field);

	if (i < 0)
		return NULL;
	*fd = &d->desc->fields[i];
	return &d->v[i];
}

int
draft_set_num(struct draft *d, const char *field, uint32_t value)
{
	const struct field_desc *fd;
	struct draft_value *v = lookup(d, field, &fd);
	size_t width;

	if (v == NULL)
		return PROTO_E_NOFIELD;
	if (!field_kind_numeric(fd->kind))
		return PROTO_E_KIND;
	width = field_kind_size(fd->kind);
	if (value > (width == 1 ? 0xffu : 0xffffu))
		return PROTO_E_RANGE;
	v->set = true;
	v->num = value;
	return PROTO_OK;
}

int
draft_set_bytes(struct draft *d, const char *field, const uint8_t *p, size_t len)
{
	const struct field_desc *fd;
	struct draft_value *v = lookup(d, field, &fd);

	if (v == NULL)
		return PROTO_E_NOFIELD;
	switch (fd->kind) {
	case FK_LIST:
	case FK_BYTES:
	case FK_CSTR:
	case FK_REST:
		break;
	case FK_ADDR:
		return draft_set_name(d, field, (const char *)p, len);
	default:
		return PROTO_E_KIND;
	}
	if (len > PROTO_MAX_BYTES)
		return PROTO_E_TOO_LONG;
	if (fd->kind == FK_CSTR && len > 0 && memchr(p, 0, len) != NULL)
		return PROTO_E_NUL;
	v->set = true;
	v->len = len;
	if (len > 0)
		memcpy(v->bytes, p, len);
	return PROTO_OK;
}

static int
set_address(struct draft *d, const char *field, uint32_t atyp, const uint8_t *p, size_t len)
{
	const struct field_desc *fd;
	struct draft_value *v = lookup(d, field, &fd);

	if (v == NULL)
		return PROTO_E_NOFIELD;
	if (fd->kind == FK_IPV4) {
		if (atyp != 1)
			return PROTO_E_FAMILY;
	} else if (fd->kind != FK_ADDR) {
		return PROTO_E_KIND;
	}
	if (len > PROTO_MAX_BYTES)
		return PROTO_E_TOO_LONG;
	v->set = true;
	if (fd->kind == FK_ADDR)
		v->num = atyp;
	v->len = len;
	memcpy(v->bytes, p, len);
	return PROTO_OK;
}

int
draft_set_ipv4(struct draft *d, const char *field, const uint8_t addr[4])
{
	return set_address(d, field, 1, addr, 4);
}

int
draft_set_ipv6(struct draft *d, const char *field, const uint8_t addr[16])
{
	return set_address(d, field, 4, addr, 16);
}

int
draft_set_name(struct draft *d, const char *field, const char *text, size_t len)
{
	const struct field_desc *fd;
	struct draft_value *v = lookup(d, field, &fd);

	if (v == NULL)
		return PROTO_E_NOFIELD;
	if (fd->kind == FK_CSTR)
		return draft_set_bytes(d, field, (const uint8_t *)text, len);
	if (fd->kind == FK_IPV4)
		return PROTO_E_FAMILY;
	return set_address(d, field, 3, (const uint8_t *)text, len);
}

int
draft_unset(struct draft *d, const char *field)
{
	const struct field_desc *fd;
	struct draft_value *v = lookup(d, field, &fd);

	if (v == NULL)
		return PROTO_E_NOFIELD;
	value_reset(v, fd);
	return PROTO_OK;
}
