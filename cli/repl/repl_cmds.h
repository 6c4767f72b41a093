/*
 * What reads the REPL's one command table (repl_table.c): dispatch, tab
 * completion and --dump-commands.  A unique prefix of a name is accepted.
 */
#ifndef SOCKSCOPE_CLI_REPL_CMDS_H
#define SOCKSCOPE_CLI_REPL_CMDS_H

#include <stdbool.h>
#include <stddef.h>

#include "repl_types.h"

/* "NAME ARGS", the command's usage. */
void cmd_usage(const struct cmd *c, char *buf, size_t cap);

/* A name, an alias or a unique prefix; NULL with why[] (listing the
 * candidates of an ambiguous prefix). */
const struct cmd *cmd_lookup(const char *name, char *why, size_t whylen);

/* Runs one command (argv[0] is its name); returns its exit status. */
int repl_run_words(struct repl *r, int argc, char **argv);

/* Whether a command carries a password (`set pass X`, `set PASSWD X`, a
 * URL with user:pass@): such a line never reaches the history. */
bool repl_words_sensitive(struct repl *r, int argc, char **argv);

/* Candidates for word `idx` (0: the command) of argv, starting with
 * prefix; calls add() for each.  Used by tab completion. */
void repl_complete_words(struct repl *r, int argc, const char **argv, int idx, const char *prefix,
			 void (*add)(void *ctx, const char *cand), void *ctx);

/* In repl.c: lines, files, the history. */
int repl_run_line(struct repl *r, const char *line);
int repl_source(struct repl *r, const char *path);
void repl_history_print(struct repl *r);

#endif
