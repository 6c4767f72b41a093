/*
 * The terminal: whether to colour, and how bytes from the network are made
 * safe to print.  A host name, a user id or a reason string can hold ESC, CR
 * or NUL; nothing from the wire reaches a terminal without term_escape().
 */
#ifndef SOCKSCOPE_CLI_TERM_H
#define SOCKSCOPE_CLI_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>

enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* "auto", "always" or "never" (also "yes"/"no"/"tty"/"force"/"none", as
 * GNU tools accept); 0 on success, -1 when arg is none of them. */
int color_when_parse(const char *arg, enum color_when *out);

/*
 * Whether output to fp gets colour.  always and never are the user's word and
 * win; auto means fp is a terminal, NO_COLOR is unset or empty, and TERM is
 * not "dumb".
 */
bool term_wants_color(enum color_when when, FILE *fp);

/* What a piece of output is, so that each kind gets one colour everywhere. */
enum term_style {
	TS_FIELD,    /* a field name */
	TS_SENT,     /* the -> arrow: client to server */
	TS_RECEIVED, /* the <- arrow: server to client */
	TS_ERROR,    /* malformed, truncated */
	TS_WARN,     /* an anomaly: legal but wrong */
	TS_DIM,      /* offsets, secondary text */
};

/* The escape sequence that starts a style, and the one that ends it; both ""
 * when color is false, so callers can print them unconditionally. */
const char *term_on(bool color, enum term_style style);
const char *term_off(bool color);

/*
 * Escape len bytes at p into out[0..cap): printable ASCII as is, `"` as \",
 * `\` as \\, every other byte as \xNN.  The result is always NUL-terminated
 * when cap > 0 and never ends in half an escape.  Returns the length the
 * whole escaped text needs (without its NUL), like snprintf, so a return
 * >= cap means out holds a truncated prefix.
 */
size_t term_escape(char *out, size_t cap, const void *p, size_t len);

/*
 * text as it may reach a terminal: itself when it is printable ASCII (what
 * term_escape() already made of a name from the network is), else all of it
 * escaped into buf[0..cap).  For a message that quotes what the user typed,
 * which may hold a control byte; -j's JSON escapes such a message the same.
 */
const char *term_printable(const char *text, char *buf, size_t cap);

/* term_escape() straight to a stream, any length. */
void term_put_escaped(FILE *fp, const void *p, size_t len);

/*
 * The status of a run once all its output is written: stdout flushed; a
 * failure to write it is "sockscope: standard output: REASON" and 7; a reader
 * that went away (EPIPE, `| head -1`) is an orderly end with status.
 */
int term_stdout_status(int status);

/* len bytes at p with every control byte and every byte >= 0x80 as \xNN,
 * quotes and backslashes as they are (so text already escaped stays the
 * same): for text that was typed or read, such as a line of the history. */
void term_put_text(FILE *fp, const char *p, size_t len);

/*
 * A message for standard error, "PREFIX: TEXT\n", TEXT as term_put_text()
 * writes it: a message quotes what was typed or read, and that must not reach
 * the terminal raw.
 */
void term_say(const char *prefix, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void term_vsay(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* The escaped length of len bytes at p: what term_escape() would return. */
size_t term_escaped_len(const void *p, size_t len);

/* The columns of the terminal fp writes to; else $COLUMNS; else 80. */
int term_width(FILE *fp);


#endif
