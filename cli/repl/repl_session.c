/*
 * The session's state: the proxy, the credentials and target, and the
 * drafts.  Fields the user has not set by hand follow the credentials and
 * the target (rs_refresh); a field set by hand stays as given until `unset`.
 * The drafts' fields are in repl_fields.c, the connection in repl_conn.c, the
 * steps in repl_step.c.
 */
#include "repl_session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "password.h"
#include "secrets.h"
#include "term.h"

volatile sig_atomic_t rs_interrupted;

static const enum msg_type draft_types[RD_COUNT] = {
	[RD_GREETING] = MSG_S5_GREETING, [RD_AUTH] = MSG_S5_AUTH_REQUEST,
	[RD_S5REQ] = MSG_S5_REQUEST,     [RD_S4REQ] = MSG_S4_REQUEST,
	[RD_UDP] = MSG_S5_UDP,
};

int rs_out_errno;

void
rs_flush(FILE *fp)
{
	errno = 0;
	if (fflush(fp) != 0 && fp == stdout && rs_out_errno == 0)
		rs_out_errno = errno;
}

int
rs_fail(int status, const char *fmt, ...)
{
	va_list ap;

	rs_flush(stdout);
	va_start(ap, fmt);
	term_vsay("sockscope", fmt, ap); /* what it quotes was typed or read */
	va_end(ap);
	return status;
}

void
rs_warn(const char *fmt, ...)
{
	va_list ap;

	rs_flush(stdout);
	va_start(ap, fmt);
	term_vsay("sockscope: warning", fmt, ap);
	va_end(ap);
}

void
rs_init(struct rsess *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < RD_COUNT; i++)
		draft_init(&s->d[i], draft_types[i]);
	s->conn.fd = -1;
	s->udp_fd = -1;
	s->timeout_ms = 10000;
	s->quit_after_eof_ms = -1;
	s->idle_timeout_ms = -1;
	s->out = stdout;
	for (int i = 0; i < TM_COUNT; i++)
		s->us[i] = -1;
	rs_refresh(s);
}

void
rs_free(struct rsess *s)
{
	rs_close(s, false);
	explicit_bzero(s->cred.pass, sizeof(s->cred.pass));
	explicit_bzero(&s->hop_cred, sizeof(s->hop_cred));
	for (int i = 0; i < s->nhops; i++)
		explicit_bzero(s->hops[i].cred.pass, sizeof(s->hops[i].cred.pass));
	explicit_bzero(&s->d[RD_AUTH], sizeof(s->d[RD_AUTH]));
}

static enum socks_version
version_of(const struct rsess *s)
{
	return s->nhops > 0 ? s->hops[s->nhops - 1].version : SOCKS5H;
}

bool
rs_socks5(const struct rsess *s)
{
	return version_is_socks5(version_of(s));
}

static bool
resolves_here(const struct rsess *s)
{
	return !version_proxy_resolves(version_of(s));
}

/* Whether field name of draft rd follows the session (not set by hand). */
static bool
follows(const struct rsess *s, enum rs_draft rd, const char *name)
{
	int i = proto_field_index(s->d[rd].desc, name);

	return i >= 0 && !s->user_set[rd][i];
}

/*
 * A URL's user as the URL spells it: ':' (which would start a password),
 * '@', '%', what the REPL's line splits on or quotes with, and every byte
 * that is not printable ASCII become %XX, so that the text reads back as
 * the same user.  out holds at least 3 * len + 1 bytes.
 */
static void
url_user_text(char *out, const char *user, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)user[i];

		if (c <= 0x20 || c >= 0x7f || strchr(":@%/;#'\"\\", c) != NULL) {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0x0f];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

void
rs_proxy_text(const struct rsess *s, char *buf, size_t cap)
{
	const struct proxy *p;
	char host[HOST_MAX + 16], user[4 * CRED_MAX + 4];

	if (s->nhops == 0) {
		snprintf(buf, cap, "no proxy");
		return;
	}
	p = &s->hops[s->nhops - 1];
	host_format(&p->host, host, sizeof(host));
	user[0] = '\0';
	if (s->cred.has_user) {
		url_user_text(user, s->cred.user, s->cred.userlen);
		strcat(user, "@");
	}
	if (s->nhops > 1)
		snprintf(buf, cap, "%s://%s%s (hop %d)", socks_version_scheme(p->version), user, host,
			 s->nhops);
	else
		snprintf(buf, cap, "%s://%s%s", socks_version_scheme(p->version), user, host);
}

bool
rs_bytes_hold_password(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		struct msg m;
		const struct field *f;

		if (p[i] != 0x01)
			continue;
		proto_decode(MSG_S5_AUTH_REQUEST, p + i, len - i, NULL, &m);
		f = msg_field(&m, "PASSWD");
		if (f != NULL && f->len > 0)
			return true;
	}
	return false;
}

static int
resolve_target(struct rsess *s)
{
	char why[400], addr[64];
	int family;

	s->has_resolved = false;
	if (!s->has_target || s->target.kind != HOST_NAME || !resolves_here(s) ||
	    s->name_to_proxy)
		return EXIT_OK;
	s->resolved = s->target;
	family = version_facts(version_of(s))->has_ipv6 ? s->family : AF_INET;
	/* A failed lookup is exit 3, as in one-shot mode; nothing is sent. */
	if (net_resolve(&s->resolved, family, why, sizeof(why)) < 0)
		return rs_fail(EXIT_UNREACHABLE, "%s (%s:// resolves names here; %s:// sends them to the proxy)",
			       why, socks_version_scheme(version_of(s)),
			       socks_version_scheme(version_facts(version_of(s))->twin));
	s->has_resolved = true;
	net_addr_string(&s->resolved, addr, sizeof(addr));
	fprintf(s->out, "resolved %s locally to %s (%s://)\n", s->target.name, addr,
		socks_version_scheme(version_of(s)));
	return EXIT_OK;
}

/*
 * The last hop's credentials are the session's.  Those a URL gave belong to
 * that URL: a later URL must not send them to its server.  Each of the user
 * and the password is tracked on its own: what the previous URL gave is
 * replaced by the new URL's, or else by -U's, or else dropped; what came
 * from -U, `set user` or `set pass` carries over unless the new URL gives
 * its own.  url's password already holds SOCKSCOPE_PASSWORD when the URL
 * names a user without one (rs_set_proxies).
 */
static void
take_url_credentials(struct rsess *s, const struct credentials *url)
{
	const struct credentials *u = &s->hop_cred;
	bool have_u = s->has_hop_cred && u->has_user;
	bool user_was_url = s->user_from_url, pass_was_url = s->pass_from_url;

	if (url->has_user) {
		rs_set_user(s, url->user, url->userlen);
		s->user_from_url = true;
	} else if (user_was_url) {
		rs_set_user(s, have_u ? u->user : NULL, have_u ? u->userlen : 0);
	}
	if (url->has_pass) {
		rs_set_pass(s, url->pass, url->passlen);
		s->pass_from_url = true;
	} else if (pass_was_url) {
		/* -U's password goes with -U's user (and only then): not with a
		   user the new URL names, nor with one from `set user`. */
		bool use_u = have_u && u->has_pass && !url->has_user && s->cred.has_user &&
			     s->cred.userlen == u->userlen &&
			     memcmp(s->cred.user, u->user, u->userlen) == 0;

		rs_set_pass(s, use_u ? u->pass : NULL, use_u ? u->passlen : 0);
	}
}

int
rs_set_proxies(struct rsess *s, int n, char **urls)
{
	static struct proxy hops[MAX_HOPS];
	char why[400];
	int rc = EXIT_OK;

	if (n < 1 || n > MAX_HOPS)
		return rs_fail(EXIT_USAGE, "proxy: give 1 to %d URLs", MAX_HOPS);
	for (int i = 0; i < n; i++) {
		if (parse_proxy_url(urls[i], &hops[i], why, sizeof(why)) < 0) {
			rc = rs_fail(EXIT_USAGE, "proxy %d: %s", i + 1, why);
			goto out;
		}
		/* A URL's user without a password: SOCKSCOPE_PASSWORD's. */
		if (password_from_env(&hops[i].cred) < 0) {
			rc = rs_fail(EXIT_USAGE, "SOCKSCOPE_PASSWORD is longer than %d bytes",
				     CRED_MAX);
			goto out;
		}
	}
	if (s->conn.fd >= 0) {
		fprintf(s->out, "closing the connection to the previous proxy\n");
		rs_close(s, false);
	}
	for (int i = 0; i < s->nhops; i++)
		explicit_bzero(s->hops[i].cred.pass, sizeof(s->hops[i].cred.pass));
	memcpy(s->hops, hops, sizeof(hops[0]) * (size_t)n);
	s->nhops = n;
	/* In a chain the drafts are the last hop's; their messages say so, as
	 * the earlier hops' do. */
	snprintf(s->hop_label, sizeof(s->hop_label), "hop %d", n);
	s->vo.label = n > 1 ? s->hop_label : NULL;
	take_url_credentials(s, &hops[n - 1].cred);
	for (int i = 0; i < n; i++)
		if (hops[i].cred.has_pass)
			secret_keep_in();
	if (resolve_target(s) != EXIT_OK)
		rs_warn("the target stays unresolved: sending looks it up again, and fails while it does not resolve");
	rs_refresh(s);
out:
	explicit_bzero(hops, sizeof(hops));
	return rc;
}

int
rs_set_user(struct rsess *s, const char *user, size_t len)
{
	s->user_from_url = false;
	if (user == NULL) {
		s->cred.has_user = false;
		s->cred.userlen = 0;
		memset(s->cred.user, 0, sizeof(s->cred.user));
	} else {
		if (len > CRED_MAX)
			return rs_fail(EXIT_USAGE, "the user name is longer than %d bytes", CRED_MAX);
		memcpy(s->cred.user, user, len);
		s->cred.user[len] = '\0';
		s->cred.userlen = len;
		s->cred.has_user = true;
	}
	rs_refresh(s);
	return EXIT_OK;
}

int
rs_set_pass(struct rsess *s, const char *pass, size_t len)
{
	s->pass_from_url = false;
	explicit_bzero(s->cred.pass, sizeof(s->cred.pass));
	if (pass == NULL) {
		s->cred.has_pass = false;
		s->cred.passlen = 0;
	} else {
		if (len > CRED_MAX)
			return rs_fail(EXIT_USAGE, "the password is longer than %d bytes", CRED_MAX);
		memcpy(s->cred.pass, pass, len);
		s->cred.passlen = len;
		s->cred.has_pass = true;
		secret_keep_in();
	}
	rs_refresh(s);
	return EXIT_OK;
}

static int
set_target(struct rsess *s, const struct host *h)
{
	int rc;

	s->target = *h;
	s->has_target = true;
	/* The shorthand wins over earlier hand-set address fields. */
	for (int rd = RD_S5REQ; rd <= RD_S4REQ; rd++)
		for (size_t i = 0; i < s->d[rd].desc->nfields; i++) {
			const struct field_desc *fd = &s->d[rd].desc->fields[i];

			if (fd->kind == FK_ADDR || fd->kind == FK_IPV4 || fd->kind == FK_U16 ||
			    strcmp(fd->name, "HOSTNAME") == 0) {
				s->user_set[rd][i] = false;
				draft_unset(&s->d[rd], fd->name);
			}
		}
	rc = resolve_target(s);
	if (rc == EXIT_OK && !rs_socks5(s) && h->kind == HOST_IPV6)
		rs_warn("%s cannot carry an IPv6 address (%s); use socks5:// or socks5h://",
			version_facts(version_of(s))->title, h->name);
	rs_refresh(s);
	return rc;
}

int
rs_set_target(struct rsess *s, const struct host *h)
{
	s->name_to_proxy = false;
	return set_target(s, h);
}

int
rs_set_target_remote(struct rsess *s, const struct host *h)
{
	s->name_to_proxy = h->kind == HOST_NAME;
	return set_target(s, h);
}

/* A name this scheme resolves here that has not resolved (yet). */
static bool
unresolved_here(const struct rsess *s)
{
	return s->has_target && s->target.kind == HOST_NAME && resolves_here(s) &&
	       !s->name_to_proxy && !s->has_resolved;
}

/* Whether the request's address fields follow the target. */
static bool
address_follows(const struct rsess *s)
{
	if (rs_socks5(s))
		return follows(s, RD_S5REQ, "DST.ADDR");
	return follows(s, RD_S4REQ, "DSTIP") && follows(s, RD_S4REQ, "HOSTNAME");
}

int
rs_check_request(struct rsess *s)
{
	const struct host *h;
	char text[HOST_MAX + 16];
	int rc;

	if (unresolved_here(s) && address_follows(s) && (rc = resolve_target(s)) != EXIT_OK)
		return rc; /* resolve_target said why */
	rs_refresh(s);
	if (rs_socks5(s))
		return EXIT_OK;
	h = s->has_resolved ? &s->resolved : &s->target;
	if (s->has_target && h->kind == HOST_IPV6 && follows(s, RD_S4REQ, "DSTIP")) {
		host_format(&s->target, text, sizeof(text));
		return rs_fail(EXIT_USAGE, "request: DSTIP cannot carry the IPv6 target %s: %s has IPv4 only; use socks5:// or socks5h://",
			       text, version_facts(version_of(s))->title);
	}
	if (s->cred.has_user && follows(s, RD_S4REQ, "USERID") &&
	    memchr(s->cred.user, 0, s->cred.userlen) != NULL)
		return rs_fail(EXIT_USAGE, "request: USERID cannot carry the user name: it holds a 0x00, which would end it early");
	return EXIT_OK;
}

/*
 * Field i of draft rd follows p[0..len), or its default when p is NULL.
 * Bytes the field cannot hold leave it at its default rather than at a
 * stale value; rs_check_request refuses to send it so.
 */
static void
follow_bytes(struct rsess *s, enum rs_draft rd, const char *name, const void *p, size_t len)
{
	int i = proto_field_index(s->d[rd].desc, name);

	if (i < 0 || s->user_set[rd][i])
		return;
	if (p == NULL || draft_set_bytes(&s->d[rd], name, p, len) != PROTO_OK)
		draft_unset(&s->d[rd], name);
}

static void
refresh_target(struct rsess *s)
{
	const struct host *h = s->has_resolved ? &s->resolved : &s->target;
	struct draft *d5 = &s->d[RD_S5REQ], *d4 = &s->d[RD_S4REQ];

	/* A name this scheme resolves here never goes to the proxy instead:
	   the address stays unset until it resolves (rs_check_request). */
	if (!s->has_target || unresolved_here(s)) {
		const char *names5[] = { "DST.ADDR", "DST.PORT" };
		const char *names4[] = { "DSTPORT", "DSTIP", "HOSTNAME" };

		for (size_t i = 0; i < 2; i++)
			follow_bytes(s, RD_S5REQ, names5[i], NULL, 0);
		for (size_t i = 0; i < 3; i++)
			follow_bytes(s, RD_S4REQ, names4[i], NULL, 0);
		return;
	}
	if (follows(s, RD_S5REQ, "DST.PORT"))
		draft_set_num(d5, "DST.PORT", h->port);
	if (follows(s, RD_S5REQ, "DST.ADDR")) {
		if (h->kind == HOST_IPV4)
			draft_set_ipv4(d5, "DST.ADDR", h->addr);
		else if (h->kind == HOST_IPV6)
			draft_set_ipv6(d5, "DST.ADDR", h->addr);
		else
			draft_set_name(d5, "DST.ADDR", h->name, h->namelen);
	}
	if (follows(s, RD_S4REQ, "DSTPORT"))
		draft_set_num(d4, "DSTPORT", h->port);
	if (h->kind == HOST_NAME) {
		follow_bytes(s, RD_S4REQ, "HOSTNAME", h->name, h->namelen);
		follow_bytes(s, RD_S4REQ, "DSTIP", NULL, 0); /* derived: 0.0.0.1 */
	} else {
		follow_bytes(s, RD_S4REQ, "HOSTNAME", NULL, 0);
		if (follows(s, RD_S4REQ, "DSTIP")) {
			if (h->kind == HOST_IPV4)
				draft_set_ipv4(d4, "DSTIP", h->addr);
			else
				draft_unset(d4, "DSTIP");
		}
	}
}

void
rs_refresh(struct rsess *s)
{
	static const uint8_t methods[2] = { 0x00, 0x02 };

	const struct credentials *c = &s->cred;

	follow_bytes(s, RD_GREETING, "METHODS", methods, c->has_user ? 2 : 1);
	follow_bytes(s, RD_AUTH, "UNAME", c->has_user ? c->user : NULL, c->userlen);
	follow_bytes(s, RD_AUTH, "PASSWD", c->has_pass ? c->pass : NULL, c->passlen);
	follow_bytes(s, RD_S4REQ, "USERID", c->has_user ? c->user : NULL, c->userlen);
	refresh_target(s);
}
