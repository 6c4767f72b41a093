/*
 * The facts of each SOCKS version a proxy URL can name, in one table
 * (versions.c): its scheme, its title, which protocol goes on the wire,
 * who resolves names, and what it can carry.  Everything that asks "is
 * this SOCKS5?" or "who resolves?" asks here.
 */
#ifndef SOCKSCOPE_VERSIONS_H
#define SOCKSCOPE_VERSIONS_H

#include <stdbool.h>
#include <stddef.h>

enum socks_version {
	SOCKS4,  /* names resolved by sockscope */
	SOCKS4A, /* names sent to the proxy */
	SOCKS5,  /* names resolved by sockscope */
	SOCKS5H, /* names sent to the proxy */
};

struct version_facts {
	enum socks_version version;
	const char *scheme;       /* "socks5h", as curl spells it */
	const char *title;        /* "SOCKS4a": in messages */
	int wire;                 /* 4 or 5: the protocol's version number */
	bool proxy_resolves;      /* a name goes to the proxy, not to our resolver */
	enum socks_version twin;  /* the same protocol with the other resolver */
	bool has_password;        /* RFC 1929: SOCKS4 has only a user id */
	bool has_ipv6;            /* an IPv6 address fits in its request */
	bool has_name;            /* a host name fits in its request */
};

/* The facts of v; never NULL (an unknown v gets SOCKS5H's, as the default). */
const struct version_facts *version_facts(enum socks_version v);
/* The version whose scheme is s[0..n), case aside; NULL when none is. */
const struct version_facts *version_by_scheme(const char *s, size_t n);

static inline bool
version_is_socks5(enum socks_version v)
{
	return version_facts(v)->wire == 5;
}

static inline bool
version_proxy_resolves(enum socks_version v)
{
	return version_facts(v)->proxy_resolves;
}

#endif
