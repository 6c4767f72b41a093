/* The config file's named proxies: parsed with every refusal at file:line. */
#include "proxyconf.h"

#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "secrets.h"
#include "url.h"
#include "why.h"

#define STATEMENT_WORDS (2 + MAX_HOPS)

struct statement {
	char words[STATEMENT_WORDS][CONF_WORD_MAX + 1];
	int n;
	unsigned line;
};

static bool
good_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return n > 0 && s[n] == '\0' && n <= PROXYCONF_NAME_MAX;
}

static int
check_name(const char *path, unsigned line, const char *name, char *why, size_t whylen)
{
	char q[QUOTE_BUF];

	if (good_name(name))
		return 0;
	return refuse(why, whylen,
		      "%s:%u: bad name '%s' (1 to %d letters, digits, '.', '_' or '-')", path, line,
		      secret_quote(name, q, sizeof(q)), PROXYCONF_NAME_MAX);
}

/* `proxy NAME URL...`: each URL must parse, as -x would take it. */
static int
take_proxy(struct proxyconf *pc, const struct statement *st, const char *path, char *why,
	   size_t whylen)
{
	const struct proxyconf_entry *dup;
	struct proxyconf_entry *e, *grown;
	struct proxy p;
	char reason[400];

	if (st->n < 3)
		return refuse(why, whylen, "%s:%u: proxy: give a NAME and at least one URL", path,
			      st->line);
	if (check_name(path, st->line, st->words[1], why, whylen) < 0)
		return -1;
	if ((dup = proxyconf_find(pc, st->words[1])) != NULL)
		return refuse(why, whylen, "%s:%u: proxy %s: already defined at line %u", path,
			      st->line, st->words[1], dup->line);
	for (int i = 2; i < st->n; i++)
		if (st->words[i][0] == '@')
			return refuse(why, whylen,
				      "%s:%u: proxy %s, URL %d: '@...' names a proxy, and a proxy "
				      "here lists URLs only", path, st->line, st->words[1], i - 1);
		else if (parse_proxy_url(st->words[i], &p, reason, sizeof(reason)) < 0) {
			explicit_bzero(&p, sizeof(p));
			return refuse(why, whylen, "%s:%u: proxy %s, URL %d: %s", path, st->line,
				      st->words[1], i - 1, reason);
		}
	explicit_bzero(&p, sizeof(p));
	if (pc->n == PROXYCONF_ENTRIES_MAX)
		return refuse(why, whylen, "%s:%u: more than %d proxies", path, st->line,
			      PROXYCONF_ENTRIES_MAX);
	if ((grown = realloc(pc->entries, (pc->n + 1) * sizeof(*grown))) == NULL)
		return refuse(why, whylen, "%s: out of memory", path);
	pc->entries = grown;
	e = &pc->entries[pc->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", st->words[1]);
	e->line = st->line;
	pc->n++;
	for (int i = 2; i < st->n; i++) {
		if ((e->urls[e->nurls] = strdup(st->words[i])) == NULL)
			return refuse(why, whylen, "%s: out of memory", path);
		e->nurls++;
		pc->has_password = pc->has_password || secret_url_has_password(st->words[i]);
	}
	return 0;
}

static int
take_statement(struct proxyconf *pc, const struct statement *st, const char *path, char *why,
	       size_t whylen)
{
	char q[QUOTE_BUF];

	if (strcmp(st->words[0], "proxy") == 0)
		return take_proxy(pc, st, path, why, whylen);
	if (strcmp(st->words[0], "default") != 0)
		return refuse(why, whylen, "%s:%u: unknown statement '%s' (proxy, default)", path,
			      st->line, secret_quote(st->words[0], q, sizeof(q)));
	if (st->n != 2)
		return refuse(why, whylen, "%s:%u: default: give one NAME", path, st->line);
	if (check_name(path, st->line, st->words[1], why, whylen) < 0)
		return -1;
	if (pc->default_line != 0)
		return refuse(why, whylen, "%s:%u: default: already given at line %u", path,
			      st->line, pc->default_line);
	pc->default_line = st->line; /* its proxy may come later: resolved at the end */
	return 0;
}

/* The default's name, kept aside until the whole file is read. */
static int
resolve_default(struct proxyconf *pc, const char *name, const char *path, char *why, size_t whylen)
{
	const struct proxyconf_entry *e;

	if (pc->default_line == 0)
		return 0;
	if ((e = proxyconf_find(pc, name)) == NULL)
		return refuse(why, whylen, "%s:%u: default %s: no proxy of that name", path,
			      pc->default_line, name);
	pc->default_index = (int)(e - pc->entries);
	return 0;
}

static int
parse_statements(struct conf_words *w, struct proxyconf *pc, struct statement *st,
		 char *default_name, char *why, size_t whylen)
{
	char word[CONF_WORD_MAX + 1];
	size_t len;
	unsigned line;
	bool first;
	int rc;

	st->n = 0;
	while ((rc = conf_word(w, word, sizeof(word), &len, &line, &first, why, whylen)) >= 0) {
		if ((rc == 0 || first) && st->n > 0) {
			if (strcmp(st->words[0], "default") == 0 && st->n == 2)
				snprintf(default_name, PROXYCONF_NAME_MAX + 1, "%s", st->words[1]);
			if (take_statement(pc, st, w->path, why, whylen) < 0)
				return -1;
			st->n = 0;
		}
		if (rc == 0)
			return 0;
		if (st->n == STATEMENT_WORDS)
			return refuse(why, whylen, "%s:%u: more than %d hops in a chain", w->path,
				      line, MAX_HOPS);
		if (st->n == 0)
			st->line = line;
		memcpy(st->words[st->n++], word, len + 1);
	}
	return -1;
}

int
proxyconf_parse(const char *text, size_t len, const char *path, struct proxyconf *pc, char *why,
		size_t whylen)
{
	struct conf_words w;
	struct statement *st = malloc(sizeof(*st));
	char default_name[PROXYCONF_NAME_MAX + 1] = "";
	int rc = -1;

	memset(pc, 0, sizeof(*pc));
	pc->default_index = -1;
	if (st == NULL)
		return refuse(why, whylen, "%s: out of memory", path);
	if (conf_words_init(&w, text, len, path, why, whylen) == 0 &&
	    parse_statements(&w, pc, st, default_name, why, whylen) == 0)
		rc = resolve_default(pc, default_name, path, why, whylen);
	explicit_bzero(st, sizeof(*st));
	free(st);
	if (rc < 0)
		proxyconf_free(pc);
	return rc;
}

const struct proxyconf_entry *
proxyconf_find(const struct proxyconf *pc, const char *name)
{
	for (size_t i = 0; i < pc->n; i++)
		if (strcmp(pc->entries[i].name, name) == 0)
			return &pc->entries[i];
	return NULL;
}

void
proxyconf_free(struct proxyconf *pc)
{
	for (size_t i = 0; i < pc->n; i++)
		for (int k = 0; k < pc->entries[i].nurls; k++) {
			explicit_bzero(pc->entries[i].urls[k], strlen(pc->entries[i].urls[k]));
			free(pc->entries[i].urls[k]);
		}
	free(pc->entries);
	memset(pc, 0, sizeof(*pc));
	pc->default_index = -1;
}
