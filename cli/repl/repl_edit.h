/*
 * The REPL on a terminal: libedit's native API (el_gets, history(3),
 * tok_line for completion), the prompt, and the history file in
 * $XDG_STATE_HOME/sockscope/history.
 */
#ifndef SOCKSCOPE_CLI_REPL_EDIT_H
#define SOCKSCOPE_CLI_REPL_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "repl_cmds.h"

/* The history: in memory always; loaded from and saved to the file when
 * interactive. */
void repl_history_open(struct repl *r);
void repl_history_add(struct repl *r, const char *line);
void repl_history_close(struct repl *r);

/* Lines from the terminal until EOF or `quit`; returns the exit status. */
int repl_interactive(struct repl *r);

/* Whether any command of the line carries a password (repl.c). */
bool repl_line_sensitive(struct repl *r, const char *line);

/* "$XDG_STATE_HOME/sockscope/history" (or ~/.local/state/...), or "" when
 * neither variable is set. */
void repl_history_path(char *buf, size_t cap);

/*
 * word as the REPL's line splitter (repl_line.c) reads it back as one word:
 * as is when it holds nothing the splitter treats specially, else in '...'
 * with each ' as '"'"'.  Writes at most cap bytes (NUL-terminated when cap
 * > 0); returns the length the whole text needs, snprintf-style.
 */
size_t repl_quote_word(const char *word, char *out, size_t cap);

/*
 * The words of the command under the cursor (line[0..cursor), after its
 * last ';') as repl_line.c splits them, tolerating an open quote at the
 * cursor: argv[0..*argc) point into buf.  Returns the index of the word
 * the cursor is in (*argc when it is after a blank: a new word), with
 * *word_start its offset in line; -1 in a comment or when it does not fit.
 */
int repl_completion_words(const char *line, size_t cursor, char *buf, size_t cap,
			  const char **argv, int maxwords, int *argc, size_t *word_start);

#endif
