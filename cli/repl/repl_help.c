/* `help`: the commands from the table, and the fields of the drafts in use. */
#include "repl_help.h"

#include <stdio.h>

#include "repl_cmds.h"
#include "repl_handlers.h"
#include "repl_values.h"

static void
help_fields(struct repl *r)
{
	enum rs_draft in_use[RD_COUNT];
	int n = rs_drafts(r->s, in_use);
	FILE *fp = r->s->out;
	char keys[300];

	fprintf(fp, "\nFields of the %s drafts (MESSAGE.FIELD where a name is shared):\n",
		rs_socks5(r->s) ? "SOCKS5" : "SOCKS4");
	for (int k = 0; k < n; k++) {
		const struct msg_desc *desc = r->s->d[in_use[k]].desc;

		fprintf(fp, "  %s (%s)\n", rs_draft_key(in_use[k]), desc->title);
		for (size_t i = 0; i < desc->nfields; i++) {
			const struct field_desc *fd = &desc->fields[i];

			value_keys(fd->names, keys, sizeof(keys));
			fprintf(fp, "    %-13s %s%s%s%s%s\n", fd->name, fd->help,
				(fd->flags & FD_DERIVED) ? " (derived unless set)" : "",
				keys[0] != '\0' ? " [" : "", keys, keys[0] != '\0' ? "]" : "");
		}
	}
	fprintf(fp, "  dst HOST:PORT   the request's target (resolved as the proxy's scheme says)\n"
		    "  user NAME       UNAME / USERID, and METHODS offers userpass\n"
		    "  pass [PASSWORD] PASSWD; with no value, asked without echo\n"
		    "Values: decimal, 0x hex, a.b.c.d, [v6], a name from the field's table,\n"
		    "lists as noauth,userpass; text with \\xNN for any byte (name:TEXT forces a name).\n");
}

int
cmd_help(struct repl *r, int argc, char **argv)
{
	FILE *fp = r->s->out;
	char usage[120], why[300];
	const struct cmd *c;

	if (argc == 1) {
		for (size_t i = 0; i < repl_ncmds; i++) {
			cmd_usage(&repl_cmds[i], usage, sizeof(usage));
			fprintf(fp, "  %-24s %s\n", usage, repl_cmds[i].summary);
		}
		fprintf(fp, "Commands may be cut to a unique prefix and separated by ';'.\n"
			    "`help set` lists the fields; Tab completes.\n");
		return EXIT_OK;
	}
	if ((c = cmd_lookup(argv[1], why, sizeof(why))) == NULL)
		return rs_fail(EXIT_USAGE, "help: %s", why);
	cmd_usage(c, usage, sizeof(usage));
	fprintf(fp, "%s\n  %s\n", usage, c->summary);
	if (c->alias != NULL)
		fprintf(fp, "  also: %s\n", c->alias);
	if (c->flags & CF_CONN)
		fprintf(fp, "  needs a connection (`open`)\n");
	if (c->fn == cmd_set || c->fn == cmd_unset)
		help_fields(r);
	return EXIT_OK;
}
