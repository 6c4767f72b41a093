/*
 * Proxy URLs as curl spells them, [SCHEME://][USER[:PASS]@]HOST[:PORT], and
 * targets as HOST PORT, HOST:PORT or [V6]:PORT.  Strict: inet_pton, never
 * inet_aton (which takes "1.2.3" and "0x7f.1"), ports over the whole string.
 */
#include "url.h"
#include "secrets.h"
#include "why.h"
#include "hexparse.h"
#include "term.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


int
parse_port(const char *s, uint16_t *port, char *why, size_t whylen)
{
	unsigned long v;
	char *end, q[QUOTE_BUF];

	/* strtoul alone would take " 80", "+80" and "-1". */
	if (s[0] < '0' || s[0] > '9')
		return refuse(why, whylen, "bad port '%s': not a number", secret_quote(s, q, sizeof(q)));
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return refuse(why, whylen, "bad port '%s': not a number", secret_quote(s, q, sizeof(q)));
	if (errno == ERANGE || v > 65535)
		return refuse(why, whylen, "bad port '%s': out of range 0-65535",
			      secret_quote(s, q, sizeof(q)));
	*port = (uint16_t)v;
	return 0;
}

static int
looks_dotted(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != '.')
			return 0;
	return 1;
}

int
parse_host(const char *s, size_t len, struct host *h, char *why, size_t whylen)
{
	char buf[HOST_MAX + 1], q[QUOTE_BUF];

	memset(h, 0, sizeof(*h));
	if (len == 0)
		return refuse(why, whylen, "empty host name");
	if (len > HOST_MAX)
		return refuse(why, whylen, "host name of %zu bytes is too long", len);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (memchr(s, '\0', len) != NULL)
		return refuse(why, whylen, "host name holds a NUL byte");
	memcpy(h->name, buf, len + 1);
	h->namelen = len;
	/* what the messages quote: a URL given as a host keeps its password */
	secret_quote(buf, q, sizeof(q));
	if (strchr(buf, '%') != NULL && strchr(buf, ':') != NULL)
		return refuse(why, whylen,
			      "bad address '%s': IPv6 zone ids cannot be sent through a proxy", q);
	if (strchr(buf, ':') != NULL) {
		if (inet_pton(AF_INET6, buf, h->addr) != 1)
			return refuse(why, whylen, "bad IPv6 address '%s'", q);
		h->kind = HOST_IPV6;
		return 0;
	}
	if (looks_dotted(buf, len)) {
		if (inet_pton(AF_INET, buf, h->addr) != 1)
			return refuse(why, whylen, "bad IPv4 address '%s'", q);
		h->kind = HOST_IPV4;
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)buf[i] <= ' ' || buf[i] == '/' || buf[i] == '@')
			return refuse(why, whylen, "bad host name '%s'", q);
	h->kind = HOST_NAME;
	return 0;
}

/* Splits HOST:PORT or [V6]:PORT; *host points into s. */
static int
split_host_port(const char *s, const char **host, size_t *hostlen, const char **port,
		char *why, size_t whylen)
{
	const char *colon;
	char q[QUOTE_BUF];

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			return refuse(why, whylen, "bad address '%s': no closing ']'",
				      secret_quote(s, q, sizeof(q)));
		*host = s + 1;
		*hostlen = (size_t)(close - s - 1);
		if (close[1] == '\0') {
			*port = NULL;
			return 0;
		}
		if (close[1] != ':')
			return refuse(why, whylen, "bad address '%s': junk after ']'",
				      secret_quote(s, q, sizeof(q)));
		*port = close + 2;
		return 0;
	}
	colon = strrchr(s, ':');
	if (colon != NULL && strchr(s, ':') != colon)
		return refuse(why, whylen,
			      "bad address '%s': put an IPv6 address in brackets, [addr]:port",
			      secret_quote(s, q, sizeof(q)));
	*host = s;
	*hostlen = colon != NULL ? (size_t)(colon - s) : strlen(s);
	*port = colon != NULL ? colon + 1 : NULL;
	return 0;
}

/* Brackets are for IPv6 addresses only: "[example.com]" is refused. */
static int
bracket_not_ipv6(const char *given, const struct host *h, char *why, size_t whylen)
{
	char q[QUOTE_BUF];

	if (given[0] == '[' && h->kind != HOST_IPV6)
		return refuse(why, whylen, "bad address '%s': brackets hold IPv6 addresses only",
			      secret_quote(given, q, sizeof(q)));
	return 0;
}

int
parse_target(const char *host, const char *port, struct host *h, char *why, size_t whylen)
{
	const char *hp, *pp;
	size_t hl;

	if (port != NULL) {
		/* HOST PORT: the host may be a bare IPv6 address or bracketed. */
		size_t len = strlen(host);

		if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
			if (parse_host(host + 1, len - 2, h, why, whylen) < 0 ||
			    bracket_not_ipv6(host, h, why, whylen) < 0)
				return -1;
		} else if (parse_host(host, len, h, why, whylen) < 0) {
			return -1;
		}
		return parse_port(port, &h->port, why, whylen);
	}
	if (split_host_port(host, &hp, &hl, &pp, why, whylen) < 0)
		return -1;
	if (pp == NULL) {
		char q[QUOTE_BUF];

		return refuse(why, whylen, "no port in '%s': give HOST PORT or HOST:PORT",
			      secret_quote(host, q, sizeof(q)));
	}
	if (parse_host(hp, hl, h, why, whylen) < 0 || bracket_not_ipv6(host, h, why, whylen) < 0)
		return -1;
	return parse_port(pp, &h->port, why, whylen);
}

/* Percent-decodes s[0..len) into out; a credential may not hold NUL. */
static int
percent_decode(const char *s, size_t len, char *out, size_t *outlen, const char *what,
	       char *why, size_t whylen)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return refuse(why, whylen, "bad %%-escape in the %s", what);
			hi = hex_digit_value(s[i + 1]);
			lo = hex_digit_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				return refuse(why, whylen, "bad %%-escape in the %s", what);
			c = hi * 16 + lo;
			i += 2;
			if (c == 0)
				return refuse(why, whylen, "the %s holds a NUL byte", what);
		}
		if (n >= CRED_MAX)
			return refuse(why, whylen, "the %s is longer than %d bytes", what, CRED_MAX);
		out[n++] = (char)c;
	}
	out[n] = '\0';
	*outlen = n;
	return 0;
}

static int
set_credentials(const char *s, size_t len, struct credentials *c, char *why, size_t whylen)
{
	const char *colon = memchr(s, ':', len);
	size_t ulen = colon != NULL ? (size_t)(colon - s) : len;

	if (percent_decode(s, ulen, c->user, &c->userlen, "user name", why, whylen) < 0)
		return -1;
	c->has_user = true;
	if (colon != NULL) {
		if (percent_decode(colon + 1, len - ulen - 1, c->pass, &c->passlen, "password", why,
				   whylen) < 0)
			return -1;
		c->has_pass = true;
	}
	return 0;
}

/* RFC 1929's UNAME is 1 to 255 bytes, and an empty SOCKS4 USERID is the same
 * as none: a user given empty is a mistake either way. */
#define EMPTY_USER "empty USER (UNAME needs 1 to 255 bytes)"

int
parse_credentials(const char *s, struct credentials *c, char *why, size_t whylen)
{
	if (set_credentials(s, strlen(s), c, why, whylen) < 0)
		return -1;
	if (c->userlen == 0)
		return refuse(why, whylen, "%s", EMPTY_USER);
	return 0;
}

/* The scheme before "://" (sep): known, and with no user before it. */
static int
take_scheme(const char *url, const char *sep, struct proxy *p, char *why, size_t whylen)
{
	size_t n = (size_t)(sep - url);
	const char *at = memrchr(url, '@', n);
	char q[QUOTE_BUF];
	const struct version_facts *v;

	/* USER:PASS@socks5://HOST: only what follows the user is quoted. */
	if (at != NULL)
		return refuse(why, whylen,
			      "bad proxy '...@%s://...': the user goes after the scheme, as in "
			      "socks5://USER:PASS@HOST:PORT",
			      quote_span(at + 1, (size_t)(sep - at - 1), q, sizeof(q)));
	if ((v = version_by_scheme(url, n)) == NULL)
		return refuse(why, whylen,
			      "bad proxy '%s://': the scheme is socks4, socks4a, socks5 or socks5h",
			      quote_span(url, n, q, sizeof(q)));
	p->version = v->version;
	return 0;
}

/*
 * A scheme without its "://": socks5:/HOST, socks5//HOST, socks5:HOST:PORT,
 * htp:/HOST.  Read as they stand they would be a user, a host or a port
 * ("put an IPv6 address in brackets"), which would not say what is wrong.
 * A known scheme followed by ':' and no '@' cannot be HOST:PORT either.
 */
static int
scheme_typo(const char *url, char *why, size_t whylen)
{
	size_t n = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	bool known = n > 0 && version_by_scheme(url, n) != NULL;
	size_t seplen = strspn(url + n, ":/");
	char q[QUOTE_BUF];

	if (n == 0 || seplen == 0)
		return 0;
	if (known ? url[n] == '/' || url[n + 1] == '/' || strchr(url, '@') == NULL
		  : url[n] == ':' && url[n + 1] == '/' && strchr(url, '@') == NULL) {
		/* the quote holds scheme characters, ':' and '/': never a password */
		quote_span(url, n + (seplen < 3 ? seplen : 3), q, sizeof(q));
		if (known)
			return refuse(why, whylen, "bad proxy scheme '%s': write %.*s:// before the host",
				      q, (int)n, url);
		return refuse(why, whylen,
			      "bad proxy scheme '%s': the scheme is socks4, socks4a, socks5 or "
			      "socks5h, then ://", q);
	}
	return 0;
}

const char *
socks_version_scheme(enum socks_version v)
{
	return version_facts(v)->scheme;
}

int
parse_proxy_url(const char *url, struct proxy *p, char *why, size_t whylen)
{
	const char *rest = url, *sep, *at, *hp, *pp;
	size_t hl;

	memset(p, 0, sizeof(*p));
	p->version = SOCKS5H;
	sep = strstr(url, "://");
	if (sep != NULL) {
		if (take_scheme(url, sep, p, why, whylen) < 0)
			return -1;
		rest = sep + 3;
	} else if (scheme_typo(url, why, whylen) < 0) {
		return -1;
	}
	/* What is read here as the password lies within what secrets.c masks:
	   both split the user part at its last '@' and first ':'. */
	at = strrchr(rest, '@');
	if (at != NULL) {
		if (set_credentials(rest, (size_t)(at - rest), &p->cred, why, whylen) < 0)
			return -1;
		if (p->cred.userlen == 0)
			return refuse(why, whylen,
				      "bad proxy: %s before '@': name the user, or leave out the '@'",
				      EMPTY_USER);
		rest = at + 1;
	}
	/* No host or port holds a '/': where one is, a path starts. */
	if (strchr(rest, '/') != NULL) {
		char q[QUOTE_BUF];

		return refuse(why, whylen, "bad proxy '%s': a path is not allowed",
			      secret_quote(rest, q, sizeof(q)));
	}
	if (split_host_port(rest, &hp, &hl, &pp, why, whylen) < 0)
		return -1;
	if (parse_host(hp, hl, &p->host, why, whylen) < 0 ||
	    bracket_not_ipv6(rest, &p->host, why, whylen) < 0)
		return -1;
	p->host.port = 1080;
	if (pp != NULL && parse_port(pp, &p->host.port, why, whylen) < 0)
		return -1;
	return 0;
}

void
host_format(const struct host *h, char *out, size_t outlen)
{
	if (h->kind == HOST_IPV6)
		snprintf(out, outlen, "[%s]:%u", h->name, h->port);
	else
		snprintf(out, outlen, "%s:%u", h->name, h->port);
}

char *
host_shown(const struct host *h, char *out, size_t outlen)
{
	size_t n;

	/* An address's text is ours (namelen may not be set); a name's bytes
	 * may be the server's. */
	if (h->kind != HOST_NAME) {
		snprintf(out, outlen, h->kind == HOST_IPV6 ? "[%s]:%u" : "%s:%u", h->name, h->port);
		return out;
	}
	n = term_escape(out, outlen, h->name, h->namelen);
	if (n < outlen)
		snprintf(out + n, outlen - n, ":%u", h->port);
	return out;
}
