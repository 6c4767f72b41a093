/* The REPL: compose any message field by field, step through the handshake. */
#ifndef SOCKSCOPE_REPL_H
#define SOCKSCOPE_REPL_H

#include <stdio.h>

#include "options.h"

/* Interactive on a terminal (libedit), else commands from -c, -s or stdin.
 * argv holds operands, if any (none are taken yet). */
int repl_main(struct options *o, int argc, char **argv);
/* The hidden --dump-commands: one command name per line, from the table. */
void repl_dump_commands(FILE *fp);

#endif
