/*
 * The annotated hex view: one row per field (offset, bytes, name, value,
 * meaning), after a header line with the arrow, the title and the length,
 * and a plain hex dump for bytes that are no message.
 *
 * Column widths adapt to the message: the bytes column to its widest field
 * (at most 16 bytes a line), the name column to its longest name, the value
 * column to its longest short value, so one message reads as one table.
 * The text of each cell comes from fieldtext.c and msgtext.c.
 */
#include <stdio.h>
#include <string.h>

#include "fieldtext.h"
#include "hexview.h"
#include "msgtext.h"
#include "term.h"
#include "fieldtext_int.h"

#define BYTES_PER_LINE 16
#define INDENT "   "
/* Values longer than this do not widen the value column: a 255-byte name
 * would push every meaning off the screen.  They overflow instead. */
#define VALUE_COLUMN_MAX 24
#define MEANING_MAX 256

static const struct view_opts no_opts;

static bool
field_is_odd(const struct field *f)
{
	return (f->flags & (FF_ANOMALY | FF_UNASSIGNED | FF_BAD | FF_TRUNCATED)) != 0;
}

struct columns {
	size_t bytes; /* characters of the widest bytes cell */
	size_t name;
	size_t value;
};


static size_t
rows_of(const struct field *f)
{
	size_t chunks = (f->len + BYTES_PER_LINE - 1) / BYTES_PER_LINE;
	size_t items = f->desc->kind == FK_LIST ? f->len : 0;
	size_t rows = chunks > items ? chunks : items;
	return rows > 0 ? rows : 1;
}

static void
row_value(const struct msg *m, const struct field *f, const struct view_opts *o,
	  size_t row, char *value, size_t vcap, char *meaning, size_t mcap)
{
	struct sbuf v, mn;

	sb_init(&v, value, vcap);
	sb_init(&mn, meaning, mcap);
	if (f->desc->kind == FK_LIST) {
		if (row < f->len) {
			sb_number(&v, f, f->bytes[row], 1);
			sb_meaning(&mn, m, f, o, true, f->bytes[row], row == 0);
		} else if (row == 0) {
			sb_meaning(&mn, m, f, o, false, 0, true);
		}
		return;
	}
	if (row > 0)
		return;
	sb_value(&v, m, f, o);
	bool has_code = field_kind_numeric(f->desc->kind) && field_complete(f);
	sb_meaning(&mn, m, f, o, has_code, f->num, true);
}

static struct columns
measure(const struct msg *m, const struct view_opts *o)
{
	struct columns c = {.bytes = 2, .name = 0, .value = 0};
	char value[VALUE_MAX], meaning[MEANING_MAX];

	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		size_t n = f->len < BYTES_PER_LINE ? f->len : BYTES_PER_LINE;
		if (n > 0 && n * 3 - 1 > c.bytes)
			c.bytes = n * 3 - 1;
		size_t nl = strlen(f->desc->name);
		if (nl > c.name)
			c.name = nl;
		size_t rows = rows_of(f);
		for (size_t r = 0; r < rows; r++) {
			row_value(m, f, o, r, value, sizeof(value), meaning,
				  sizeof(meaning));
			size_t vl = strlen(value);
			if (vl <= VALUE_COLUMN_MAX && vl > c.value)
				c.value = vl;
		}
	}
	return c;
}

static void
pad(FILE *fp, size_t have, size_t want)
{
	for (; have < want; have++)
		fputc(' ', fp);
}

struct row {
	bool has_offset;
	size_t offset;
	const uint8_t *bytes;
	size_t nbytes;
	bool masked;
	const char *name;
	const char *value;
	const char *meaning;
	bool odd; /* meaning in the warning colour */
};

static void
print_row(FILE *fp, const struct columns *c, const struct view_opts *o,
	  const struct row *r)
{
	fputs(INDENT, fp);
	if (r->has_offset)
		fprintf(fp, "%04zx", r->offset);
	else
		fputs("    ", fp);
	fputs("  ", fp);
	for (size_t k = 0; k < r->nbytes; k++) {
		if (k > 0)
			fputc(' ', fp);
		if (r->masked)
			fputs("**", fp);
		else
			fprintf(fp, "%02x", r->bytes[k]);
	}
	bool more = r->name[0] != '\0' || r->value[0] != '\0' || r->meaning[0] != '\0';
	if (!more) {
		fputc('\n', fp);
		return;
	}
	pad(fp, r->nbytes > 0 ? r->nbytes * 3 - 1 : 0, c->bytes);
	fputs("  ", fp);
	if (r->name[0] != '\0')
		fprintf(fp, "%s%s%s", term_on(o->color, TS_FIELD), r->name,
			term_off(o->color));
	if (r->value[0] == '\0' && r->meaning[0] == '\0') {
		fputc('\n', fp);
		return;
	}
	pad(fp, strlen(r->name), c->name);
	fputs("  ", fp);
	fputs(r->value, fp);
	if (r->meaning[0] != '\0') {
		pad(fp, strlen(r->value), c->value);
		fputs("  ", fp);
		if (r->odd)
			fprintf(fp, "%s%s%s", term_on(o->color, TS_WARN), r->meaning,
				term_off(o->color));
		else
			fputs(r->meaning, fp);
	}
	fputc('\n', fp);
}

static void
print_field(FILE *fp, const struct msg *m, const struct field *f,
	    const struct view_opts *o, const struct columns *c)
{
	char value[VALUE_MAX], meaning[MEANING_MAX];
	size_t rows = rows_of(f);
	size_t chunks = (f->len + BYTES_PER_LINE - 1) / BYTES_PER_LINE;

	for (size_t r = 0; r < rows; r++) {
		struct row row = {
			.has_offset = r == 0 || r < chunks,
			.offset = f->off + r * BYTES_PER_LINE,
			.masked = field_masked(f, o),
			.name = r == 0 ? f->desc->name : "",
			.value = value,
			.meaning = meaning,
			.odd = field_is_odd(f),
		};
		if (r < chunks) {
			size_t left = f->len - r * BYTES_PER_LINE;
			row.bytes = f->bytes + r * BYTES_PER_LINE;
			row.nbytes = left < BYTES_PER_LINE ? left : BYTES_PER_LINE;
		}
		row_value(m, f, o, r, value, sizeof(value), meaning, sizeof(meaning));
		print_row(fp, c, o, &row);
	}
}

static void
print_header(FILE *fp, const struct msg *m, const struct view_opts *o)
{
	char title[128];
	bool received = msg_received(m, o);
	size_t extent = msg_extent(m);

	msg_title_as(m, o, title, sizeof(title));
	fprintf(fp, "%s%s%s ", term_on(o->color, received ? TS_RECEIVED : TS_SENT),
		msg_arrow(m, o), term_off(o->color));
	if (o->label != NULL)
		fprintf(fp, "%s: ", o->label);
	fprintf(fp, "%s, %zu byte%s", title, extent, extent == 1 ? "" : "s");
	if (m->status == PROTO_NEED_MORE)
		fprintf(fp, ", %struncated%s", term_on(o->color, TS_ERROR),
			term_off(o->color));
	else if (m->status < 0)
		fprintf(fp, ", %smalformed%s", term_on(o->color, TS_ERROR),
			term_off(o->color));
	if (m->anomalies > 0)
		fprintf(fp, ", %s%u %s%s", term_on(o->color, TS_WARN), m->anomalies,
			m->anomalies == 1 ? "anomaly" : "anomalies", term_off(o->color));
	fputc('\n', fp);
}

void
hexview_print(FILE *fp, const struct msg *m, const struct view_opts *o)
{
	if (o == NULL)
		o = &no_opts;
	print_header(fp, m, o);
	struct columns c = measure(m, o);
	for (size_t i = 0; i < m->nfields; i++)
		print_field(fp, m, &m->fields[i], o, &c);
	if (m->status != PROTO_OK) {
		char problem[256];
		msg_problem(m, problem, sizeof(problem));
		fprintf(fp, INDENT "%s!! %s%s\n", term_on(o->color, TS_ERROR), problem,
			term_off(o->color));
	}
}

void
hexdump_print(FILE *fp, const uint8_t *p, size_t len, size_t base,
	      const struct view_opts *o)
{
	if (o == NULL)
		o = &no_opts;
	for (size_t i = 0; i < len; i += BYTES_PER_LINE) {
		size_t n = len - i < BYTES_PER_LINE ? len - i : BYTES_PER_LINE;
		fprintf(fp, INDENT "%s%04zx%s  ", term_on(o->color, TS_DIM), base + i,
			term_off(o->color));
		for (size_t k = 0; k < BYTES_PER_LINE; k++) {
			if (k > 0)
				fputc(' ', fp);
			if (k < n)
				fprintf(fp, "%02x", p[i + k]);
			else
				fputs("  ", fp);
		}
		fputs("  ", fp);
		for (size_t k = 0; k < n; k++) {
			uint8_t ch = p[i + k];
			fputc(ch >= 0x20 && ch < 0x7f ? ch : '.', fp);
		}
		fputc('\n', fp);
	}
}
