/*
 * The proxy URL, target, credential, host and port parsers on any string.
 *
 * Input: A, then optionally a 0x00 and B (up to the next 0x00).  A and B are
 * copied into heap blocks of exactly their length plus the NUL, so a read
 * past the string is an ASan report.  Calls: parse_proxy_url(A),
 * parse_target(A, NULL), parse_target(A, B), parse_credentials(A),
 * parse_port(A), parse_host(A) and parse_host() over the raw input, NULs and
 * all.
 *
 * Checks: 0 or -1; a refusal says why in a NUL-terminated why[]; what is
 * accepted is well formed (lengths within bounds and matching the strings,
 * no NUL inside a credential, addresses of the kind said); what is accepted
 * survives a round trip: host_format() output parses back to the same host,
 * a proxy written back as scheme://user:pass@host:port (credentials
 * percent-encoded) parses back to the same proxy, a port printed back parses
 * to the same number.
 */
#include <arpa/inet.h>

#include "fuzz.h"
#include "url.h"

#define WHY_MAX 128
#define FMT_MAX (HOST_MAX + 16)

static char why[WHY_MAX];

static void
check_refusal(int rc)
{
	CHECKF(rc == -1, "rc %d", rc);
	CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	CHECK(why[0] != '\0');
}

static char *
dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	CHECK(d != NULL);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static bool
same_host(const struct host *a, const struct host *b)
{
	if (a->kind != b->kind || a->port != b->port)
		return false;
	switch (a->kind) {
	case HOST_IPV4:
		return memcmp(a->addr, b->addr, 4) == 0;
	case HOST_IPV6:
		return memcmp(a->addr, b->addr, 16) == 0;
	default:
		return a->namelen == b->namelen && memcmp(a->name, b->name, a->namelen) == 0;
	}
}

/* An accepted host (port aside): bounded, terminated, of the kind it says. */
static void
check_host(const struct host *h)
{
	char text[INET6_ADDRSTRLEN];
	struct host again;

	CHECK(h->kind == HOST_NAME || h->kind == HOST_IPV4 || h->kind == HOST_IPV6);
	CHECK(h->namelen > 0 && h->namelen <= HOST_MAX);
	CHECK(h->name[h->namelen] == '\0' && strlen(h->name) == h->namelen);
	if (h->kind == HOST_NAME) {
		for (size_t i = 0; i < h->namelen; i++)
			CHECKF((uint8_t)h->name[i] > ' ' && h->name[i] != '/' && h->name[i] != '@' &&
				       h->name[i] != ':',
			       "host name \"%s\"", h->name);
		return;
	}
	/* An address in its canonical text is the same address. */
	CHECK(inet_ntop(h->kind == HOST_IPV4 ? AF_INET : AF_INET6, h->addr, text,
			sizeof(text)) != NULL);
	CHECKF(parse_host(text, strlen(text), &again, why, sizeof(why)) == 0, "%s: %s", text,
	       why);
	again.port = h->port;
	CHECKF(same_host(h, &again), "\"%s\" is not \"%s\"", h->name, text);
}

/* host_format() within any buffer, and its text parses back as a target. */
static void
check_host_format(const struct host *h)
{
	char full[FMT_MAX], small[24];
	struct host again;

	memset(full, 'Z', sizeof(full));
	host_format(h, full, sizeof(full));
	CHECK(memchr(full, '\0', sizeof(full)) != NULL);
	for (size_t cap = 1; cap <= sizeof(small); cap += 7) {
		memset(small, 'Z', sizeof(small));
		host_format(h, small, cap);
		CHECK(memchr(small, '\0', cap) != NULL);
		CHECK(strncmp(small, full, strlen(small)) == 0);
	}
	/* A name that starts with '[' reads as a bracketed address: skip it. */
	if (h->kind == HOST_NAME && h->name[0] == '[')
		return;
	CHECKF(parse_target(full, NULL, &again, why, sizeof(why)) == 0,
	       "host_format gave \"%s\", which parse_target refuses: %s", full, why);
	CHECKF(same_host(h, &again), "\"%s\" read back differently", full);
}

static void
check_cred(const char *s, size_t len)
{
	CHECK(len <= CRED_MAX && s[len] == '\0' && strlen(s) == len);
}

static void
put_pct(char **w, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		*w += sprintf(*w, "%%%02X", (uint8_t)s[i]);
}

/* The proxy written back as a URL reads back as the same proxy. */
static void
check_proxy(const struct proxy *p)
{
	static char url[16 + 3 * (2 * CRED_MAX + 2) + FMT_MAX];
	struct proxy again;
	char *w = url;

	CHECK(strcmp(socks_version_scheme(p->version), "?") != 0);
	check_host(&p->host);
	check_host_format(&p->host);
	if (p->cred.has_user)
		check_cred(p->cred.user, p->cred.userlen);
	if (p->cred.has_pass) {
		CHECK(p->cred.has_user);
		check_cred(p->cred.pass, p->cred.passlen);
	}
	if (p->host.kind == HOST_NAME && p->host.name[0] == '[')
		return;
	w += sprintf(w, "%s://", socks_version_scheme(p->version));
	if (p->cred.has_user) {
		put_pct(&w, p->cred.user, p->cred.userlen);
		if (p->cred.has_pass) {
			*w++ = ':';
			put_pct(&w, p->cred.pass, p->cred.passlen);
		}
		*w++ = '@';
	}
	host_format(&p->host, w, sizeof(url) - (size_t)(w - url));
	CHECKF(parse_proxy_url(url, &again, why, sizeof(why)) == 0, "\"%s\": %s", url, why);
	CHECKF(again.version == p->version && again.cred.has_user == p->cred.has_user &&
		       again.cred.has_pass == p->cred.has_pass && again.cred.userlen == p->cred.userlen &&
		       again.cred.passlen == p->cred.passlen &&
		       memcmp(again.cred.user, p->cred.user, p->cred.userlen) == 0 &&
		       memcmp(again.cred.pass, p->cred.pass, p->cred.passlen) == 0 &&
		       same_host(&again.host, &p->host),
	       "\"%s\" read back differently", url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t alen = nul != NULL ? (size_t)(nul - text) : size;
	char *a = dup_n(text, alen), *b = NULL;
	struct proxy p;
	struct host h;
	uint16_t port;
	int rc;

	if (nul != NULL) {
		const char *bs = nul + 1;
		const char *bnul = memchr(bs, '\0', size - alen - 1);

		b = dup_n(bs, bnul != NULL ? (size_t)(bnul - bs) : size - alen - 1);
	}

	if ((rc = parse_proxy_url(a, &p, why, sizeof(why))) == 0)
		check_proxy(&p);
	else
		check_refusal(rc);

	if ((rc = parse_target(a, NULL, &h, why, sizeof(why))) == 0) {
		check_host(&h);
		check_host_format(&h);
	} else {
		check_refusal(rc);
	}

	if (b != NULL) {
		if ((rc = parse_target(a, b, &h, why, sizeof(why))) == 0) {
			check_host(&h);
			check_host_format(&h);
			CHECK(parse_port(b, &port, why, sizeof(why)) == 0 && port == h.port);
		} else {
			check_refusal(rc);
		}
	}

	memset(&p, 0, sizeof(p));
	if ((rc = parse_credentials(a, &p.cred, why, sizeof(why))) == 0) {
		CHECK(p.cred.has_user);
		check_cred(p.cred.user, p.cred.userlen);
		if (p.cred.has_pass)
			check_cred(p.cred.pass, p.cred.passlen);
	} else {
		check_refusal(rc);
	}

	if ((rc = parse_port(a, &port, why, sizeof(why))) == 0) {
		char back[8];
		uint16_t again;

		for (const char *c = a; *c != '\0'; c++)
			CHECK(*c >= '0' && *c <= '9');
		snprintf(back, sizeof(back), "%u", port);
		CHECK(parse_port(back, &again, why, sizeof(why)) == 0 && again == port);
	} else {
		check_refusal(rc);
	}

	if ((rc = parse_host(a, alen, &h, why, sizeof(why))) == 0)
		check_host(&h);
	else
		check_refusal(rc);
	/* The raw bytes, NULs and all: a NUL is refused, never read past. */
	if ((rc = parse_host(text, size, &h, why, sizeof(why))) == 0) {
		CHECK(nul == NULL);
		check_host(&h);
	} else {
		check_refusal(rc);
	}

	free(a);
	free(b);
	return 0;
}
