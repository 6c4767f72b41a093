/*
 * Which proxies a run uses: -x (with @NAME from the config file), else the
 * config's default, else the environment; then the credentials netrc
 * holds for hosts that have none.  See proxyconf.h.
 */
#include "proxyconf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conffile.h"
#include "netrc.h"
#include "secrets.h"
#include "url.h"
#include "why.h"

struct files {
	char conf_path[PATH_MAX];
	bool conf_tried, conf_found;
	struct proxyconf conf;
	char netrc_path[PATH_MAX];
	bool netrc_tried, netrc_usable;
	struct netrc netrc;
};

/* The config file, read once; a missing one is an empty one. */
static int
load_config(struct files *f, char *why, size_t whylen)
{
	char *text;
	size_t len;
	mode_t mode;
	int rc;

	if (f->conf_tried)
		return 0;
	f->conf_tried = true;
	f->conf.default_index = -1;
	if (conf_user_path("config", f->conf_path, sizeof(f->conf_path)) < 0)
		return 0;
	if ((rc = conf_read(f->conf_path, &text, &len, &mode, why, whylen)) != 0)
		return rc > 0 ? 0 : -1;
	rc = proxyconf_parse(text, len, f->conf_path, &f->conf, why, whylen);
	explicit_bzero(text, len);
	free(text);
	if (rc == 0 && f->conf.has_password) {
		secret_keep_in();
		if ((rc = conf_private(f->conf_path, mode, why, whylen)) < 0)
			proxyconf_free(&f->conf);
	}
	f->conf_found = rc == 0;
	return rc;
}

static int
add_url(struct proxy_choice *pc, const char *url, bool copy, char *why, size_t whylen)
{
	if (pc->n == MAX_HOPS)
		return refuse(why, whylen, "at most %d proxies in a chain", MAX_HOPS);
	pc->urls[pc->n] = copy ? strdup(url) : (char *)url;
	if (pc->urls[pc->n] == NULL)
		return refuse(why, whylen, "out of memory");
	pc->owned[pc->n++] = copy;
	return 0;
}

static void
note(struct proxy_choice *pc, const char *url, const char *from)
{
	char masked[HOST_MAX + 64];
	size_t used = strlen(pc->notes);

	secret_url_mask(url, masked, sizeof(masked));
	snprintf(pc->notes + used, sizeof(pc->notes) - used, "proxy %s from %s\n", masked, from);
}

static int
add_entry(struct proxy_choice *pc, const struct files *f, const struct proxyconf_entry *e,
	  const char *how, char *why, size_t whylen)
{
	char from[PATH_MAX + 100];

	snprintf(from, sizeof(from), "%s:%u (%s)", f->conf_path, e->line, how);
	for (int k = 0; k < e->nurls; k++) {
		if (add_url(pc, e->urls[k], true, why, whylen) < 0)
			return -1;
		note(pc, e->urls[k], from);
	}
	return 0;
}

/* -x @NAME */
static int
add_named(struct proxy_choice *pc, struct files *f, const char *arg, char *why, size_t whylen)
{
	const struct proxyconf_entry *e;
	char q[QUOTE_BUF];

	if (load_config(f, why, whylen) < 0)
		return -1;
	if (!f->conf_found)
		return refuse(why, whylen, "-x %s: no config file%s%s",
			      secret_quote(arg, q, sizeof(q)), f->conf_path[0] ? " " : "",
			      f->conf_path);
	if ((e = proxyconf_find(&f->conf, arg + 1)) == NULL)
		return refuse(why, whylen, "-x %s: %s names no such proxy",
			      secret_quote(arg, q, sizeof(q)), f->conf_path);
	return add_entry(pc, f, e, arg, why, whylen);
}

/* "socks5h://HOST:PORT/", as desktops write ALL_PROXY: curl ignores the
 * empty path, and so does this; a path that says more is left for the URL's
 * parser to refuse. */
static void
drop_empty_path(char *url)
{
	char *sep = strstr(url, "://"), *slash;

	if (sep != NULL && (slash = strchr(sep + 3, '/')) != NULL && slash[1] == '\0')
		*slash = '\0';
}

/* No -x: the config's default, else the environment's proxy. */
static int
add_default(struct proxy_choice *pc, struct files *f, char *why, size_t whylen)
{
	const char *var, *value;

	if (load_config(f, why, whylen) < 0)
		return -1;
	if (f->conf_found && f->conf.default_index >= 0) {
		const struct proxyconf_entry *e = &f->conf.entries[f->conf.default_index];
		char how[PROXYCONF_NAME_MAX + 20];

		snprintf(how, sizeof(how), "default %s", e->name);
		return add_entry(pc, f, e, how, why, whylen);
	}
	if (proxyconf_env(&var, &value, why, whylen) < 0)
		return -1;
	if (var == NULL)
		return 0;
	if (secret_url_has_password(value))
		secret_keep_in();
	if (add_url(pc, value, true, why, whylen) < 0)
		return -1;
	drop_empty_path(pc->urls[pc->n - 1]);
	note(pc, pc->urls[pc->n - 1], var);
	return 0;
}

static bool
socks_scheme(const char *s, size_t n)
{
	static const char *const schemes[] = { "socks4", "socks4a", "socks5", "socks5h" };

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i]) == n && strncasecmp(s, schemes[i], n) == 0)
			return true;
	return false;
}

int
proxyconf_env(const char **var, const char **value, char *why, size_t whylen)
{
	/* curl: the scheme's variable (lower case first), then all_proxy. */
	static const char *const names[] = { "socks_proxy", "SOCKS_PROXY", "all_proxy", "ALL_PROXY" };
	const char *v = NULL, *sep;
	char q[QUOTE_BUF];
	size_t i;

	*var = *value = NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((v = getenv(names[i])) != NULL && v[0] != '\0')
			break;
	if (i == sizeof(names) / sizeof(names[0]))
		return 0;
	sep = strstr(v, "://");
	if (sep == NULL || memchr(v, '@', (size_t)(sep - v)) != NULL)
		return refuse(why, whylen,
			      "%s='%s' has no scheme, which curl reads as an HTTP proxy: write "
			      "socks5h://HOST:PORT there, or give -x", names[i],
			      secret_quote(v, q, sizeof(q)));
	if ((sep - v == 4 && strncasecmp(v, "http", 4) == 0) ||
	    (sep - v == 5 && strncasecmp(v, "https", 5) == 0))
		return refuse(why, whylen,
			      "%s='%s' is an HTTP proxy, and sockscope speaks SOCKS only: give -x "
			      "socks5h://HOST:PORT", names[i], secret_quote(v, q, sizeof(q)));
	if (!socks_scheme(v, (size_t)(sep - v)))
		return refuse(why, whylen,
			      "%s='%s': the scheme is socks4, socks4a, socks5 or socks5h", names[i],
			      secret_quote(v, q, sizeof(q)));
	*var = names[i];
	*value = v;
	return 0;
}

/* netrc, read once and only when a hop needs it.  A readable ~/.netrc that
 * holds a password is not used (ftp and ssh refuse theirs); the file named
 * by --netrc-file is the user's demand, so its faults are errors. */
static int
load_netrc(struct files *f, const char *given, char *warning, size_t wlen, char *why,
	   size_t whylen)
{
	const char *home = getenv("HOME");
	char *text, problem[PATH_MAX + 200];
	size_t len;
	mode_t mode;
	int rc, n;

	if (f->netrc_tried)
		return 0;
	f->netrc_tried = true;
	if (given == NULL && (home == NULL || home[0] == '\0'))
		return 0;
	n = snprintf(f->netrc_path, sizeof(f->netrc_path), "%s%s", given ? given : home,
		     given ? "" : "/.netrc");
	if (n < 0 || (size_t)n >= sizeof(f->netrc_path)) {
		/* cut, it would name another file */
		f->netrc_path[0] = '\0';
		if (given != NULL)
			return refuse(why, whylen, "--netrc-file: a path of %d bytes is too long", n);
		snprintf(warning, wlen, "$HOME/.netrc: a path of %d bytes is too long; not used", n);
		return 0;
	}
	rc = conf_read(f->netrc_path, &text, &len, &mode, problem, sizeof(problem));
	if (rc > 0 && given == NULL)
		return 0;
	if (rc > 0)
		snprintf(problem, sizeof(problem), "%s: no such file", f->netrc_path);
	if (rc == 0) {
		rc = netrc_parse(text, len, f->netrc_path, &f->netrc, problem, sizeof(problem));
		explicit_bzero(text, len);
		free(text);
		if (rc == 0 && f->netrc.has_password) {
			secret_keep_in();
			rc = conf_private(f->netrc_path, mode, problem, sizeof(problem));
		}
	}
	if (rc == 0) {
		f->netrc_usable = true;
		return 0;
	}
	netrc_free(&f->netrc);
	if (given != NULL)
		return refuse(why, whylen, "%s", problem);
	snprintf(warning, wlen, "%s; not used", problem);
	return 0;
}

static void
percent_encode(const char *s, char *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~", c) &&
		    c != '\0') {
			*out++ = (char)c;
		} else {
			*out++ = '%';
			*out++ = hex[c >> 4];
			*out++ = hex[c & 15];
		}
	}
	*out = '\0';
}

/* url with credentials put in: ":PASS" before its '@' when it names a user
 * (has_user), else "LOGIN[:PASS]@" after its scheme.  Heap, or NULL. */
static char *
with_credentials(const char *url, bool has_user, const char *login, const char *pass)
{
	char enc_login[CRED_MAX * 3 + 1] = "", enc_pass[CRED_MAX * 3 + 2] = "";
	const char *sep = strstr(url, "://");
	size_t at = has_user ? (size_t)(strrchr(url, '@') - url) : sep ? (size_t)(sep + 3 - url) : 0;
	size_t len = strlen(url) + sizeof(enc_login) + sizeof(enc_pass) + 2;
	char *out = malloc(len);

	if (out == NULL)
		return NULL;
	if (!has_user)
		percent_encode(login, enc_login);
	if (pass != NULL) {
		enc_pass[0] = ':';
		percent_encode(pass, enc_pass + 1);
	}
	snprintf(out, len, "%.*s%s%s%s%s", (int)at, url, enc_login, enc_pass, has_user ? "" : "@",
		 url + at);
	explicit_bzero(enc_pass, sizeof(enc_pass));
	return out;
}

/* Hop i's credentials from netrc when neither its URL nor -U give a password. */
static int
fill_credentials(struct proxy_choice *pc, int i, const struct credentials *u, struct files *f,
		 const char *netrc_path, char *why, size_t whylen)
{
	struct proxy p;
	const struct netrc_entry *e;
	const char *login = NULL;
	char *url, from[PATH_MAX + HOST_MAX + 40];
	int rc = 0;

	/* A URL that does not parse is left as it is: its user says why. */
	if (parse_proxy_url(pc->urls[i], &p, why, whylen) < 0 || p.cred.has_pass ||
	    (!p.cred.has_user && u->has_pass))
		goto out;
	if (p.cred.has_user || u->has_user)
		login = p.cred.has_user ? p.cred.user : u->user;
	if ((rc = load_netrc(f, netrc_path, pc->warning, sizeof(pc->warning), why, whylen)) < 0 ||
	    !f->netrc_usable || (e = netrc_find(&f->netrc, p.host.name, login)) == NULL)
		goto out;
	if (login == NULL && !e->has_login)
		goto out; /* a password for no one */
	if (!e->has_password && (p.cred.has_user || !e->has_login))
		goto out;
	url = with_credentials(pc->urls[i], p.cred.has_user, login ? login : e->login,
			       e->has_password ? e->password : NULL);
	if (url == NULL) {
		rc = refuse(why, whylen, "out of memory");
		goto out;
	}
	if (pc->owned[i]) {
		explicit_bzero(pc->urls[i], strlen(pc->urls[i]));
		free(pc->urls[i]);
	}
	pc->urls[i] = url;
	pc->owned[i] = true;
	snprintf(from, sizeof(from), "credentials for %s from %s:%u\n", p.host.name, f->netrc_path,
		 e->line);
	snprintf(pc->notes + strlen(pc->notes), sizeof(pc->notes) - strlen(pc->notes), "%s", from);
out:
	explicit_bzero(&p, sizeof(p));
	return rc;
}

int
proxyconf_choose(char *const *given, int ngiven, bool want_default, const char *user,
		 const char *netrc_path, struct proxy_choice *pc, char *why, size_t whylen)
{
	struct files *f = calloc(1, sizeof(*f));
	struct credentials u;
	int rc = 0;

	memset(pc, 0, sizeof(*pc));
	memset(&u, 0, sizeof(u));
	if (f == NULL)
		return refuse(why, whylen, "out of memory");
	for (int i = 0; i < ngiven && rc == 0; i++)
		rc = given[i][0] == '@' ? add_named(pc, f, given[i], why, whylen)
					: add_url(pc, given[i], false, why, whylen);
	if (rc == 0 && ngiven == 0 && want_default)
		rc = add_default(pc, f, why, whylen);
	/* -U's faults are its mode's to report, with its words. */
	if (rc == 0 && user != NULL && parse_credentials(user, &u, why, whylen) < 0)
		memset(&u, 0, sizeof(u));
	for (int i = 0; i < pc->n && rc == 0; i++)
		rc = fill_credentials(pc, i, &u, f, netrc_path, why, whylen);
	explicit_bzero(&u, sizeof(u));
	proxyconf_free(&f->conf);
	netrc_free(&f->netrc);
	free(f);
	if (rc < 0)
		proxy_choice_free(pc);
	return rc;
}

void
proxy_choice_free(struct proxy_choice *pc)
{
	for (int i = 0; i < pc->n; i++)
		if (pc->owned[i]) {
			explicit_bzero(pc->urls[i], strlen(pc->urls[i]));
			free(pc->urls[i]);
		}
	pc->n = 0;
}

void
proxyconf_names(void (*fn)(const char *name, void *ctx), void *ctx)
{
	struct files *f = calloc(1, sizeof(*f));
	char why[PATH_MAX + 200];

	if (f == NULL)
		return;
	if (load_config(f, why, sizeof(why)) == 0 && f->conf_found)
		for (size_t i = 0; i < f->conf.n; i++)
			fn(f->conf.entries[i].name, ctx);
	proxyconf_free(&f->conf);
	free(f);
}
