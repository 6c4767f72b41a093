/*
 * What reads the command table (repl_table.c): lookup by unique prefix,
 * dispatch, the candidates for tab completion, and the check that keeps
 * password-carrying lines out of the history.  The handlers are in
 * repl_handlers.c, `help` in repl_help.c.
 */
#include "repl_cmds.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hexparse.h"
#include "proxyconf.h"
#include "repl_line.h"
#include "repl_values.h"
#include "secrets.h"

const struct cmd *
cmd_lookup(const char *name, char *why, size_t whylen)
{
	const struct cmd *found = NULL;
	size_t len = strlen(name), n = 0, off;
	char esc[48];

	for (size_t i = 0; i < repl_ncmds; i++)
		if (strcasecmp(name, repl_cmds[i].name) == 0 ||
		    (repl_cmds[i].alias != NULL && strcasecmp(name, repl_cmds[i].alias) == 0))
			return &repl_cmds[i];
	for (size_t i = 0; i < repl_ncmds && len > 0; i++)
		if (strncasecmp(name, repl_cmds[i].name, len) == 0) {
			found = &repl_cmds[i];
			n++;
		}
	if (n == 1)
		return found;
	if (n == 0) {
		snprintf(why, whylen, "unknown command '%s' (`help` lists them)",
			 value_shown(name, esc, sizeof(esc)));
		return NULL;
	}
	off = (size_t)snprintf(why, whylen, "ambiguous command '%s': it could be",
			       value_shown(name, esc, sizeof(esc)));
	for (size_t i = 0; i < repl_ncmds && off < whylen; i++)
		if (strncasecmp(name, repl_cmds[i].name, len) == 0)
			off += (size_t)snprintf(why + off, whylen - off, " %s", repl_cmds[i].name);
	return NULL;
}

void
cmd_usage(const struct cmd *c, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s", c->name, c->args[0] != '\0' ? " " : "", c->args);
}

int
repl_run_words(struct repl *r, int argc, char **argv)
{
	const struct cmd *c;
	char why[300], usage[120];

	if (argc == 0)
		return EXIT_OK;
	if ((c = cmd_lookup(argv[0], why, sizeof(why))) == NULL)
		return rs_fail(EXIT_USAGE, "%s", why);
	if (argc - 1 < c->min_args || (c->max_args >= 0 && argc - 1 > c->max_args)) {
		cmd_usage(c, usage, sizeof(usage));
		return rs_fail(EXIT_USAGE, "usage: %s", usage);
	}
	if ((c->flags & CF_CONN) && r->s->conn.fd < 0)
		return rs_fail(EXIT_USAGE, "%s: not connected: `open` first, or `send` for every phase",
			       c->name);
	return c->fn(r, argc, argv);
}

/* ------------------------------------------------------------ secrets */

/* `raw` bytes that hold an RFC 1929 request with a password: the hex view
 * masks it, so the history must not keep it either.  Bad hex is left to
 * `raw` to refuse, and kept out too. */
static bool
raw_sensitive(int argc, char **argv)
{
	struct hexparse_error err;
	char text[LINE_MAX_BYTES];
	uint8_t *bytes = NULL;
	size_t off = 0, len = 0;
	bool yes;

	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (off + n + 2 > sizeof(text))
			return true;
		if (i > 1)
			text[off++] = ' ';
		memcpy(text + off, argv[i], n);
		off += n;
	}
	text[off] = '\0';
	if (hex_parse(text, off, &bytes, &len, &err) < 0)
		yes = true;
	else
		yes = rs_bytes_hold_password(bytes, len);
	explicit_bzero(text, off);
	if (bytes != NULL) {
		explicit_bzero(bytes, len);
		free(bytes);
	}
	return yes;
}

bool
repl_words_sensitive(struct repl *r, int argc, char **argv)
{
	const struct cmd *c;
	char why[300];

	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (strcasecmp(argv[i], "pass") == 0 || strcasecmp(argv[i], "passwd") == 0 ||
		    strcasecmp(argv[i], "password") == 0 ||
		    (len >= 7 && strcasecmp(argv[i] + len - 7, ".passwd") == 0) ||
		    secret_url_has_password(argv[i]))
			return true;
	}
	if (argc < 2)
		return false;
	if ((c = cmd_lookup(argv[0], why, sizeof(why))) == NULL) {
		/* "se pa ...": set or send; what was meant is not known */
		for (size_t i = 0; i < repl_ncmds; i++)
			if ((repl_cmds[i].flags & CF_SENSITIVE) &&
			    strncasecmp(argv[0], repl_cmds[i].name, strlen(argv[0])) == 0)
				return true;
		return false;
	}
	if (!(c->flags & CF_SENSITIVE))
		return false;
	if (strcmp(c->name, "raw") == 0)
		return raw_sensitive(argc, argv);
	if (strcmp(c->name, "set") == 0) {
		enum rs_draft rd;
		int idx;

		/* the names cmd_set takes besides the drafts' fields */
		if (strcasecmp(argv[1], "dst") == 0 || strcasecmp(argv[1], "target") == 0 ||
		    strcasecmp(argv[1], "user") == 0)
			return false;
		/* a field that is none (pw, pass=...) may be a password's typo */
		if (rs_find_field(r->s, argv[1], &rd, &idx, why, sizeof(why)) != 0 ||
		    (r->s->d[rd].desc->fields[idx].flags & FD_SECRET))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ completion */

static bool
starts_with(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static void
offer(const char *cand, const char *prefix, void (*add)(void *, const char *), void *ctx)
{
	if (starts_with(cand, prefix))
		add(ctx, cand);
}

static void
complete_fields(struct repl *r, const char *prefix, void (*add)(void *, const char *), void *ctx)
{
	static const char *aliases[] = { "dst", "user", "pass" };
	enum rs_draft in_use[RD_COUNT];
	int n = rs_drafts(r->s, in_use);
	const char *dot = strchr(prefix, '.');
	char buf[64];

	/* "greeting.V": the fields of that message, qualified. */
	if (dot != NULL) {
		for (int k = 0; k < n; k++) {
			const struct msg_desc *desc = r->s->d[in_use[k]].desc;
			const char *key = rs_draft_key(in_use[k]);

			if (strlen(key) != (size_t)(dot - prefix) ||
			    strncasecmp(key, prefix, (size_t)(dot - prefix)) != 0)
				continue;
			for (size_t i = 0; i < desc->nfields; i++) {
				snprintf(buf, sizeof(buf), "%s.%s", key, desc->fields[i].name);
				offer(buf, prefix, add, ctx);
			}
		}
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		offer(aliases[i], prefix, add, ctx);
	for (int k = 0; k < n; k++) {
		const struct msg_desc *desc = r->s->d[in_use[k]].desc;

		for (size_t i = 0; i < desc->nfields; i++) {
			bool seen = false;

			/* Each name once: VER is in three drafts. */
			for (int j = 0; j < k && !seen; j++)
				seen = proto_field_index(r->s->d[in_use[j]].desc,
							 desc->fields[i].name) >= 0;
			for (size_t j = 0; j < i && !seen; j++)
				seen = strcmp(desc->fields[j].name, desc->fields[i].name) == 0;
			if (!seen)
				offer(desc->fields[i].name, prefix, add, ctx);
		}
		if (prefix[0] != '\0' && dot == NULL) {
			snprintf(buf, sizeof(buf), "%s.", rs_draft_key(in_use[k]));
			offer(buf, prefix, add, ctx);
		}
	}
}

static void
complete_values(struct repl *r, const char *field, const char *prefix,
		void (*add)(void *, const char *), void *ctx)
{
	const struct field_desc *fd;
	const struct name_table *t;
	const char *comma = strrchr(prefix, ',');
	enum rs_draft rd;
	int idx;
	char why[1400], buf[300];
	size_t base = 0;

	if (rs_find_field(r->s, field, &rd, &idx, why, sizeof(why)) < 0)
		return;
	fd = &r->s->d[rd].desc->fields[idx];
	if ((t = fd->names) == NULL)
		return;
	/* A list: complete the item after the last comma. */
	if (fd->kind == FK_LIST && comma != NULL)
		base = (size_t)(comma - prefix) + 1;
	if (base >= sizeof(buf) - 64)
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (t->entries[i].key == NULL)
			continue;
		memcpy(buf, prefix, base);
		snprintf(buf + base, sizeof(buf) - base, "%s", t->entries[i].key);
		offer(buf, prefix, add, ctx);
	}
}

/* A name with a control byte is not offered: libedit lists the candidates
   as they are, and an ESC in a file name would reach the terminal raw. */
static bool
has_control(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

static void
complete_files(const char *prefix, void (*add)(void *, const char *), void *ctx)
{
	const char *slash = strrchr(prefix, '/');
	char dir[1024], buf[1300];
	size_t dlen = slash != NULL ? (size_t)(slash - prefix) + 1 : 0;
	const char *base = prefix + dlen;
	struct dirent *e;
	DIR *d;

	if (dlen >= sizeof(dir))
		return;
	memcpy(dir, prefix, dlen);
	dir[dlen] = '\0';
	if ((d = opendir(dlen > 0 ? dir : ".")) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(e->d_name, base, strlen(base)) != 0 || has_control(e->d_name))
			continue;
		snprintf(buf, sizeof(buf), "%s%s%s", dir, e->d_name, e->d_type == DT_DIR ? "/" : "");
		add(ctx, buf);
	}
	closedir(d);
}

struct offer_ctx {
	const char *prefix;
	void (*add)(void *ctx, const char *cand);
	void *ctx;
};

/* A config file's proxy as `proxy` takes it: @NAME. */
static void
offer_named(const char *name, void *arg)
{
	const struct offer_ctx *oc = arg;
	char at[PROXYCONF_NAME_MAX + 2];

	snprintf(at, sizeof(at), "@%s", name);
	offer(at, oc->prefix, oc->add, oc->ctx);
}

void
repl_complete_words(struct repl *r, int argc, const char **argv, int idx, const char *prefix,
		    void (*add)(void *ctx, const char *cand), void *ctx)
{
	static const char *schemes[] = { "socks4://", "socks4a://", "socks5://", "socks5h://" };
	const struct cmd *c;
	char why[300];
	enum comp_kind kind;

	if (idx == 0) {
		for (size_t i = 0; i < repl_ncmds; i++)
			offer(repl_cmds[i].name, prefix, add, ctx);
		return;
	}
	if (argc == 0 || (c = cmd_lookup(argv[0], why, sizeof(why))) == NULL)
		return;
	kind = c->comp[idx - 1 < 2 ? idx - 1 : 2];
	switch (kind) {
	case CK_COMMAND:
		for (size_t i = 0; i < repl_ncmds; i++)
			offer(repl_cmds[i].name, prefix, add, ctx);
		break;
	case CK_FIELD:
		complete_fields(r, prefix, add, ctx);
		break;
	case CK_VALUE:
		if (idx >= 2 && idx - 1 < argc)
			complete_values(r, argv[idx - 1], prefix, add, ctx);
		break;
	case CK_MESSAGE: {
		enum rs_draft in_use[RD_COUNT];
		int n = rs_drafts(r->s, in_use);

		for (int k = 0; k < n; k++)
			offer(rs_draft_key(in_use[k]), prefix, add, ctx);
		break;
	}
	case CK_SCHEME: {
		struct offer_ctx oc = { prefix, add, ctx };

		for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
			offer(schemes[i], prefix, add, ctx);
		if (prefix[0] == '@' || prefix[0] == '\0')
			proxyconf_names(offer_named, &oc);
		break;
	}
	case CK_FILE:
		complete_files(prefix, add, ctx);
		break;
	case CK_NONE:
		break;
	}
}

void
repl_dump_commands(FILE *fp)
{
	for (size_t i = 0; i < repl_ncmds; i++)
		fprintf(fp, "%s\n", repl_cmds[i].name);
}
