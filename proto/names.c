/*
 * What every SOCKS code means, one table per field (see names.h).  The
 * same codes, with the document each comes from (RFC 1928, RFC 1929,
 * RFC 1961, IANA, Tor): doc/PROTOCOL.md.
 */
#include "names.h"

#include <strings.h>

#define TABLE(var, lbl, arr) \
	const struct name_table var = { lbl, sizeof(arr) / sizeof((arr)[0]), arr }

static const struct name_entry s4_version[] = {
	{ 0x04, 0x04, "socks4", "SOCKS4", 0 },
};
TABLE(names_s4_version, "SOCKS4 version", s4_version);

static const struct name_entry s4_reply_version[] = {
	{ 0x00, 0x00, NULL, "reply version", 0 },
};
TABLE(names_s4_reply_version, "SOCKS4 reply version", s4_reply_version);

static const struct name_entry s4_command[] = {
	{ 0x01, 0x01, "connect", "CONNECT", 0 },
	{ 0x02, 0x02, "bind", "BIND", 0 },
	{ 0xf0, 0xf0, "resolve", "RESOLVE (Tor)", 0 },
};
TABLE(names_s4_command, "SOCKS4 command", s4_command);

static const struct name_entry s4_reply[] = {
	{ 0x5a, 0x5a, "granted", "request granted", 0 },
	{ 0x5b, 0x5b, "rejected", "request rejected or failed", 0 },
	{ 0x5c, 0x5c, "no-identd", "rejected: server cannot reach the client's identd", 0 },
	{ 0x5d, 0x5d, "identd-mismatch",
	  "rejected: identd and client report different user ids", 0 },
};
TABLE(names_s4_reply, "SOCKS4 reply code", s4_reply);

static const struct name_entry s5_version[] = {
	{ 0x05, 0x05, "socks5", "SOCKS5", 0 },
};
TABLE(names_s5_version, "SOCKS5 version", s5_version);

static const struct name_entry s5_method[] = {
	{ 0x00, 0x00, "noauth", "NO AUTHENTICATION REQUIRED", 0 },
	{ 0x01, 0x01, "gssapi", "GSSAPI", 0 },
	{ 0x02, 0x02, "userpass", "USERNAME/PASSWORD", 0 },
	{ 0x03, 0x03, "chap", "CHAP (IANA)", 0 },
	{ 0x04, 0x04, NULL, "unassigned", NE_UNASSIGNED },
	{ 0x05, 0x05, "challenge", "challenge-response (IANA)", 0 },
	{ 0x06, 0x06, "ssl", "SSL (IANA)", 0 },
	{ 0x07, 0x07, "nds", "NDS authentication (IANA)", 0 },
	{ 0x08, 0x08, "maf", "multi-authentication framework (IANA)", 0 },
	{ 0x09, 0x09, "json", "JSON parameter block (IANA)", 0 },
	{ 0x0a, 0x7f, NULL, "unassigned (IANA range)", NE_UNASSIGNED },
	{ 0x80, 0xfe, NULL, "private method", NE_PRIVATE },
	{ 0xff, 0xff, "no-acceptable", "NO ACCEPTABLE METHODS", 0 },
};
TABLE(names_s5_method, "SOCKS5 method", s5_method);

static const struct name_entry s5_command[] = {
	{ 0x01, 0x01, "connect", "CONNECT", 0 },
	{ 0x02, 0x02, "bind", "BIND", 0 },
	{ 0x03, 0x03, "udp", "UDP ASSOCIATE", 0 },
	{ 0xf0, 0xf0, "resolve", "RESOLVE (Tor)", 0 },
	{ 0xf1, 0xf1, "resolve-ptr", "RESOLVE_PTR (Tor)", 0 },
};
TABLE(names_s5_command, "SOCKS5 command", s5_command);

static const struct name_entry s5_reply[] = {
	{ 0x00, 0x00, "succeeded", "succeeded", 0 },
	{ 0x01, 0x01, "failure", "general SOCKS server failure", 0 },
	{ 0x02, 0x02, "not-allowed", "connection not allowed by ruleset", 0 },
	{ 0x03, 0x03, "net-unreachable", "network unreachable", 0 },
	{ 0x04, 0x04, "host-unreachable", "host unreachable", 0 },
	{ 0x05, 0x05, "refused", "connection refused", 0 },
	{ 0x06, 0x06, "ttl-expired", "TTL expired", 0 },
	{ 0x07, 0x07, "cmd-unsupported", "command not supported", 0 },
	{ 0x08, 0x08, "atyp-unsupported", "address type not supported", 0 },
	{ 0x09, 0xef, NULL, "unassigned", NE_UNASSIGNED },
	{ 0xf0, 0xf0, "onion-desc-not-found", "onion service descriptor not found (Tor)", 0 },
	{ 0xf1, 0xf1, "onion-desc-invalid", "onion service descriptor invalid (Tor)", 0 },
	{ 0xf2, 0xf2, "onion-intro-failed", "onion service introduction failed (Tor)", 0 },
	{ 0xf3, 0xf3, "onion-rend-failed", "onion service rendezvous failed (Tor)", 0 },
	{ 0xf4, 0xf4, "onion-missing-auth", "onion service missing client authorization (Tor)", 0 },
	{ 0xf5, 0xf5, "onion-wrong-auth", "onion service wrong client authorization (Tor)", 0 },
	{ 0xf6, 0xf6, "onion-bad-address", "onion service invalid address (Tor)", 0 },
	{ 0xf7, 0xf7, "onion-intro-timeout", "onion service introduction timed out (Tor)", 0 },
	{ 0xf8, 0xff, NULL, "unassigned", NE_UNASSIGNED },
};
TABLE(names_s5_reply, "SOCKS5 reply code", s5_reply);

static const struct name_entry s5_atyp[] = {
	{ 0x01, 0x01, "ipv4", "IPv4 address", 0 },
	{ 0x03, 0x03, "domain", "domain name", 0 },
	{ 0x04, 0x04, "ipv6", "IPv6 address", 0 },
};
TABLE(names_s5_atyp, "SOCKS5 address type", s5_atyp);

static const struct name_entry auth_version[] = {
	{ 0x01, 0x01, NULL, "subnegotiation version 1", 0 },
};
TABLE(names_auth_version, "subnegotiation version", auth_version);

static const struct name_entry auth_status[] = {
	{ 0x00, 0x00, "success", "success", 0 },
	{ 0x01, 0xff, "failure", "failure", 0 },
};
TABLE(names_auth_status, "RFC 1929 status", auth_status);

static const struct name_entry gssapi_mtyp[] = {
	{ 0x01, 0x01, "auth", "authentication", 0 },
	{ 0x02, 0x02, "protection", "protection-level negotiation", 0 },
	{ 0x03, 0x03, "encapsulation", "encapsulated user data", 0 },
	{ 0xff, 0xff, "abort", "abort", 0 },
};
TABLE(names_gssapi_mtyp, "GSSAPI message type", gssapi_mtyp);

const struct name_entry *
names_find(const struct name_table *t, uint32_t code)
{
	if (t == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (code >= t->entries[i].lo && code <= t->entries[i].hi)
			return &t->entries[i];
	return NULL;
}

long
names_lookup_key(const struct name_table *t, const char *key)
{
	if (t == NULL || key == NULL)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		if (t->entries[i].key != NULL && strcasecmp(t->entries[i].key, key) == 0)
			return (long)t->entries[i].lo;
	return -1;
}
