/* VALUEs for `set FIELD VALUE`, read by the field's kind (see repl_values.h). */
#include "repl_values.h"
#include "why.h"
#include "hexparse.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "term.h"


const char *
value_shown(const char *s, char *buf, size_t cap)
{
	size_t n = term_escape(buf, cap, s, strlen(s));

	/* Cut short: escaped again with room for "...", so that the cut never
	   falls inside an escape. */
	if (n >= cap && cap > 4) {
		term_escape(buf, cap - 3, s, strlen(s));
		strcat(buf, "...");
	}
	return buf;
}

void
value_keys(const struct name_table *names, char *buf, size_t cap)
{
	size_t off = 0;

	if (cap == 0)
		return;
	buf[0] = '\0';
	if (names == NULL)
		return;
	for (size_t i = 0; i < names->n; i++) {
		const char *k = names->entries[i].key;
		int n;

		if (k == NULL)
			continue;
		n = snprintf(buf + off, cap - off, "%s%s", off > 0 ? ", " : "", k);
		if (n < 0 || (size_t)n >= cap - off)
			break;
		off += (size_t)n;
	}
}

int
value_parse_number(const char *s, const struct name_table *names, uint32_t max, uint32_t *out,
		   char *why, size_t whylen)
{
	char esc[80], keys[200];
	uint64_t v = 0;
	size_t i = 0;
	long code;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (s[2] == '\0')
			goto bad;
		for (i = 2; s[i] != '\0'; i++) {
			int d = hex_digit_value((unsigned char)s[i]);

			if (d < 0 || i >= 2 + 8)
				goto bad;
			v = v * 16 + (uint64_t)d;
		}
	} else if (s[0] >= '0' && s[0] <= '9') {
		for (i = 0; s[i] != '\0'; i++) {
			if (s[i] < '0' || s[i] > '9' || i > 10)
				goto bad;
			v = v * 10 + (uint64_t)(s[i] - '0');
		}
	} else {
		code = names_lookup_key(names, s);
		if (code < 0)
			goto bad;
		v = (uint64_t)code;
	}
	if (v > max)
		return refuse(why, whylen, "%s is out of range: at most %u (0x%x)",
			      value_shown(s, esc, sizeof(esc)), max, max);
	*out = (uint32_t)v;
	return 0;
bad:
	value_keys(names, keys, sizeof(keys));
	return refuse(why, whylen, "bad value '%s': give a number (decimal or 0x hex, at most %u)%s%s",
		      value_shown(s, esc, sizeof(esc)), max, keys[0] != '\0' ? " or one of " : "",
		      keys);
}

int
value_parse_text(const char *s, uint8_t *out, size_t cap, size_t *len, char *why, size_t whylen)
{
	size_t n = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		int c = (unsigned char)s[i];

		if (c == '\\') {
			int hi, lo;

			switch (s[++i]) {
			case 'x':
				hi = hex_digit_value((unsigned char)s[i + 1]);
				lo = hi < 0 ? -1 : hex_digit_value((unsigned char)s[i + 2]);
				if (hi < 0 || lo < 0)
					return refuse(why, whylen,
						      "bad escape at character %zu: \\x takes two hex digits",
						      i);
				c = hi * 16 + lo;
				i += 2;
				break;
			case '\\':
				c = '\\';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case '0':
				c = 0;
				break;
			case 'e':
				c = 0x1b;
				break;
			case '"':
			case '\'':
			case ' ':
			case ';':
			case '#':
				c = s[i];
				break;
			case '\0':
				return refuse(why, whylen, "a lone \\ at the end: write \\\\ for a backslash");
			default:
				return refuse(why, whylen,
					      "bad escape \\%c at character %zu: use \\xNN, \\\\, \\n, \\r, \\t, \\0 or \\e",
					      (unsigned char)s[i] > ' ' && (unsigned char)s[i] < 0x7f ? s[i] : '?',
					      i);
			}
		}
		if (n == cap)
			return refuse(why, whylen, "too long: at most %zu bytes", cap);
		out[n++] = (uint8_t)c;
	}
	*len = n;
	return 0;
}

int
value_parse_list(const char *s, const struct name_table *names, uint8_t *out, size_t cap,
		 size_t *len, char *why, size_t whylen)
{
	char item[64];
	size_t n = 0;

	while (*s != '\0') {
		size_t k = 0;
		uint32_t code;

		while (*s == ',' || *s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		while (*s != '\0' && *s != ',' && *s != ' ' && *s != '\t') {
			if (k + 1 < sizeof(item))
				item[k++] = *s;
			s++;
		}
		item[k] = '\0';
		if (value_parse_number(item, names, 0xff, &code, why, whylen) < 0)
			return -1;
		if (n == cap)
			return refuse(why, whylen, "too many items: at most %zu", cap);
		out[n++] = (uint8_t)code;
	}
	*len = n;
	return 0;
}

uint32_t
value_max(const struct field_desc *fd)
{
	if (!field_kind_numeric(fd->kind))
		return 0;
	return field_kind_size(fd->kind) == 1 ? 0xffu : 0xffffu;
}

static int
looks_dotted(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((*s < '0' || *s > '9') && *s != '.')
			return 0;
	return 1;
}

static int
parse_ipv4(const char *s, struct field_value *v, char *why, size_t whylen)
{
	char esc[80];

	if (inet_pton(AF_INET, s, v->bytes) != 1)
		return refuse(why, whylen, "bad IPv4 address '%s': give four numbers 0-255, a.b.c.d",
			      value_shown(s, esc, sizeof(esc)));
	v->kind = VAL_IPV4;
	v->len = 4;
	return 0;
}

static int
parse_ipv6(const char *s, struct field_value *v, char *why, size_t whylen)
{
	char buf[INET6_ADDRSTRLEN + 2], esc[80];
	size_t len = strlen(s);

	if (s[0] == '[') {
		if (len < 2 || s[len - 1] != ']' || len - 2 >= sizeof(buf))
			goto bad;
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
	} else {
		if (len >= sizeof(buf))
			goto bad;
		memcpy(buf, s, len + 1);
	}
	if (inet_pton(AF_INET6, buf, v->bytes) != 1)
		goto bad;
	v->kind = VAL_IPV6;
	v->len = 16;
	return 0;
bad:
	return refuse(why, whylen, "bad IPv6 address '%s'", value_shown(s, esc, sizeof(esc)));
}

int
value_parse(const struct field_desc *fd, const char *s, struct field_value *v, char *why,
	    size_t whylen)
{
	memset(v, 0, offsetof(struct field_value, bytes));
	switch (fd->kind) {
	case FK_U8:
	case FK_U16:
	case FK_COUNT:
	case FK_LEN8:
	case FK_LEN16:
	case FK_ATYP:
	case FK_NUL:
		v->kind = VAL_NUM;
		return value_parse_number(s, fd->names, value_max(fd), &v->num, why, whylen);
	case FK_IPV4: {
		char esc[80];

		if (looks_dotted(s) && strchr(s, '.') != NULL)
			return parse_ipv4(s, v, why, whylen);
		/* A number: 0x00000001 is 0.0.0.1. */
		if (value_parse_number(s, NULL, 0xffffffffu, &v->num, why, whylen) < 0)
			return refuse(why, whylen, "bad IPv4 address '%s': give a.b.c.d or a number",
				      value_shown(s, esc, sizeof(esc)));
		v->kind = VAL_IPV4;
		v->len = 4;
		for (int k = 0; k < 4; k++)
			v->bytes[k] = (uint8_t)(v->num >> (24 - 8 * k));
		return 0;
	}
	case FK_ADDR:
		if (strncasecmp(s, "name:", 5) == 0) {
			s += 5;
		} else if (s[0] == '[' || strchr(s, ':') != NULL) {
			return parse_ipv6(s, v, why, whylen);
		} else if (looks_dotted(s)) {
			return parse_ipv4(s, v, why, whylen);
		}
		v->kind = VAL_NAME;
		return value_parse_text(s, v->bytes, sizeof(v->bytes), &v->len, why, whylen);
	case FK_LIST:
		v->kind = VAL_BYTES;
		return value_parse_list(s, fd->names, v->bytes, 255, &v->len, why, whylen);
	case FK_BYTES:
	case FK_CSTR:
	case FK_REST:
		v->kind = VAL_BYTES;
		return value_parse_text(s, v->bytes, sizeof(v->bytes), &v->len, why, whylen);
	}
	return refuse(why, whylen, "%s cannot be set", fd->name);
}

int
value_store(struct draft *d, const struct field_desc *fd, const struct field_value *v,
	    char *why, size_t whylen)
{
	int rc;

	switch (v->kind) {
	case VAL_NUM:
		rc = draft_set_num(d, fd->name, v->num);
		break;
	case VAL_BYTES:
		rc = draft_set_bytes(d, fd->name, v->bytes, v->len);
		break;
	case VAL_IPV4:
		rc = draft_set_ipv4(d, fd->name, v->bytes);
		break;
	case VAL_IPV6:
		rc = draft_set_ipv6(d, fd->name, v->bytes);
		break;
	case VAL_NAME:
		rc = draft_set_name(d, fd->name, (const char *)v->bytes, v->len);
		break;
	default:
		rc = PROTO_E_KIND;
		break;
	}
	if (rc == PROTO_OK)
		return 0;
	if (rc == PROTO_E_NUL)
		return refuse(why, whylen, "%s: a 0x00 would end it early (it is NUL-terminated)",
			      fd->name);
	if (rc == PROTO_E_FAMILY)
		return refuse(why, whylen, "%s holds an IPv4 address only", fd->name);
	return refuse(why, whylen, "%s: %s", fd->name, proto_strerror(rc));
}
