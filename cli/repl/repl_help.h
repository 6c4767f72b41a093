/* `help` (repl_help.c). */
#ifndef SOCKSCOPE_CLI_REPL_HELP_H
#define SOCKSCOPE_CLI_REPL_HELP_H

#include "repl_types.h"

int cmd_help(struct repl *r, int argc, char **argv);

#endif
