/*
 * The REPL on a terminal: libedit's native API (el_gets, history(3),
 * tok_line for completion), the prompt, and the history file in
 * $XDG_STATE_HOME/sockscope/history.
 */
#ifndef SOCKSCOPE_CLI_REPL_EDIT_H
#define SOCKSCOPE_CLI_REPL_EDIT_H

#include <stdbool.h>

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

#endif
