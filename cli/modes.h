/*
 * The front ends, in one table (modes.c): the word that picks each, its
 * usage lines, whether it parses its own options, and its main.  main.c
 * dispatches from it, --help prints its synopsis from it, and --dump-modes
 * gives its words to the man-page and completion checks (t-docs.sh).
 */
#ifndef SOCKSCOPE_CLI_MODES_H
#define SOCKSCOPE_CLI_MODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "options.h"

struct mode {
	const char *name;    /* for people: "one-shot", "probe" */
	const char *word;    /* the operand that picks it, or NULL */
	/* the words it takes instead of one (the one-shot's commands), i from
	 * 0 until NULL; or NULL */
	const char *(*words)(size_t i);
	const char *synopsis; /* its usage lines, without "usage:" */
	/* Its options come after its word, and the common ones do not apply
	 * (decode: its -4 means SOCKS4): main() hands it argv from the word on. */
	bool own_options;
	const char *example;  /* own_options: a command line that shows where they go */
	/* argv from the word (or the first operand) on; o NULL when own_options */
	int (*run)(struct options *o, int argc, char **argv);
};

extern const struct mode modes[];
extern const size_t nmodes;

/* The mode whose word (or one of whose words) is word; NULL for none. */
const struct mode *mode_by_word(const char *word);
/* Every mode's usage lines, the first after "usage: ". */
void modes_synopsis(FILE *fp);
/* Every word that picks a mode, one a line, " own-options" after those
 * that take their options after the word (the hidden --dump-modes). */
void modes_dump(FILE *fp);

#endif
