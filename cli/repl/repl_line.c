/* Splitting REPL lines into commands and words (see repl_line.h). */
#include "repl_line.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int
line_next_command(const char **line, struct words *w, char *why, size_t whylen)
{
	const char *p = *line;
	size_t n = 0;
	bool in_word = false;
	char quote = 0;

	w->argc = 0;
	w->argv[0] = NULL;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p == '\0') {
		*line = p;
		return 0;
	}
	for (;; p++) {
		char c = *p;

		if (quote == 0 && (c == '\0' || c == ';' || c == ' ' || c == '\t' || c == '\n' ||
				   c == '\r' || (c == '#' && !in_word))) {
			if (in_word) {
				w->buf[n++] = '\0';
				in_word = false;
			}
			if (c == '#') {
				p += strlen(p);
				c = '\0';
			}
			if (c == '\0' || c == ';') {
				*line = c == ';' ? p + 1 : p;
				w->argv[w->argc] = NULL;
				return 1;
			}
			continue;
		}
		if (c == '\0') {
			snprintf(why, whylen, "unclosed %c quote", quote);
			*line = p;
			return -1;
		}
		if (!in_word) {
			if (w->argc == LINE_MAX_WORDS) {
				snprintf(why, whylen, "too many words: at most %d", LINE_MAX_WORDS);
				*line = p + strlen(p);
				return -1;
			}
			w->argv[w->argc++] = w->buf + n;
			in_word = true;
		}
		/* Room for this character, a backslash's partner and the NUL. */
		if (n + 3 >= sizeof(w->buf)) {
			snprintf(why, whylen, "command too long: at most %zu bytes", sizeof(w->buf) - 3);
			*line = p + strlen(p);
			return -1;
		}
		if (quote != 0 && c == quote) {
			quote = 0;
			continue;
		}
		if (quote == 0 && (c == '\'' || c == '"')) {
			quote = c;
			continue;
		}
		if (c == '\\' && quote != '\'' && p[1] != '\0') {
			w->buf[n++] = c;
			c = *++p;
		}
		w->buf[n++] = c;
	}
}
