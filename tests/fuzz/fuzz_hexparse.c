/*
 * hex_parse() on any text, NULs included.
 *
 * Checks: it answers 0 or -1; on success the bytes are a malloc'd block of
 * at most len/2 + 1 bytes (NULL exactly when there are none); on failure the
 * error has a known fault, a position within the text (or just past it), a
 * line and column, and hexparse_strerror() fills any buffer without running
 * over it.  Then the bytes it found are written back in every form the
 * parser promises to read (plain with each separator, 0x and \x prefixes,
 * xxd -p, tshark -x, hexdump -C, xxd) and each must parse to the same bytes.
 * hex_parse_input() gives the same bytes, in segments that cover them in
 * order, and frame_parse() on each segment keeps within it.
 */
#include <stdarg.h>

#include "frames.h"
#include "fuzz.h"
#include "hexparse.h"

struct text {
	char *p;
	size_t len, cap;
};

static void
put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		CHECK(t->p != NULL);
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void
putf(struct text *t, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	CHECK(n >= 0 && (size_t)n < sizeof(buf));
	put(t, buf, (size_t)n);
}

enum form {
	F_SPACE,   /* 05 01 00 */
	F_COLON,   /* 05:01:00 */
	F_RUN,     /* 050100 */
	F_0X,      /* 0x05 0x01 0x00 */
	F_BSX,     /* \x05\x01\x00 */
	F_XXD_P,   /* xxd -p: 30 bytes a line, no separators */
	F_TSHARK,  /* 0000  05 01 00 ...   ..abc */
	F_HEXDUMP, /* 00000000  05 01 00 ...  |...| and the final offset line */
	F_XXD,     /* 00000000: 0501 00..  ... */
	F_COUNT
};

static char
printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f ? (char)c : '.';
}

static void
write_form(struct text *t, enum form form, const uint8_t *b, size_t n)
{
	t->len = 0;
	put(t, "", 0);
	switch (form) {
	case F_SPACE:
	case F_COLON:
	case F_RUN:
	case F_0X:
	case F_BSX:
		for (size_t i = 0; i < n; i++) {
			static const char *const pre[] = {"", "", "", "0x", "\\x"};
			static const char *const sep[] = {" ", ":", "", " ", ""};
			putf(t, "%s%s%02x", i > 0 ? sep[form] : "", pre[form], b[i]);
		}
		break;
	case F_XXD_P:
		for (size_t i = 0; i < n; i++)
			putf(t, "%02x%s", b[i], i % 30 == 29 || i + 1 == n ? "\n" : "");
		break;
	case F_TSHARK:
	case F_HEXDUMP:
	case F_XXD:
		for (size_t line = 0; line < n; line += 16) {
			size_t k = n - line < 16 ? n - line : 16;

			if (form == F_TSHARK)
				putf(t, "%04zx  ", line);
			else if (form == F_HEXDUMP)
				putf(t, "%08zx  ", line);
			else
				putf(t, "%08zx: ", line);
			for (size_t i = 0; i < 16; i++) {
				const char *gap = form == F_XXD ? (i % 2 == 1 ? " " : "")
						  : form == F_HEXDUMP && i == 7 ? "  "
										: " ";
				if (i < k)
					putf(t, "%02x%s", b[line + i], gap);
				else
					putf(t, "  %s", gap);
			}
			put(t, form == F_TSHARK ? "  " : " ", form == F_TSHARK ? 2 : 1);
			if (form == F_HEXDUMP)
				put(t, "|", 1);
			for (size_t i = 0; i < k; i++) {
				char c = printable(b[line + i]);
				put(t, &c, 1);
			}
			if (form == F_HEXDUMP)
				put(t, "|", 1);
			put(t, "\n", 1);
		}
		if (form == F_HEXDUMP)
			putf(t, "%08zx\n", n);
		break;
	default:
		break;
	}
}

static void
check_error(const struct hexparse_error *e, size_t len)
{
	char small[16], big[256];

	CHECK(e->fault == HEX_BAD_CHAR || e->fault == HEX_ODD_DIGITS ||
	      e->fault == HEX_SHORT_LINE || e->fault == HEX_FOLLOW_FORM ||
	      e->fault == HEX_FOLLOW_MANY || e->fault == HEX_UTF16);
	CHECKF(e->pos >= 1 && e->pos <= len + 1, "pos %zu of %zu", e->pos, len);
	CHECK(e->line >= 1 && e->col >= 1 && e->col <= len + 1);
	if (e->fault == HEX_SHORT_LINE)
		CHECK(e->have < e->want);
	for (size_t cap = 1; cap <= sizeof(small); cap += 5) {
		memset(small, 'Z', sizeof(small));
		hexparse_strerror(e, small, cap);
		CHECK(memchr(small, '\0', cap) != NULL);
		CHECK(cap == sizeof(small) || small[cap] == 'Z');
	}
	hexparse_strerror(e, big, sizeof(big));
	CHECK(strlen(big) > 0);
	for (const char *c = big; *c != '\0'; c++)
		CHECKF(*c >= 0x20 && *c < 0x7f, "unprintable 0x%02x in \"%s\"", (uint8_t)*c, big);
}

/* The segments cover the bytes in order; a frame found in one lies in it. */
static void
check_segments(const uint8_t *data, size_t size, const uint8_t *out, size_t outlen)
{
	struct hexparse_error e;
	struct hex_input in;
	size_t at = 0;

	CHECK(hex_parse_input((const char *)data, size, &in, &e) == 0);
	CHECK(in.len == outlen && (outlen == 0 || memcmp(in.bytes, out, outlen) == 0));
	CHECK(in.nsegs <= outlen);
	for (size_t i = 0; i < in.nsegs; i++) {
		struct tcp_frame f;
		const struct hex_segment *sg = &in.segs[i];

		CHECKF(sg->off == at && sg->len > 0, "segment %zu at %zu, %zu bytes", i,
		       sg->off, sg->len);
		at += sg->len;
		CHECK(in.shape == HEX_SHAPE_FOLLOW ? sg->block < in.nblocks : sg->block == 0);
		if (frame_parse(in.bytes + sg->off, sg->len, &f))
			CHECK(f.payload_cap <= f.payload_len &&
			      f.payload_off + f.payload_cap <= sg->len);
	}
	CHECK(at == outlen);
	CHECK(in.shape != HEX_SHAPE_FOLLOW || (in.nsegs >= 1 && in.nblocks >= 1 &&
					       in.nblocks <= HEX_FOLLOW_MAX));
	hex_input_free(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hexparse_error e;
	uint8_t *out, *again;
	size_t outlen, againlen;
	struct text t = {0};
	int rc;

	rc = hex_parse((const char *)data, size, &out, &outlen, &e);
	CHECKF(rc == 0 || rc == -1, "hex_parse: %d", rc);
	if (rc < 0) {
		CHECK(out == NULL && outlen == 0);
		check_error(&e, size);
		return 0;
	}
	CHECK(outlen <= size / 2 + 1);
	CHECK((out == NULL) == (outlen == 0));
	check_segments(data, size, out, outlen);
	if (outlen == 0)
		return 0;

	for (int form = 0; form < F_COUNT; form++) {
		write_form(&t, (enum form)form, out, outlen);
		rc = hex_parse(t.p, t.len, &again, &againlen, &e);
		if (rc < 0) {
			char why[256];

			hexparse_strerror(&e, why, sizeof(why));
			fprintf(stderr, "form %d of %zu bytes: %s\n%s\n", form, outlen, why, t.p);
		}
		CHECK(rc == 0);
		CHECKF(againlen == outlen && memcmp(again, out, outlen) == 0,
		       "form %d: %zu bytes written, %zu read back:\n%s", form, outlen, againlen,
		       t.p);
		free(again);
	}
	free(t.p);
	free(out);
	return 0;
}
