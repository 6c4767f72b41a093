/* The command line every mode shares, parsed once. */
#ifndef SOCKSCOPE_OPTIONS_H
#define SOCKSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "handshake.h"
#include "term.h"

struct options {
	char *proxies[MAX_HOPS]; /* once parsed: -x's, @NAMEs expanded, or the default's; netrc's credentials in */
	int nproxies;
	char *user;           /* -U USER[:PASS], blanked once read */
	int timeout_ms;       /* -w, each phase */
	int verbose;          /* -v */
	bool hex;             /* -X */
	bool json;            /* -j */
	bool zero_io;         /* -z */
	int quit_after_eof_ms; /* -q SECS, -1 when not given */
	int idle_timeout_ms;  /* --idle-timeout SECS, -1 when not given */
	bool no_shutdown;     /* --no-shutdown: stdin's EOF is not passed on */
	bool timeline;        /* --timeline: the phases as a waterfall at the end */
	bool progress;        /* --progress: the tunnel's progress line on a terminal */
	const char *netrc_file; /* --netrc-file, NULL: ~/.netrc */
	const char *proxy_warning; /* with -j: a file not used (a readable ~/.netrc), or NULL */
	int family;           /* AF_UNSPEC, AF_INET (-4), AF_INET6 (-6) */
	enum color_when color;
	bool show_secrets;
	int bind_timeout_ms;  /* --bind-timeout: BIND's wait for the peer */
	bool dgram_raw;       /* --dgram-raw: each read is a datagram, not each line */
	const char *commands; /* -c 'CMD; CMD' */
	const char *script;   /* -s FILE */
	bool keep_going;      /* -k: go on after a failing command */
	bool dump_commands;   /* hidden --dump-commands */
	bool dump_modes;      /* hidden --dump-modes */
	bool usage_to_json;   /* -j (not probe's): a usage error is kept in error */
	char error[600];      /* that usage error, for the mode's JSON summary */
};

/*
 * Parses argv; on return *first is the index of the first operand.
 * Returns -1 for a usage error (already reported, or with -j kept in
 * o->error when it is not empty: the caller writes it as JSON), 1 when --help or
 * --version was answered, 0 otherwise.
 */
int options_parse(struct options *o, int argc, char **argv, int *first);
void options_usage(FILE *fp);
/* The index of the first operand, options before it skipped (bad ones too),
 * without parsing them: which mode word, if any, comes first. */
int options_first_operand(int argc, char **argv);
/* The hidden --dump-options: one long option per line, for docs and completion tests. */
void options_dump(FILE *fp);

#endif
