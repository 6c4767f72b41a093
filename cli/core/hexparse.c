/*
 * Hex input in the forms people paste.
 *
 * Two modes.  Plain hex: digits in pairs, separated by anything of
 * " \t\r\n:,;-", optionally prefixed 0x or \x.  A dump (tshark -x, xxd,
 * hexdump -C, Wireshark's "copy as hex dump", even sockscope's own hex view):
 * every line that starts with an offset column carries bytes after it and
 * maybe an ASCII column; other lines (packet summaries, titles) are skipped.
 * The offsets say how many bytes each line holds, which is what tells the
 * bytes apart from an ASCII column that happens to look like hex.
 *
 * tshark's follow output interleaves the two sides of a connection, the
 * second side's lines indented by a tab, each side with offsets of its own:
 * there the offsets of a line are compared with those of the next line of
 * the same side.
 */
#include <stdlib.h>
#include <string.h>

#include "hexparse.h"
#include "term.h"

#define DUMP_DEFAULT_WIDTH 16
#define DUMP_MAX_WIDTH 256 /* bytes on one dump line: more is no dump */

int
hex_digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool
is_separator(char c)
{
	return is_blank(c) || c == '\n' || c == ':' || c == ',' || c == ';' || c == '-';
}

struct parser {
	const char *text;
	size_t len;
	uint8_t *out;
	size_t n;
	struct hex_segment *segs; /* at most one a line */
	size_t nsegs;
	struct hexparse_error *err;
};

/* The bytes from ps->n - count on belong to a segment: the open one when
 * they continue it, else a new one. */
static void
add_to_segment(struct parser *ps, size_t count, bool indented, bool continues, unsigned block)
{
	struct hex_segment *last = ps->nsegs > 0 ? &ps->segs[ps->nsegs - 1] : NULL;

	if (count == 0)
		return;
	if (last != NULL && continues && last->indented == indented && last->block == block) {
		last->len += count;
		return;
	}
	ps->segs[ps->nsegs++] = (struct hex_segment){ps->n - count, count, indented, block};
}

/* Fill in where text[at] is, for an error. */
static int
fail_at(struct parser *ps, size_t at, enum hexparse_fault fault)
{
	struct hexparse_error *e = ps->err;
	size_t line = 1, col = 1, nonblank_lines = 0;
	bool line_has_text = false;

	for (size_t i = 0; i < ps->len; i++) {
		if (i == at) {
			e->line = line;
			e->col = col;
		}
		if (ps->text[i] == '\n') {
			nonblank_lines += line_has_text;
			line_has_text = false;
			line++;
			col = 1;
		} else {
			line_has_text = line_has_text || !is_blank(ps->text[i]);
			col++;
		}
	}
	nonblank_lines += line_has_text;
	if (at >= ps->len) {
		e->line = line;
		e->col = col;
	}
	e->fault = fault;
	e->pos = at + 1;
	e->multiline = nonblank_lines > 1;
	e->ch = at < ps->len ? (unsigned char)ps->text[at] : 0;
	return -1;
}

/* Digits text[start..end), even in number, as bytes. */
static void
put_digits(struct parser *ps, size_t start, size_t end)
{
	for (size_t i = start; i + 1 < end; i += 2)
		ps->out[ps->n++] = (uint8_t)(hex_digit_value(ps->text[i]) << 4 |
					     hex_digit_value(ps->text[i + 1]));
}

static int
parse_plain(struct parser *ps)
{
	const char *t = ps->text;
	size_t i = 0;

	while (i < ps->len) {
		if (is_separator(t[i])) {
			i++;
			continue;
		}
		if (t[i] == '#') {
			while (i < ps->len && t[i] != '\n')
				i++;
			continue;
		}
		bool prefixed = i + 1 < ps->len && (t[i] == '0' || t[i] == '\\') &&
				(t[i + 1] == 'x' || t[i + 1] == 'X');
		if (prefixed)
			i += 2;
		size_t start = i;
		while (i < ps->len && hex_digit_value(t[i]) >= 0)
			i++;
		if (i == start)
			return fail_at(ps, i < ps->len ? i : i - 1, HEX_BAD_CHAR);
		/* "0z" is a bad 'z' more than it is an odd '0'. */
		if (i < ps->len && !is_separator(t[i]) && t[i] != '#' && t[i] != '\\')
			return fail_at(ps, i, HEX_BAD_CHAR);
		if ((i - start) % 2 == 0) {
			put_digits(ps, start, i);
		} else if (prefixed && i - start == 1) {
			ps->out[ps->n++] = (uint8_t)hex_digit_value(t[start]); /* 0x5 */
		} else {
			return fail_at(ps, start, HEX_ODD_DIGITS);
		}
	}
	return 0;
}

/*
 * Dumps.
 */

struct dump_line {
	size_t start, end; /* the line in text, without its newline */
	size_t body;       /* where the bytes begin, after the offset column */
	unsigned long offset;
	bool is_dump;  /* starts with an offset column */
	bool indented; /* blanks before the offset column */
	unsigned block; /* follow output: the connection (after its "Follow:" header) */
};

/* An offset column: optional indentation, 4 to 8 hex digits, then ':' or at
 * least two blanks (or a tab).  A single space would be "0501 0203", plain.
 * The bytes after it start with a word of hex digits (or of '*', a
 * password sockscope's own view masked, which is then said to be no hex):
 * tshark -x -P's summary line of frame 1000 (" 1000   0.019980 10.0.0.2
 * -> ...") is no offset line. */
static bool
offset_column(const char *t, size_t start, size_t end, struct dump_line *dl)
{
	size_t i = start;
	unsigned long offset = 0;

	while (i < end && is_blank(t[i]))
		i++;
	dl->indented = i > start;
	size_t digits = i;
	while (i < end && hex_digit_value(t[i]) >= 0 && i - digits < 9) {
		offset = offset << 4 | (unsigned long)hex_digit_value(t[i]);
		i++;
	}
	if (i - digits < 4 || i - digits > 8 || i >= end)
		return false;
	if (t[i] == ':') {
		i++;
	} else {
		size_t blanks = i;
		while (i < end && is_blank(t[i]))
			i++;
		if (i - blanks < 2 && t[blanks] != '\t')
			return false;
	}
	while (i < end && is_blank(t[i]))
		i++;
	dl->body = i;
	dl->offset = offset;
	for (; i < end && !is_blank(t[i]); i++)
		if (hex_digit_value(t[i]) < 0 && t[i] != '*') /* sockscope's masked bytes */
			return false;
	return true;
}

static size_t
split_lines(const char *t, size_t len, struct dump_line *lines)
{
	size_t n = 0;

	for (size_t start = 0; start <= len;) {
		const char *nl = memchr(t + start, '\n', len - start);
		size_t end = nl != NULL ? (size_t)(nl - t) : len;
		struct dump_line *dl = &lines[n++];
		memset(dl, 0, sizeof(*dl));
		dl->start = start;
		dl->end = end;
		dl->is_dump = offset_column(t, start, end, dl);
		start = end + 1;
	}
	return n;
}

static bool
line_is_blank(const char *t, const struct dump_line *dl)
{
	for (size_t i = dl->start; i < dl->end; i++)
		if (!is_blank(t[i]))
			return false;
	return true;
}

/* A dump when some line starts at offset 0 (the usual paste), or the first
 * two lines are offset lines that count upwards (a paste from the middle). */
static bool
looks_like_dump(const char *t, const struct dump_line *lines, size_t n)
{
	const struct dump_line *first = NULL;

	for (size_t i = 0; i < n; i++)
		if (lines[i].is_dump && lines[i].offset == 0)
			return true;
	for (size_t i = 0; i < n; i++) {
		if (line_is_blank(t, &lines[i]))
			continue;
		if (!lines[i].is_dump)
			return false;
		if (first != NULL)
			return lines[i].offset > first->offset;
		first = &lines[i];
	}
	return false;
}

/*
 * The bytes of one dump line, at most limit of them.  The ASCII column
 * starts after a run of three or more blanks, at a '|', or at a word that is
 * not hex after two blanks; a non-hex word after a single blank is an error.
 */
static int
parse_dump_line(struct parser *ps, const struct dump_line *dl, size_t limit,
		size_t *count)
{
	const char *t = ps->text;
	size_t i = dl->body;

	*count = 0;
	while (*count < limit && i < dl->end) {
		size_t gap_start = i;
		while (i < dl->end && is_blank(t[i]))
			i++;
		size_t gap = i - gap_start;
		if (i >= dl->end || t[i] == '|' || (*count > 0 && gap >= 3))
			break;
		size_t word = i;
		while (i < dl->end && !is_blank(t[i]) && hex_digit_value(t[i]) >= 0)
			i++;
		bool all_hex = i >= dl->end || is_blank(t[i]);
		if (!all_hex || (i - word) % 2 != 0 || i == word) {
			if (*count > 0 && gap >= 2)
				break; /* the ASCII column */
			if (!all_hex)
				return fail_at(ps, i, HEX_BAD_CHAR);
			return fail_at(ps, word, HEX_ODD_DIGITS);
		}
		for (size_t k = word; k + 1 < i && *count < limit; k += 2) {
			put_digits(ps, k, k + 2);
			(*count)++;
		}
	}
	return 0;
}

/* tshark's follow header, "Follow: tcp,hex" */
static bool
follow_header(const char *t, const struct dump_line *dl)
{
	return !dl->is_dump && dl->end - dl->start >= 8 && memcmp(t + dl->start, "Follow: ", 8) == 0;
}

/* Follow output: offset lines both with and without indentation (a dump
 * pasted whole has its lines all indented alike), or tshark's "Follow:"
 * header over those of one side (a server that never answered). */
static bool
looks_like_follow(const char *t, const struct dump_line *lines, size_t n)
{
	bool plain = false, indented = false, header = false;

	for (size_t i = 0; i < n; i++)
		if (lines[i].is_dump) {
			plain = plain || !lines[i].indented;
			indented = indented || lines[i].indented;
		} else {
			header = header || follow_header(t, &lines[i]);
		}
	return (plain && indented) || header;
}

/* The offset line after lines[i] that continues its block, or NULL.  In a
 * dump a blank line ends a packet; in follow output the next line of the
 * same side continues it, whatever lies between. */
static const struct dump_line *
next_of_block(const struct parser *ps, const struct dump_line *lines, size_t n,
	      size_t i, bool follow)
{
	for (size_t j = i + 1; j < n; j++) {
		if (follow && lines[j].block != lines[i].block)
			return NULL;
		if (lines[j].is_dump && (!follow || lines[j].indented == lines[i].indented))
			return &lines[j];
		if (!follow && line_is_blank(ps->text, &lines[j]))
			return NULL;
	}
	return NULL;
}

static int
parse_dump(struct parser *ps, const struct dump_line *lines, size_t n, bool follow)
{
	size_t width[2] = {0, 0}; /* bytes on a full line of the current block, by side */
	bool open[2] = {false, false}; /* the side's last line continues into the next */

	for (size_t i = 0; i < n; i++) {
		const struct dump_line *dl = &lines[i];
		if (!dl->is_dump)
			continue;
		size_t side = follow && dl->indented;
		const struct dump_line *next = next_of_block(ps, lines, n, i, follow);
		bool last = next == NULL || next->offset <= dl->offset ||
			    next->offset - dl->offset > DUMP_MAX_WIDTH;
		/* A block's last line says nothing about its length: it ends
		 * where the ASCII column (or, in sockscope's own view, the
		 * field name) begins. */
		size_t limit = last ? (width[side] > DUMP_DEFAULT_WIDTH ? width[side]
									: DUMP_DEFAULT_WIDTH)
				    : (size_t)(next->offset - dl->offset);
		size_t count;
		if (parse_dump_line(ps, dl, limit, &count) < 0)
			return -1;
		if (!last && count < limit) {
			ps->err->have = count;
			ps->err->want = limit;
			return fail_at(ps, dl->body, HEX_SHORT_LINE);
		}
		/* In follow output a side's turns are one stream; in a dump a
		 * block is one packet. */
		add_to_segment(ps, count, follow && dl->indented, follow || open[side],
			       follow ? dl->block : 0);
		if (!last && limit > width[side])
			width[side] = limit;
		if (last)
			width[side] = 0; /* the next line starts a new block */
		open[side] = !last;
	}
	return 0;
}

/* "Node N: ADDR:PORT" (tshark's follow header): ADDR:PORT into in->node[N]
 * when it is printable and fits; other lines are left alone. */
static void
follow_node(const char *t, const struct dump_line *dl, struct hex_input *in)
{
	static const char prefix[] = "Node ";
	size_t i = dl->start, n = sizeof(prefix) - 1;

	if (dl->end - dl->start < n + 3 || memcmp(t + i, prefix, n) != 0 ||
	    (t[i + n] != '0' && t[i + n] != '1') || t[i + n + 1] != ':')
		return;
	int node = t[i + n] - '0';
	i += n + 2;
	while (i < dl->end && is_blank(t[i]))
		i++;
	size_t end = dl->end;
	while (end > i && (is_blank(t[end - 1]) || t[end - 1] == '\r'))
		end--;
	if (end == i || end - i >= HEX_NODE_MAX)
		return;
	for (size_t k = i; k < end; k++)
		if (t[k] <= ' ' || t[k] > '~')
			return;
	memcpy(in->node[dl->block][node], t + i, end - i);
	in->node[dl->block][node][end - i] = '\0';
}

/* Each line's connection in follow output pasted from several runs: a
 * "Follow:" header starts the next.  The number of connections, or 0 (an
 * error at the header) when there are more than HEX_FOLLOW_MAX. */
static size_t
follow_blocks(struct parser *ps, struct dump_line *lines, size_t n)
{
	size_t headers = 0;

	for (size_t i = 0; i < n; i++) {
		headers += follow_header(ps->text, &lines[i]);
		if (headers > HEX_FOLLOW_MAX) {
			fail_at(ps, lines[i].start, HEX_FOLLOW_MANY);
			return 0;
		}
		lines[i].block = headers > 0 ? (unsigned)(headers - 1) : 0;
	}
	return headers > 0 ? headers : 1;
}

/* The protocol and form of tshark's follow header ("Follow: tcp,ascii")
 * when decode cannot read that output: a form other than hex (ascii and
 * the like lose bytes, raw has no offsets), or UDP's datagrams (no
 * stream); err says which. */
static bool
follow_unreadable(struct parser *ps, const struct dump_line *lines, size_t n)
{
	const char *t = ps->text;

	const size_t plen = sizeof("Follow: ") - 1;

	for (size_t i = 0; i < n; i++) {
		size_t at = lines[i].start + plen, end = lines[i].end;
		if (!follow_header(t, &lines[i]))
			continue;
		while (end > at && is_blank(t[end - 1]))
			end--;
		const char *comma = memchr(t + at, ',', end - at);
		if (comma == NULL)
			continue;
		size_t proto = (size_t)(comma - (t + at)), form = end - at - proto - 1;
		if (form == 3 && memcmp(comma + 1, "hex", 3) == 0 &&
		    !(proto == 3 && memcmp(t + at, "udp", 3) == 0))
			return false;
		fail_at(ps, lines[i].start, HEX_FOLLOW_FORM);
		term_escape(ps->err->follow, sizeof(ps->err->follow), t + at,
			    end - at < 24 ? end - at : 24);
		return true;
	}
	return false;
}

/* A dump, or follow output (its connections and their Node lines too). */
static int
parse_dump_input(struct parser *ps, struct dump_line *lines, size_t nlines, struct hex_input *in)
{
	if (!looks_like_follow(ps->text, lines, nlines)) {
		in->shape = HEX_SHAPE_DUMP;
		return parse_dump(ps, lines, nlines, false);
	}
	in->shape = HEX_SHAPE_FOLLOW;
	in->nblocks = follow_blocks(ps, lines, nlines);
	if (in->nblocks == 0)
		return -1;
	for (size_t i = 0; i < nlines; i++)
		if (!lines[i].is_dump)
			follow_node(ps->text, &lines[i], in);
	return parse_dump(ps, lines, nlines, true);
}

int
hex_parse_input(const char *text, size_t len, struct hex_input *in,
		struct hexparse_error *err)
{
	struct parser ps = {.text = text, .len = len, .err = err};
	size_t nlines = 1;
	int rc;

	memset(err, 0, sizeof(*err));
	memset(in, 0, sizeof(*in));
	/* Text saved on Windows: a UTF-8 byte order mark is no character
	 * (columns are counted after it); UTF-16 is said, not read as hex. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	} else if (len >= 2 && (memcmp(text, "\xff\xfe", 2) == 0 || memcmp(text, "\xfe\xff", 2) == 0)) {
		err->fault = HEX_UTF16;
		err->pos = err->line = err->col = 1;
		return -1;
	}
	ps.text = text;
	ps.len = len;
	for (size_t i = 0; i < len; i++)
		nlines += text[i] == '\n';
	/* Every byte takes at least two characters of text, and every segment
	 * at least one line. */
	ps.out = malloc(len / 2 + 1);
	ps.segs = calloc(nlines, sizeof(*ps.segs));
	struct dump_line *lines = calloc(nlines, sizeof(*lines));
	if (ps.out == NULL || ps.segs == NULL || lines == NULL) {
		free(ps.out);
		free(ps.segs);
		free(lines);
		err->fault = HEX_NO_MEMORY;
		return -1;
	}
	split_lines(text, len, lines);
	if (follow_unreadable(&ps, lines, nlines)) {
		rc = -1;
	} else if (looks_like_dump(text, lines, nlines)) {
		rc = parse_dump_input(&ps, lines, nlines, in);
	} else {
		in->shape = HEX_SHAPE_PLAIN;
		rc = parse_plain(&ps);
		add_to_segment(&ps, ps.n, false, false, 0);
	}
	free(lines);
	if (rc < 0 || ps.n == 0) {
		explicit_bzero(ps.out, ps.n);
		free(ps.out);
		free(ps.segs);
		memset(in, 0, sizeof(*in));
		return rc;
	}
	in->bytes = ps.out;
	in->len = ps.n;
	in->segs = ps.segs;
	in->nsegs = ps.nsegs;
	return 0;
}

void
hex_input_free(struct hex_input *in)
{
	if (in->bytes != NULL)
		explicit_bzero(in->bytes, in->len);
	free(in->bytes);
	free(in->segs);
	memset(in, 0, sizeof(*in));
}

int
hex_parse(const char *text, size_t len, uint8_t **out, size_t *outlen,
	  struct hexparse_error *err)
{
	struct hex_input in;
	int rc = hex_parse_input(text, len, &in, err);

	*out = in.bytes;
	*outlen = in.len;
	free(in.segs);
	return rc;
}
