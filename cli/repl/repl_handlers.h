/* The REPL's command handlers, one per entry of the table in repl_cmds.c. */
#ifndef SOCKSCOPE_CLI_REPL_HANDLERS_H
#define SOCKSCOPE_CLI_REPL_HANDLERS_H

#include "repl_types.h"

int cmd_proxy(struct repl *r, int argc, char **argv);
int cmd_set(struct repl *r, int argc, char **argv);
int cmd_unset(struct repl *r, int argc, char **argv);
int cmd_show(struct repl *r, int argc, char **argv);
int cmd_open(struct repl *r, int argc, char **argv);
int cmd_greet(struct repl *r, int argc, char **argv);
int cmd_auth(struct repl *r, int argc, char **argv);
int cmd_request(struct repl *r, int argc, char **argv);
int cmd_send(struct repl *r, int argc, char **argv);
int cmd_verb(struct repl *r, int argc, char **argv);
int cmd_raw(struct repl *r, int argc, char **argv);
int cmd_recv(struct repl *r, int argc, char **argv);
int cmd_dgram(struct repl *r, int argc, char **argv);
int cmd_tunnel(struct repl *r, int argc, char **argv);
int cmd_close(struct repl *r, int argc, char **argv);
int cmd_status(struct repl *r, int argc, char **argv);
int cmd_source(struct repl *r, int argc, char **argv);
int cmd_history(struct repl *r, int argc, char **argv);
int cmd_quit(struct repl *r, int argc, char **argv);

/* `help set`: the fields of the drafts in use, and how values are written. */
#endif
