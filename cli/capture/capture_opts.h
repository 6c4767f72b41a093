/* The command line of decode -r / -i (capture_opts.c). */
#ifndef SOCKSCOPE_CLI_CAPTURE_OPTS_H
#define SOCKSCOPE_CLI_CAPTURE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture_engine.h"
#include "term.h"

enum cap_mode {
	MODE_AUTO,     /* a file: one session as a conversation, more as the table */
	MODE_CONVERSE, /* -v, -X, --session, -i: every conversation */
	MODE_TABLE,    /* --sessions */
	MODE_JSON,     /* -j */
};

struct cap_opts {
	const char *file;      /* -r */
	const char *iface;     /* -i */
	char *filter;          /* the operands joined: a BPF expression, or NULL */
	uint16_t ports[CAP_PORTS_MAX];
	size_t nports;
	bool sniff;
	bool verbose, hex, json, table, absolute, show_secrets;
	enum color_when color;
	enum cap_mode mode;
	unsigned session;      /* --session N, 0 for all */
	const char *client;    /* --client HOST */
	const char *outcome;   /* --outcome WORD */
	unsigned long count;   /* -c N: stop after N sessions shown; 0 for no bound */
};

/* 0 to go on; otherwise 1 + the exit status (help answered, or a usage
 * error already said). */
int cap_options(int argc, char **argv, struct cap_opts *o);

/* The outcome words --outcome takes, for the usage and the check. */
bool cap_outcome_known(const char *word);

#endif
