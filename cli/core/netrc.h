/*
 * ~/.netrc, as curl and ftp read it: `machine HOST login USER password
 * PASS` entries (words in any layout, "quoted" words too), `default`,
 * `account` (read, unused) and `macdef NAME` (its lines up to an empty one
 * skipped).  A proxy takes credentials from its own machine entry only:
 * the `default` entry, meant for anonymous FTP, never goes to a proxy.
 */
#ifndef SOCKSCOPE_NETRC_H
#define SOCKSCOPE_NETRC_H

#include <stdbool.h>
#include <stddef.h>

#include "url.h"

#define NETRC_ENTRIES_MAX 1000

struct netrc_entry {
	char machine[HOST_MAX + 1]; /* "" for default */
	bool is_default;
	bool has_login, has_password;
	char login[CRED_MAX + 1];
	char password[CRED_MAX + 1];
	unsigned line; /* where the entry starts */
};

struct netrc {
	struct netrc_entry *entries;
	size_t n;
	bool has_password; /* any entry: the file must then be private */
};

/* Parses text (path for messages); 0, or -1 with why ("PATH:LINE: ..."),
 * nr then empty. */
int netrc_parse(const char *text, size_t len, const char *path, struct netrc *nr, char *why,
		size_t whylen);

/* The first machine entry for host (case-insensitive) with a login equal
 * to login (any login when NULL); NULL when none. */
const struct netrc_entry *netrc_find(const struct netrc *nr, const char *host, const char *login);

/* Wipes the passwords and frees. */
void netrc_free(struct netrc *nr);

#endif
