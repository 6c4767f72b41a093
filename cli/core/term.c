/* Colour decisions and escaping of untrusted bytes for the terminal. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "term.h"

#include <stdio.h>
#include <sys/ioctl.h>


int
color_when_parse(const char *arg, enum color_when *out)
{
	static const struct {
		const char *word;
		enum color_when when;
	} words[] = {
		{"auto", COLOR_AUTO},     {"tty", COLOR_AUTO},
		{"if-tty", COLOR_AUTO},   {"always", COLOR_ALWAYS},
		{"yes", COLOR_ALWAYS},    {"force", COLOR_ALWAYS},
		{"never", COLOR_NEVER},   {"no", COLOR_NEVER},
		{"none", COLOR_NEVER},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(arg, words[i].word) == 0) {
			*out = words[i].when;
			return 0;
		}
	}
	return -1;
}

bool
term_wants_color(enum color_when when, FILE *fp)
{
	if (when == COLOR_ALWAYS)
		return true;
	if (when == COLOR_NEVER)
		return false;
	/* https://no-color.org: present and not empty means no colour. */
	const char *no_color = getenv("NO_COLOR");
	if (no_color != NULL && no_color[0] != '\0')
		return false;
	const char *term = getenv("TERM");
	if (term != NULL && strcmp(term, "dumb") == 0)
		return false;
	int fd = fileno(fp);
	return fd >= 0 && isatty(fd);
}

const char *
term_on(bool color, enum term_style style)
{
	if (!color)
		return "";
	switch (style) {
	case TS_FIELD:
		return "\033[1m";
	case TS_SENT:
		return "\033[32m";
	case TS_RECEIVED:
		return "\033[36m";
	case TS_ERROR:
		return "\033[1;31m";
	case TS_WARN:
		return "\033[33m";
	case TS_DIM:
		return "\033[2m";
	}
	return "";
}

const char *
term_off(bool color)
{
	return color ? "\033[0m" : "";
}

/* The escaped form of one byte into unit[]; returns its length (1, 2 or 4). */
static size_t
escape_byte(uint8_t c, char unit[5])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '"' || c == '\\') {
		unit[0] = '\\';
		unit[1] = (char)c;
		unit[2] = '\0';
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		unit[0] = (char)c;
		unit[1] = '\0';
		return 1;
	}
	unit[0] = '\\';
	unit[1] = 'x';
	unit[2] = hex[c >> 4];
	unit[3] = hex[c & 0x0f];
	unit[4] = '\0';
	return 4;
}

size_t
term_escape(char *out, size_t cap, const void *p, size_t len)
{
	const uint8_t *bytes = p;
	size_t need = 0;
	size_t used = 0;
	bool full = false;

	for (size_t i = 0; i < len; i++) {
		char unit[5];
		size_t n = escape_byte(bytes[i], unit);
		/* Stop filling at the first unit that does not fit whole, so the
		 * output never ends in a partial \xN that would mislead. */
		if (!full && cap > 0 && used + n < cap) {
			memcpy(out + used, unit, n);
			used += n;
		} else {
			full = true;
		}
		need += n;
	}
	if (cap > 0)
		out[used] = '\0';
	return need;
}

const char *
term_printable(const char *text, char *buf, size_t cap)
{
	for (const char *p = text; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			term_escape(buf, cap, text, strlen(text));
			return buf;
		}
	}
	return text;
}

void
term_put_escaped(FILE *fp, const void *p, size_t len)
{
	const uint8_t *bytes = p;

	for (size_t i = 0; i < len; i++) {
		char unit[5];
		escape_byte(bytes[i], unit);
		fputs(unit, fp);
	}
}

int
term_stdout_status(int status)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	if (errno == EPIPE)
		return status;
	fprintf(stderr, "sockscope: standard output: %s\n", strerror(errno != 0 ? errno : EIO));
	return 7;
}

void
term_put_text(FILE *fp, const char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)p[i];

		if (c >= 0x20 && c < 0x7f)
			fputc(c, fp);
		else
			fprintf(fp, "\\x%c%c", hex[c >> 4], hex[c & 0x0f]);
	}
}

void
term_vsay(const char *prefix, const char *fmt, va_list ap)
{
	char text[4096];

	vsnprintf(text, sizeof(text), fmt, ap);
	fputs(prefix, stderr);
	fputs(": ", stderr);
	term_put_text(stderr, text, strlen(text));
	fputc('\n', stderr);
}

void
term_say(const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	term_vsay(prefix, fmt, ap);
	va_end(ap);
}

size_t
term_escaped_len(const void *p, size_t len)
{
	return term_escape(NULL, 0, p, len);
}

int
term_width(FILE *fp)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	long n;
	char *end;

	if (ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (cols != NULL) {
		n = strtol(cols, &end, 10);
		if (end != cols && *end == '\0' && n > 0 && n < 10000)
			return (int)n;
	}
	return 80;
}
