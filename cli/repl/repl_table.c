/*
 * The REPL's one command table: dispatch, `help`, tab completion, the man
 * page's command list and the completion files all read it.  It sits above
 * the handlers it names, so that they can use the dispatch (repl_cmds.c)
 * without a cycle.
 */
#include "repl_cmds.h"
#include "repl_handlers.h"
#include "repl_help.h"

#define ANY (-1)

const struct cmd repl_cmds[] = {
	{ "proxy", NULL, "[URL...]",
	  "choose the server and version, or show the current one (several URLs: a chain, the drafts are for the last)",
	  0, MAX_HOPS, { CK_SCHEME, CK_SCHEME, CK_SCHEME }, CF_SENSITIVE, cmd_proxy },
	{ "set", NULL, "FIELD VALUE",
	  "change a field of a draft (dst HOST:PORT, user NAME, pass [PASSWORD] too)", 1, ANY,
	  { CK_FIELD, CK_VALUE, CK_NONE }, CF_SENSITIVE, cmd_set },
	{ "unset", NULL, "FIELD", "back to derived or default", 1, 1, { CK_FIELD, CK_NONE, CK_NONE },
	  0, cmd_unset },
	{ "show", NULL, "[MESSAGE]", "the drafts as they would be sent, decoded and in hex", 0, 1,
	  { CK_MESSAGE, CK_NONE, CK_NONE }, 0, cmd_show },
	{ "open", NULL, "", "connect to the proxy (through the chain)", 0, 0, { 0 }, 0, cmd_open },
	{ "greet", NULL, "", "send the greeting, show the method selection", 0, 0, { 0 }, CF_CONN,
	  cmd_greet },
	{ "auth", NULL, "", "send the username/password request, show the status", 0, 0, { 0 },
	  CF_CONN, cmd_auth },
	{ "request", NULL, "", "send the request, show the reply", 0, 0, { 0 }, CF_CONN,
	  cmd_request },
	{ "send", NULL, "", "do whatever phases remain, show every reply", 0, 0, { 0 }, 0,
	  cmd_send },
	{ "connect", NULL, "HOST PORT", "shorthand: CMD connect, the target, send", 1, 2, { 0 }, 0,
	  cmd_verb },
	{ "bind", NULL, "HOST PORT", "shorthand: CMD bind (HOST PORT: the expected peer), send", 1,
	  2, { 0 }, 0, cmd_verb },
	{ "udp", NULL, "[HOST PORT]", "shorthand: CMD udp (where datagrams come from), send", 0, 2,
	  { 0 }, 0, cmd_verb },
	{ "resolve", NULL, "NAME [PORT]", "shorthand: Tor's RESOLVE for NAME, send", 1, 2, { 0 }, 0,
	  cmd_verb },
	{ "raw", NULL, "HEX...", "send these bytes as they are, then show what comes back", 1, ANY,
	  { 0 }, CF_CONN | CF_SENSITIVE, cmd_raw },
	{ "recv", NULL, "[SECONDS]", "show what the server sent since (waiting up to SECONDS)", 0,
	  1, { 0 }, CF_CONN, cmd_recv },
	{ "dgram", NULL, "HOST PORT DATA", "send one datagram through the UDP association", 3, ANY,
	  { 0 }, CF_CONN, cmd_dgram },
	{ "tunnel", NULL, "", "relay stdin/stdout through the connection until EOF", 0, 0, { 0 },
	  CF_CONN, cmd_tunnel },
	{ "close", NULL, "", "close the connection", 0, 0, { 0 }, 0, cmd_close },
	{ "status", NULL, "", "phase, addresses, bytes, time per phase", 0, 0, { 0 }, 0,
	  cmd_status },
	{ "source", NULL, "FILE", "run the commands in FILE", 1, 1, { CK_FILE, CK_NONE, CK_NONE }, 0,
	  cmd_source },
	{ "history", NULL, "", "the commands entered so far", 0, 0, { 0 }, 0, cmd_history },
	{ "help", NULL, "[COMMAND]", "the commands, or one in detail", 0, 1,
	  { CK_COMMAND, CK_NONE, CK_NONE }, 0, cmd_help },
	{ "quit", "exit", "", "leave", 0, 0, { 0 }, 0, cmd_quit },
};
const size_t repl_ncmds = sizeof(repl_cmds) / sizeof(repl_cmds[0]);
