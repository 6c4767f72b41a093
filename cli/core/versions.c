/* The SOCKS versions a proxy URL names: one row each (versions.h). */
#include "versions.h"

#include <string.h>
#include <strings.h>

static const struct version_facts facts[] = {
	{ .version = SOCKS4, .scheme = "socks4", .title = "SOCKS4", .wire = 4,
	  .proxy_resolves = false, .twin = SOCKS4A,
	  .has_password = false, .has_ipv6 = false, .has_name = false },
	{ .version = SOCKS4A, .scheme = "socks4a", .title = "SOCKS4a", .wire = 4,
	  .proxy_resolves = true, .twin = SOCKS4,
	  .has_password = false, .has_ipv6 = false, .has_name = true },
	{ .version = SOCKS5, .scheme = "socks5", .title = "SOCKS5", .wire = 5,
	  .proxy_resolves = false, .twin = SOCKS5H,
	  .has_password = true, .has_ipv6 = true, .has_name = true },
	{ .version = SOCKS5H, .scheme = "socks5h", .title = "SOCKS5", .wire = 5,
	  .proxy_resolves = true, .twin = SOCKS5,
	  .has_password = true, .has_ipv6 = true, .has_name = true },
};
#define NFACTS (sizeof(facts) / sizeof(facts[0]))

const struct version_facts *
version_facts(enum socks_version v)
{
	for (size_t i = 0; i < NFACTS; i++)
		if (facts[i].version == v)
			return &facts[i];
	return &facts[NFACTS - 1];
}

const struct version_facts *
version_by_scheme(const char *s, size_t n)
{
	for (size_t i = 0; i < NFACTS; i++)
		if (strlen(facts[i].scheme) == n && strncasecmp(s, facts[i].scheme, n) == 0)
			return &facts[i];
	return NULL;
}
