/*
 * Where the proxy comes from when -x does not say it all (the man page's
 * FILES and ENVIRONMENT): `-x @NAME` and the default from the config file
 * $XDG_CONFIG_HOME/sockscope/config; the environment as curl reads it
 * (socks_proxy, SOCKS_PROXY, all_proxy, ALL_PROXY); credentials from
 * netrc by host.  Precedence: -x, then the config's default, then the
 * environment; for credentials: the URL, -U, netrc, then
 * SOCKSCOPE_PASSWORD or the prompt.
 *
 * The config file, one statement a line, words as conffile.h cuts them:
 *     proxy NAME URL [URL...]   a name for a proxy, or a chain (hops in order)
 *     default NAME              the proxy when -x is not given
 */
#ifndef SOCKSCOPE_PROXYCONF_H
#define SOCKSCOPE_PROXYCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "handshake.h"

#define PROXYCONF_NAME_MAX 64
#define PROXYCONF_ENTRIES_MAX 1000

struct proxyconf_entry {
	char name[PROXYCONF_NAME_MAX + 1];
	char *urls[MAX_HOPS]; /* heap */
	int nurls;
	unsigned line;
};

struct proxyconf {
	struct proxyconf_entry *entries;
	size_t n;
	int default_index;    /* -1: none */
	unsigned default_line;
	bool has_password;    /* a URL holds one: the file must then be private */
};

/* Parses a config file's text (path for messages); 0, or -1 with why
 * ("PATH:LINE: ..."), pc then empty. */
int proxyconf_parse(const char *text, size_t len, const char *path, struct proxyconf *pc,
		    char *why, size_t whylen);
/* The entry of that name, or NULL. */
const struct proxyconf_entry *proxyconf_find(const struct proxyconf *pc, const char *name);
/* Wipes the URLs (they may hold passwords) and frees. */
void proxyconf_free(struct proxyconf *pc);

/* The proxies sockscope is to use, and where each came from. */
struct proxy_choice {
	char *urls[MAX_HOPS];
	int n;
	bool owned[MAX_HOPS]; /* heap copies (wiped and freed), else the caller's */
	char notes[1200];     /* "proxy ... from ...\n" lines, for -v; no password */
	char warning[600];    /* a file not used (a readable ~/.netrc), or "" */
};

/*
 * given[0..ngiven): -x values, each a URL or @NAME (a name's hops in its
 * place).  With none and want_default: the config's default, else the
 * environment's; none at all leaves pc->n 0.  user: -U's USER[:PASS] or
 * NULL.  netrc_path: --netrc-file, or NULL for ~/.netrc (a missing one is
 * no error; a readable one holding a password is not used, pc->warning
 * says why).  0, or -1 with why.
 */
int proxyconf_choose(char *const *given, int ngiven, bool want_default, const char *user,
		     const char *netrc_path, struct proxy_choice *pc, char *why, size_t whylen);
void proxy_choice_free(struct proxy_choice *pc);

/* For completion: fn(name) for each proxy of the config file (none when it
 * cannot be read). */
void proxyconf_names(void (*fn)(const char *name, void *ctx), void *ctx);

/* The proxy from the environment, as curl reads it: *var names the variable
 * (NULL when none is set and not empty).  -1 with why when its value is no
 * SOCKS URL (http://, or no scheme, which curl reads as HTTP). */
int proxyconf_env(const char **var, const char **value, char *why, size_t whylen);

#endif
