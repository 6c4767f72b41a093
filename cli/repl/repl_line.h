/*
 * Command lines as the REPL reads them: commands separated by ';', words by
 * blanks, '...' and "..." quoting, '#' starting a comment.  Backslashes are
 * kept as typed (they only stop the next character from ending a word or a
 * quote): a text VALUE gives them their meaning (\xNN, \\, \;).
 */
#ifndef SOCKSCOPE_CLI_REPL_LINE_H
#define SOCKSCOPE_CLI_REPL_LINE_H

#include <stddef.h>

#define LINE_MAX_WORDS 64
#define LINE_MAX_BYTES 8192

struct words {
	int argc;
	char *argv[LINE_MAX_WORDS + 1];
	char buf[LINE_MAX_BYTES];
};

/*
 * Takes the next command from *line into w and moves *line past it (and its
 * ';').  Returns 1 with w filled (argc may be 0 for an empty command), 0 at
 * the end of the line, -1 with why[] set (an unclosed quote, too many words,
 * too long); after -1, *line is at the end.
 */
int line_next_command(const char **line, struct words *w, char *why, size_t whylen);

#endif
