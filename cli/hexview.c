/*
 * The annotated hex view, the -v trace line, and the pieces they share.
 *
 * Column widths adapt to the message: the bytes column to its widest field
 * (at most 16 bytes a line), the name column to its longest name, the value
 * column to its longest short value, so one message reads as one table.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "hexview.h"
#include "term.h"

#define BYTES_PER_LINE 16
#define INDENT "   "
/* Values longer than this do not widen the value column: a 255-byte name
 * would push every meaning off the screen.  They overflow instead. */
#define VALUE_COLUMN_MAX 24
/* At most this many bytes of a text field are shown (more than any field
 * proto/ bounds, so in practice only FK_REST payloads are cut). */
#define TEXT_SHOW_MAX 1024
/* A blob (a GSSAPI token, a datagram) gets a preview; its bytes are all in
 * the bytes column anyway. */
#define BLOB_PREVIEW 32
/* Room for the longest value: every shown byte escaped as \xNN, quotes, "...". */
#define VALUE_MAX (TEXT_SHOW_MAX * 4 + 16)
#define MEANING_MAX 256
#define SECRET_MASK "********"

static const struct view_opts no_opts;

/* A bounded string builder that, like snprintf, counts what did not fit. */
struct sbuf {
	char *p;
	size_t cap;
	size_t len; /* length the whole text needs */
};

static void
sb_init(struct sbuf *sb, char *p, size_t cap)
{
	sb->p = p;
	sb->cap = cap;
	sb->len = 0;
	if (cap > 0)
		p[0] = '\0';
}

static void
sb_add(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->len < sb->cap) {
		size_t room = sb->cap - sb->len - 1;
		size_t k = n < room ? n : room;
		memcpy(sb->p + sb->len, s, k);
		sb->p[sb->len + k] = '\0';
	}
	sb->len += n;
}

static void
sb_puts(struct sbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void
sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(sb, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void
sb_escaped(struct sbuf *sb, const uint8_t *p, size_t n)
{
	if (sb->len < sb->cap)
		sb->len += term_escape(sb->p + sb->len, sb->cap - sb->len, p, n);
	else
		sb->len += term_escaped_len(p, n);
}

/* "text", escaped; at most max_in bytes of it, and ... after the quote when
 * the text was cut here or is known to go on (a truncated field). */
static void
sb_quoted(struct sbuf *sb, const uint8_t *p, size_t n, size_t max_in, bool goes_on)
{
	if (n > max_in) {
		n = max_in;
		goes_on = true;
	}
	sb_add(sb, "\"", 1);
	sb_escaped(sb, p, n);
	sb_add(sb, "\"", 1);
	if (goes_on)
		sb_add(sb, "...", 3);
}

static size_t
kind_size(enum field_kind kind)
{
	switch (kind) {
	case FK_U8:
	case FK_COUNT:
	case FK_LEN8:
	case FK_NUL:
	case FK_ATYP:
		return 1;
	case FK_U16:
	case FK_LEN16:
		return 2;
	case FK_IPV4:
		return 4;
	default:
		return 0;
	}
}

static bool
kind_is_number(enum field_kind kind)
{
	return kind_size(kind) > 0 && kind != FK_IPV4;
}

bool
field_complete(const struct field *f)
{
	size_t size = kind_size(f->desc->kind);

	if (size > 0)
		return f->len >= size;
	return !(f->flags & FF_TRUNCATED);
}

bool
field_masked(const struct field *f, const struct view_opts *o)
{
	if (o == NULL)
		o = &no_opts;
	return (f->desc->flags & FD_SECRET) && !o->show_secrets;
}

const char *
field_code_meaning(const struct field *f, uint32_t code)
{
	if (f->desc->names == NULL)
		return NULL;
	const struct name_entry *e = names_find(f->desc->names, code);
	return e != NULL ? e->name : NULL;
}

static const struct field *
find_kind(const struct msg *m, enum field_kind kind)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].desc->kind == kind)
			return &m->fields[i];
	return NULL;
}

static const struct field *
find_by_table(const struct msg *m, const struct name_table *t)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].desc->names == t)
			return &m->fields[i];
	return NULL;
}

/* The ATYP field that chooses addr's form, if the message has one. */
static const struct field *
atyp_of(const struct msg *m, const struct field *addr)
{
	const struct field *any = NULL;

	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		if (f->desc->kind != FK_ATYP || !field_complete(f))
			continue;
		if (f->desc->ref == addr->index)
			return f;
		if (any == NULL)
			any = f;
	}
	return any;
}

enum addr_form
field_addr_form(const struct msg *m, const struct field *f)
{
	if (f->desc->kind == FK_IPV4)
		return ADDR_IPV4;
	if (f->desc->kind != FK_ADDR)
		return ADDR_UNKNOWN;

	const struct field *atyp = atyp_of(m, f);
	uint32_t type = atyp != NULL ? atyp->num : f->num;
	switch (type) {
	case 1:
		return ADDR_IPV4;
	case 3:
		return ADDR_NAME;
	case 4:
		return ADDR_IPV6;
	default:
		break;
	}
	if (atyp != NULL)
		return ADDR_UNKNOWN; /* an ATYP we cannot read: guessing would lie */
	if (f->len == 4)
		return ADDR_IPV4;
	if (f->len == 16)
		return ADDR_IPV6;
	return ADDR_NAME;
}

/* A numeric address as text; false when the bytes do not make one. */
static bool
numeric_address(enum addr_form form, const struct field *f, char *buf, size_t cap)
{
	if (form == ADDR_IPV4 && f->len == 4)
		return inet_ntop(AF_INET, f->bytes, buf, (socklen_t)cap) != NULL;
	if (form == ADDR_IPV6 && f->len == 16)
		return inet_ntop(AF_INET6, f->bytes, buf, (socklen_t)cap) != NULL;
	return false;
}

static void
sb_number(struct sbuf *sb, const struct field *f, uint32_t code, size_t width)
{
	if (f->desc->format == FMT_HEX)
		sb_printf(sb, width >= 2 ? "0x%04" PRIx32 : "0x%02" PRIx32, code);
	else
		sb_printf(sb, "%" PRIu32, code);
}

/* Whether a NUL terminator is worth a value: only when it is not a plain 0x00. */
static bool
nul_is_plain(const struct field *f)
{
	return f->len == 1 && f->num == 0 &&
	       !(f->flags & (FF_OVERRIDE | FF_ANOMALY | FF_BAD));
}

static void
sb_value(struct sbuf *sb, const struct msg *m, const struct field *f,
	 const struct view_opts *o)
{
	const struct field_desc *d = f->desc;
	char addr[INET6_ADDRSTRLEN];

	if (field_masked(f, o)) {
		sb_puts(sb, SECRET_MASK);
		return;
	}
	if (d->kind == FK_NUL && nul_is_plain(f))
		return;
	if (kind_is_number(d->kind)) {
		if (field_complete(f))
			sb_number(sb, f, f->num, kind_size(d->kind));
		return;
	}
	if (d->kind == FK_LIST) {
		for (size_t i = 0; i < f->len; i++) {
			if (i > 0)
				sb_puts(sb, ", ");
			sb_number(sb, f, f->bytes[i], 1);
		}
		return;
	}
	bool goes_on = (f->flags & FF_TRUNCATED) != 0;
	if (d->kind == FK_IPV4 || d->kind == FK_ADDR) {
		enum addr_form form = field_addr_form(m, f);
		if (numeric_address(form, f, addr, sizeof(addr)))
			sb_puts(sb, addr);
		else if (form == ADDR_NAME)
			sb_quoted(sb, f->bytes, f->len, TEXT_SHOW_MAX, goes_on);
		return;
	}
	/* FK_BYTES, FK_CSTR, FK_REST */
	size_t max_in = d->format == FMT_BLOB ? BLOB_PREVIEW : TEXT_SHOW_MAX;
	sb_quoted(sb, f->bytes, f->len, max_in, goes_on);
}

size_t
field_value_text(const struct msg *m, const struct field *f,
		 const struct view_opts *o, char *buf, size_t cap)
{
	struct sbuf sb;

	sb_init(&sb, buf, cap);
	sb_value(&sb, m, f, o);
	return sb.len;
}

/* The name of the field a derived field (a length, a terminator) belongs to. */
static const char *
ref_name(const struct msg *m, const struct field *f)
{
	int ref = f->desc->ref;

	if (m->desc != NULL && ref >= 0 && (size_t)ref < m->desc->nfields)
		return m->desc->fields[ref].name;
	return "string";
}

/*
 * The meaning column: what the code means, then what is odd about the field,
 * then whether the encoder derived it or the user overrode it.  For an
 * FK_LIST, row > 0 gives only the item's meaning.
 */
static void
sb_meaning(struct sbuf *sb, const struct msg *m, const struct field *f,
	   bool has_code, uint32_t code, bool first_row)
{
	const char *meaning = NULL;
	bool is_list = f->desc->kind == FK_LIST;

	if (f->desc->kind == FK_NUL) {
		sb_printf(sb, "end of %s", ref_name(m, f));
	} else if (has_code && f->desc->names != NULL) {
		meaning = field_code_meaning(f, code);
		/* No entry for a version byte is a wrong version, which the
		 * note explains; for other codes it is an unassigned one. */
		if (meaning == NULL && (is_list || (f->flags & FF_UNASSIGNED)))
			meaning = "unassigned";
		if (meaning != NULL)
			sb_puts(sb, meaning);
	}
	if (!first_row)
		return;
	/* "unassigned code" adds nothing to a meaning that says so already. */
	bool only_unassigned = (f->flags & (FF_ANOMALY | FF_BAD)) == 0 &&
			       (f->flags & FF_UNASSIGNED) && (meaning != NULL || is_list);
	if (f->note != NULL && f->note[0] != '\0' && !only_unassigned &&
	    (meaning == NULL || strcmp(f->note, meaning) != 0)) {
		if (sb->len > 0)
			sb_puts(sb, "; ");
		sb_puts(sb, f->note);
	}
	if ((f->flags & FF_TRUNCATED) && f->desc->kind != FK_NUL) {
		if (sb->len > 0)
			sb_puts(sb, "; ");
		sb_puts(sb, "truncated");
	}
	const char *how = (f->flags & FF_OVERRIDE) ? "(override)"
			  : (f->flags & FF_DERIVED) ? "(derived)"
						    : NULL;
	if (how != NULL) {
		if (sb->len > 0)
			sb_puts(sb, " ");
		sb_puts(sb, how);
	}
}

static bool
field_is_odd(const struct field *f)
{
	return (f->flags & (FF_ANOMALY | FF_UNASSIGNED | FF_BAD | FF_TRUNCATED)) != 0;
}

static bool
is_received(const struct msg *m, const struct view_opts *o)
{
	if (o != NULL && o->dir != VIEW_DIR_AUTO)
		return o->dir == VIEW_DIR_RECEIVED;
	return m->desc != NULL && m->desc->dir == DIR_SERVER;
}

const char *
msg_arrow(const struct msg *m, const struct view_opts *o)
{
	return is_received(m, o) ? "<-" : "->";
}

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

/* SOCKS4a when the request carries a host name, or says it will (0.0.0.x). */
static bool
is_socks4a(const struct msg *m)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].desc->presence == PRESENT_IF_SOCKS4A)
			return true;
	const struct field *ip = find_kind(m, FK_IPV4);
	return ip != NULL && ip->len == 4 && ip->bytes[0] == 0 && ip->bytes[1] == 0 &&
	       ip->bytes[2] == 0 && ip->bytes[3] != 0;
}

/* The command's name for a title, or NULL when the code has none.  Its
 * length, so that "RESOLVE (Tor)" titles as "RESOLVE". */
static const char *
command_name(const struct msg *m, const struct name_table *t, int *len)
{
	const struct field *cmd = find_by_table(m, t);

	if (cmd == NULL || !field_complete(cmd))
		return NULL;
	const struct name_entry *e = names_find(t, cmd->num);
	if (e == NULL || (e->flags & NE_UNASSIGNED))
		return NULL;
	const char *aside = strstr(e->name, " (");
	*len = aside != NULL ? (int)(aside - e->name) : (int)strlen(e->name);
	return e->name;
}

size_t
msg_title(const struct msg *m, char *buf, size_t cap)
{
	struct sbuf sb;
	const char *version = NULL;
	const struct name_table *commands = NULL;

	sb_init(&sb, buf, cap);
	if (m->desc == NULL) {
		sb_puts(&sb, "unknown message");
		return sb.len;
	}
	if (m->desc->type == MSG_S4_REQUEST) {
		version = is_socks4a(m) ? "SOCKS4a" : "SOCKS4";
		commands = &names_s4_command;
	} else if (m->desc->type == MSG_S5_REQUEST) {
		version = "SOCKS5";
		commands = &names_s5_command;
	}
	if (version == NULL) {
		sb_puts(&sb, m->desc->title);
		return sb.len;
	}
	int len = 0;
	const char *command = command_name(m, commands, &len);
	if (command != NULL)
		sb_printf(&sb, "%s %.*s request", version, len, command);
	else
		sb_printf(&sb, "%s request", version);
	return sb.len;
}

enum presence { ABSENT, PRESENT, UNKNOWN };

/* Whether a field of the descriptor is on the wire, given what came before. */
static enum presence
presence_of(const struct msg *m, const struct field_desc *d)
{
	const struct field *f;

	switch (d->presence) {
	case PRESENT_ALWAYS:
		return PRESENT;
	case PRESENT_IF_DOMAIN:
		f = find_kind(m, FK_ATYP);
		if (f == NULL || !field_complete(f))
			return UNKNOWN;
		return f->num == 3 ? PRESENT : ABSENT;
	case PRESENT_IF_SOCKS4A:
		f = find_kind(m, FK_IPV4);
		if (f == NULL || !field_complete(f))
			return UNKNOWN;
		return is_socks4a(m) ? PRESENT : ABSENT;
	case PRESENT_IF_NOT_ABORT:
		f = find_by_table(m, &names_gssapi_mtyp);
		if (f == NULL || !field_complete(f))
			return UNKNOWN;
		return f->num != 0xff ? PRESENT : ABSENT;
	}
	return PRESENT;
}

/* The decoded length, count or ATYP field that describes descriptor field j. */
static const struct field *
describer_of(const struct msg *m, size_t j, enum field_kind kind)
{
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		if (f->desc->kind == kind && f->desc->ref == (int)j && field_complete(f))
			return f;
	}
	return NULL;
}

/* The size descriptor field j will have, when the fields so far say it. */
static bool
expected_size(const struct msg *m, size_t j, size_t *size)
{
	const struct field_desc *d = &m->desc->fields[j];
	const struct field *by;

	*size = kind_size(d->kind);
	if (*size > 0)
		return true;
	switch (d->kind) {
	case FK_ADDR:
		if ((by = describer_of(m, j, FK_ATYP)) == NULL)
			return false;
		if (by->num == 1 || by->num == 4) {
			*size = by->num == 1 ? 4 : 16;
			return true;
		}
		by = by->num == 3 ? describer_of(m, j, FK_LEN8) : NULL;
		break;
	case FK_LIST:
		by = describer_of(m, j, FK_COUNT);
		break;
	case FK_BYTES:
		by = describer_of(m, j, FK_LEN8);
		if (by == NULL)
			by = describer_of(m, j, FK_LEN16);
		break;
	default:
		return false; /* FK_CSTR, FK_REST: only their end tells */
	}
	if (by == NULL)
		return false;
	*size = by->num;
	return true;
}

size_t
msg_known_total(const struct msg *m, bool *open_ended)
{
	const struct field *cut = NULL;
	size_t total, size;

	*open_ended = false;
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].flags & FF_TRUNCATED)
			cut = &m->fields[i];
	if (m->status != PROTO_NEED_MORE || m->desc == NULL || cut == NULL ||
	    cut->index < 0 || (size_t)cut->index >= m->desc->nfields)
		return m->need;
	if (expected_size(m, (size_t)cut->index, &size)) {
		total = cut->off + size;
	} else {
		total = cut->off + cut->len;
		*open_ended = true;
	}
	for (size_t j = (size_t)cut->index + 1; j < m->desc->nfields; j++) {
		enum presence p = presence_of(m, &m->desc->fields[j]);
		if (p == ABSENT)
			continue;
		if (p == PRESENT && expected_size(m, j, &size))
			total += size;
		else
			*open_ended = true;
	}
	return total > m->need ? total : m->need;
}

/* A terminator is named after the string it ends: "in USERID". */
static const char *
stop_name(const struct msg *m, const struct field_desc *d)
{
	int ref = d->ref;

	if (d->kind == FK_NUL && ref >= 0 && m->desc != NULL &&
	    (size_t)ref < m->desc->nfields)
		return m->desc->fields[ref].name;
	return d->name;
}

/* The first field the decoder had not reached when the bytes ran out. */
static const struct field_desc *
next_expected(const struct msg *m)
{
	size_t start = 0;

	if (m->desc == NULL)
		return NULL;
	if (m->nfields > 0) {
		int last = m->fields[m->nfields - 1].index;
		start = last >= 0 ? (size_t)last + 1 : m->nfields;
	}
	for (size_t j = start; j < m->desc->nfields; j++)
		if (presence_of(m, &m->desc->fields[j]) != ABSENT)
			return &m->desc->fields[j];
	return NULL;
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
	return m->status == PROTO_NEED_MORE ? next_expected(m) : NULL;
}

const char *
msg_stop_field(const struct msg *m)
{
	const struct field_desc *d = stop_desc(m);

	return d != NULL ? stop_name(m, d) : NULL;
}

size_t
msg_problem(const struct msg *m, char *buf, size_t cap)
{
	struct sbuf sb;
	const char *where = msg_stop_field(m);

	sb_init(&sb, buf, cap);
	if (m->status < 0) {
		sb_printf(&sb, "malformed at offset 0x%04zx", m->err_off);
		if (where != NULL)
			sb_printf(&sb, " in %s", where);
		sb_puts(&sb, ": ");
		size_t whylen = strnlen(m->why, sizeof(m->why));
		if (whylen > 0)
			sb_escaped(&sb, (const uint8_t *)m->why, whylen);
		else
			sb_puts(&sb, proto_strerror(m->status));
	} else if (m->status == PROTO_NEED_MORE) {
		size_t have = msg_extent(m);
		bool open_ended;
		size_t total = msg_known_total(m, &open_ended);
		if (total > have)
			sb_printf(&sb, "truncated after %zu of %s%zu bytes", have,
				  open_ended ? "at least " : "", total);
		else
			sb_printf(&sb, "truncated after %zu bytes", have);
		if (where != NULL)
			sb_printf(&sb, " (in %s)", where);
	}
	return sb.len;
}

/*
 * The hex view.
 */

struct columns {
	size_t bytes; /* characters of the widest bytes cell */
	size_t name;
	size_t value;
};

static const char *
display_name(const struct field *f)
{
	/* The terminator's line reads "end of USERID"; its own name adds nothing. */
	return f->desc->kind == FK_NUL ? "" : f->desc->name;
}

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
			sb_meaning(&mn, m, f, true, f->bytes[row], row == 0);
		} else if (row == 0) {
			sb_meaning(&mn, m, f, false, 0, true);
		}
		return;
	}
	if (row > 0)
		return;
	sb_value(&v, m, f, o);
	bool has_code = kind_is_number(f->desc->kind) && field_complete(f);
	sb_meaning(&mn, m, f, has_code, f->num, true);
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
		size_t nl = strlen(display_name(f));
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
			.name = r == 0 ? display_name(f) : "",
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
	bool received = is_received(m, o);
	size_t extent = msg_extent(m);

	msg_title(m, title, sizeof(title));
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

/*
 * The trace line.
 */

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

static void
trace_address(FILE *fp, const struct msg *m, const struct field *addr,
	      const struct field *port)
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
	if (!kind_is_number(f->desc->kind) || !field_complete(f))
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
	bool received = is_received(m, o);
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
	msg_title(m, title, sizeof(title));
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
			trace_address(fp, m, f, ports[i]);
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
