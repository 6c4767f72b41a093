/* The netrc parser: words in, entries out; every refusal names file:line. */
#include "netrc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conffile.h"
#include "why.h"

struct netrc_parse {
	struct conf_words w;
	struct netrc *nr;
	char word[CONF_WORD_MAX + 1];
	size_t len;
	unsigned line;
	char *why;
	size_t whylen;
};

static int
next_word(struct netrc_parse *p)
{
	bool first;

	return conf_word(&p->w, p->word, sizeof(p->word), &p->len, &p->line, &first, p->why,
			 p->whylen);
}

static int
new_entry(struct netrc_parse *p, bool is_default)
{
	struct netrc *nr = p->nr;
	struct netrc_entry *e, *grown;

	if (nr->n == NETRC_ENTRIES_MAX)
		return refuse(p->why, p->whylen, "%s:%u: more than %d entries", p->w.path, p->line,
			      NETRC_ENTRIES_MAX);
	if ((grown = realloc(nr->entries, (nr->n + 1) * sizeof(*grown))) == NULL)
		return refuse(p->why, p->whylen, "%s: out of memory", p->w.path);
	nr->entries = grown;
	e = &nr->entries[nr->n++];
	memset(e, 0, sizeof(*e));
	e->is_default = is_default;
	e->line = p->line;
	return 0;
}

/* The value after KEY (machine, login, password, account, macdef) into
 * out[0..cap), refused when missing or longer. */
static int
value_of(struct netrc_parse *p, const char *key, char *out, size_t cap)
{
	unsigned key_line = p->line;
	int rc = next_word(p);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return refuse(p->why, p->whylen, "%s:%u: '%s' without a value", p->w.path,
			      key_line, key);
	if (p->len >= cap)
		return refuse(p->why, p->whylen, "%s:%u: the %s is longer than %zu bytes",
			      p->w.path, p->line, key, cap - 1);
	memcpy(out, p->word, p->len + 1);
	explicit_bzero(p->word, p->len);
	return 0;
}

/* One keyword and what it takes. */
static int
keyword(struct netrc_parse *p)
{
	struct netrc_entry *e = p->nr->n > 0 ? &p->nr->entries[p->nr->n - 1] : NULL;
	char scratch[CONF_WORD_MAX + 1];
	const char *k = p->word;

	if (strcmp(k, "machine") == 0)
		return new_entry(p, false) < 0 ? -1 :
		       value_of(p, "machine", p->nr->entries[p->nr->n - 1].machine, HOST_MAX + 1);
	if (strcmp(k, "default") == 0)
		return new_entry(p, true);
	if (strcmp(k, "macdef") == 0) {
		if (value_of(p, "macdef", scratch, sizeof(scratch)) < 0)
			return -1;
		conf_skip_paragraph(&p->w);
		return 0;
	}
	if (strcmp(k, "login") != 0 && strcmp(k, "password") != 0 && strcmp(k, "account") != 0)
		/* Not quoted: a word out of place may be a password. */
		return refuse(p->why, p->whylen,
			      "%s:%u: a word of %zu bytes where machine, default, login, "
			      "password, account or macdef was expected", p->w.path, p->line,
			      p->len);
	if (e == NULL)
		return refuse(p->why, p->whylen, "%s:%u: '%s' before any machine", p->w.path,
			      p->line, k);
	if (strcmp(k, "login") == 0) {
		e->has_login = true;
		return value_of(p, "login", e->login, sizeof(e->login));
	}
	if (strcmp(k, "password") == 0) {
		e->has_password = p->nr->has_password = true;
		return value_of(p, "password", e->password, sizeof(e->password));
	}
	return value_of(p, "account", scratch, sizeof(scratch));
}

int
netrc_parse(const char *text, size_t len, const char *path, struct netrc *nr, char *why,
	    size_t whylen)
{
	struct netrc_parse p = { .nr = nr, .why = why, .whylen = whylen };
	int rc;

	memset(nr, 0, sizeof(*nr));
	if (conf_words_init(&p.w, text, len, path, why, whylen) < 0)
		return -1;
	while ((rc = next_word(&p)) > 0)
		if (keyword(&p) < 0) {
			rc = -1;
			break;
		}
	explicit_bzero(p.word, sizeof(p.word));
	if (rc < 0)
		netrc_free(nr);
	return rc;
}

const struct netrc_entry *
netrc_find(const struct netrc *nr, const char *host, const char *login)
{
	for (size_t i = 0; i < nr->n; i++) {
		const struct netrc_entry *e = &nr->entries[i];

		if (e->is_default || strcasecmp(e->machine, host) != 0)
			continue;
		if (login == NULL || (e->has_login && strcmp(e->login, login) == 0))
			return e;
	}
	return NULL;
}

void
netrc_free(struct netrc *nr)
{
	if (nr->entries != NULL)
		explicit_bzero(nr->entries, nr->n * sizeof(*nr->entries));
	free(nr->entries);
	memset(nr, 0, sizeof(*nr));
}
