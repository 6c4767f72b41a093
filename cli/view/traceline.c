/*
 * The one-line trace that -v prints for each message:
 *
 *   <- SOCKS5 reply: REP 0x00 succeeded, BND 127.0.0.1:40000
 *
 * Only what says something: versions, reserved bytes, lengths and ATYP are
 * left out while they are as they should be, an address and its port are
 * one item, and a problem ends the line.  Values come from fieldtext.c,
 * the title and the problem from msgtext.c.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "fieldtext.h"
#include "msgtext.h"
#include "term.h"
#include "traceline.h"
#include "fieldtext_int.h"

static const struct view_opts no_opts;

/* "DST" from "DST.ADDR", "DST.PORT", "DSTIP", "DSTPORT"; 0 when the name
 * has none of those endings. */
static size_t
stem_len(const char *name)
{
	static const char *const endings[] = {".ADDR", ".PORT", "ADDR", "PORT", "IP"};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
		size_t e = strlen(endings[i]);
		if (n > e && strcmp(name + n - e, endings[i]) == 0)
			return n - e;
	}
	return 0;
}

static bool
is_address(const struct field *f)
{
	return f->desc->kind == FK_IPV4 || f->desc->kind == FK_ADDR;
}

/* The port that goes with the address at fields[i] (DST.ADDR and DST.PORT),
 * its neighbour in either direction, or NULL. */
static const struct field *
port_of(const struct msg *m, size_t i)
{
	const struct field *addr = &m->fields[i];
	size_t stem = stem_len(addr->desc->name);

	if (stem == 0 || !field_complete(addr))
		return NULL;
	for (int step = -1; step <= 1; step += 2) {
		if ((step < 0 && i == 0) || (step > 0 && i + 1 >= m->nfields))
			continue;
		const struct field *p = &m->fields[(size_t)((long)i + step)];
		if (p->desc->kind != FK_U16 || !field_complete(p) ||
		    stem_len(p->desc->name) != stem ||
		    strncmp(p->desc->name, addr->desc->name, stem) != 0)
			continue;
		return p;
	}
	return NULL;
}

/* What the compact line leaves out: versions and reserved bytes that are
 * as they should be, and lengths and types implied by the values shown. */
static bool
trace_skips(const struct field *f)
{
	const struct field_desc *d = f->desc;

	if (f->flags & (FF_ANOMALY | FF_UNASSIGNED | FF_BAD | FF_OVERRIDE | FF_TRUNCATED))
		return false;
	switch (d->kind) {
	case FK_COUNT:
	case FK_LEN8:
	case FK_LEN16:
	case FK_NUL:
	case FK_ATYP:
		return true;
	default:
		break;
	}
	if (d->flags & FD_RESERVED)
		return true;
	return d->expect >= 0 && field_complete(f) && f->num == (uint32_t)d->expect;
}

/* " (the source: the host that sent DATA)": what f means where it is, unless
 * the title said it already (a BIND reply in its role). */
static void
trace_context(FILE *fp, const struct msg *m, const struct field *f,
	      const struct view_opts *o)
{
	const char *context = field_context_meaning(m, f, o);

	if (context != NULL && !msg_role_titled(m, o))
		fprintf(fp, " (%s)", context);
}

static void
trace_address(FILE *fp, const struct msg *m, const struct field *addr,
	      const struct field *port, const struct view_opts *o)
{
	char text[INET6_ADDRSTRLEN];
	enum addr_form form = field_addr_form(m, addr);
	size_t stem = stem_len(addr->desc->name);

	if (stem > 0 && addr->desc->name[stem - 1] == '.')
		stem--;
	fprintf(fp, "%.*s ", (int)stem, addr->desc->name);
	if (!numeric_address(form, addr, text, sizeof(text)))
		term_put_escaped(fp, addr->bytes, addr->len);
	else if (form == ADDR_IPV6)
		fprintf(fp, "[%s]", text);
	else
		fputs(text, fp);
	fprintf(fp, ":%" PRIu32, port->num);
	trace_context(fp, m, addr, o);
}

static void
trace_field(FILE *fp, const struct msg *m, const struct field *f,
	    const struct view_opts *o)
{
	char value[VALUE_MAX];

	fprintf(fp, "%s ", f->desc->name);
	if (f->desc->kind == FK_LIST) {
		fputc('[', fp);
		for (size_t i = 0; i < f->len; i++) {
			const char *name = field_code_meaning(f, f->bytes[i]);
			fprintf(fp, "%s0x%02x", i > 0 ? ", " : "", f->bytes[i]);
			if (name != NULL)
				fprintf(fp, " %s", name);
		}
		fputc(']', fp);
		return;
	}
	field_value_text(m, f, o, value, sizeof(value));
	fputs(value[0] != '\0' ? value : "?", fp);
	trace_context(fp, m, f, o);
	if (!field_kind_numeric(f->desc->kind) || !field_complete(f))
		return;
	const char *name = field_code_meaning(f, f->num);
	if (name != NULL)
		fprintf(fp, " %s", name);
	if (f->note != NULL && (name == NULL || strcmp(f->note, name) != 0))
		fprintf(fp, " (%s)", f->note);
}

void
trace_line(FILE *fp, const struct msg *m, const struct view_opts *o)
{
	char title[128];
	bool consumed[PROTO_MAX_FIELDS] = {false};
	const struct field *ports[PROTO_MAX_FIELDS] = {NULL};
	bool received = msg_received(m, o);
	size_t n = m->nfields < PROTO_MAX_FIELDS ? m->nfields : PROTO_MAX_FIELDS;

	if (o == NULL)
		o = &no_opts;
	for (size_t i = 0; i < n; i++) {
		if (!is_address(&m->fields[i]))
			continue;
		ports[i] = port_of(m, i);
		if (ports[i] != NULL)
			consumed[ports[i] - m->fields] = true;
	}
	msg_title_as(m, o, title, sizeof(title));
	fprintf(fp, "%s%s%s ", term_on(o->color, received ? TS_RECEIVED : TS_SENT),
		msg_arrow(m, o), term_off(o->color));
	if (o->label != NULL)
		fprintf(fp, "%s: ", o->label);
	fprintf(fp, "%s:", title);
	const char *sep = " ";
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &m->fields[i];
		if (consumed[i] || trace_skips(f))
			continue;
		/* A field cut before its value shows up in the problem text. */
		if ((f->flags & FF_TRUNCATED) && field_value_text(m, f, o, NULL, 0) == 0)
			continue;
		fputs(sep, fp);
		sep = ", ";
		if (ports[i] != NULL)
			trace_address(fp, m, f, ports[i], o);
		else
			trace_field(fp, m, f, o);
	}
	if (m->status != PROTO_OK) {
		char problem[256];
		msg_problem(m, problem, sizeof(problem));
		fprintf(fp, "%s%s%s%s", sep[0] == ',' ? "; " : " ",
			term_on(o->color, TS_ERROR), problem, term_off(o->color));
	}
	fputc('\n', fp);
}
