/*
 * The REPL's one command table: dispatch, `help`, tab completion and
 * --dump-commands all read it.  A unique prefix of a name is accepted.
 */
#ifndef SOCKSCOPE_CLI_REPL_CMDS_H
#define SOCKSCOPE_CLI_REPL_CMDS_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"
#include "repl_session.h"

/* What an argument completes to. */
enum comp_kind {
	CK_NONE,
	CK_COMMAND, /* a command name */
	CK_FIELD,   /* a field of a draft in use, or dst/user/pass */
	CK_VALUE,   /* a value of the field named by the word before */
	CK_MESSAGE, /* greeting, auth, request, udp */
	CK_SCHEME,  /* socks4:// ... */
	CK_FILE,    /* a local file */
};

#define CF_CONN 0x01u      /* needs a connection */
#define CF_SENSITIVE 0x02u /* may carry a secret: its line may stay out of the history */

struct repl;

struct cmd {
	const char *name;
	const char *alias;   /* another full name, or NULL */
	const char *args;    /* the argument shape, for usage and help */
	const char *summary; /* one line */
	int min_args, max_args; /* max_args -1: any number */
	enum comp_kind comp[3]; /* arguments 1, 2, 3 and after */
	unsigned flags;      /* CF_* */
	int (*fn)(struct repl *r, int argc, char **argv);
};

struct repl {
	struct options *o;
	struct rsess *s;
	bool interactive;
	bool quit;
	int depth;  /* `source` nesting */
	void *hist; /* libedit's History */
	int out_err; /* errno of the first write to stdout that failed, or 0 */
};

extern const struct cmd repl_cmds[];
extern const size_t repl_ncmds;

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
