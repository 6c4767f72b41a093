/*
 * The REPL's shared types: a command's descriptor (struct cmd), the REPL
 * itself (struct repl), and the one command table (repl_table.c) that
 * everything reads.
 */
#ifndef SOCKSCOPE_CLI_REPL_TYPES_H
#define SOCKSCOPE_CLI_REPL_TYPES_H

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

#endif
