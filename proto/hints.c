/*
 * The hint recognisers (see hints.h).  To add one: write a function that
 * answers HINT_NO, HINT_MAYBE or HINT_YES for a prefix, never changing its
 * mind when the prefix grows, and add it to the table below, most specific
 * first.
 */
#include <string.h>

#include "hints.h"
#include "names.h"
#include "text.h"

/* Whether p[0..n) is, or may become, the literal lit. */
static enum hint_verdict
starts(const uint8_t *p, size_t n, const char *lit)
{
	size_t len = strlen(lit), k = n < len ? n : len;

	if (memcmp(p, lit, k) != 0)
		return HINT_NO;
	return n >= len ? HINT_YES : HINT_MAYBE;
}

/* The first line's length, without its end; 0 while it may still grow. */
static size_t
first_line(const struct hint_bytes *in)
{
	for (size_t i = 0; i < in->n; i++)
		if (in->p[i] == '\r' || in->p[i] == '\n')
			return i;
	return in->final || in->n >= HINT_PREFIX ? in->n : 0;
}

/* A match on a literal, shown by its first line once the line is whole. */
static enum hint_verdict
line_match(const struct hint_bytes *in, const char *const *lits, struct hint *out)
{
	bool maybe = false;

	for (size_t i = 0; lits[i] != NULL; i++) {
		enum hint_verdict v = starts(in->p, in->n, lits[i]);

		if (v == HINT_YES) {
			out->evidence_len = first_line(in);
			if (out->evidence_len == 0)
				return HINT_MAYBE;
			out->evidence = in->p;
			return HINT_YES;
		}
		maybe = maybe || v == HINT_MAYBE;
	}
	return maybe && !in->final ? HINT_MAYBE : HINT_NO;
}

static enum hint_verdict
http_request(const struct hint_bytes *in, struct hint *out)
{
	static const char *const methods[] = { "GET ", "POST ", "HEAD ", "PUT ", "CONNECT ",
					       "OPTIONS ", "DELETE ", "PATCH ", NULL };

	return in->from_server ? HINT_NO : line_match(in, methods, out);
}

static enum hint_verdict
http_response(const struct hint_bytes *in, struct hint *out)
{
	static const char *const lits[] = { "HTTP/1.", "HTTP/2", NULL };

	return in->from_server ? line_match(in, lits, out) : HINT_NO;
}

static enum hint_verdict
ssh_banner(const struct hint_bytes *in, struct hint *out)
{
	static const char *const lits[] = { "SSH-", NULL };

	return in->from_server ? line_match(in, lits, out) : HINT_NO;
}

static enum hint_verdict
banner_220(const struct hint_bytes *in, struct hint *out)
{
	static const char *const lits[] = { "220 ", "220-", NULL };

	return in->from_server ? line_match(in, lits, out) : HINT_NO;
}

/* A TLS handshake record, 16 03 00..04, or an alert, 15 03 00..04: what a
 * TLS server sends back for bytes that are no ClientHello. */
static enum hint_verdict
tls_record(const struct hint_bytes *in, struct hint *out)
{
	if ((in->n >= 1 && in->p[0] != 0x16 && in->p[0] != 0x15) || (in->n >= 2 && in->p[1] != 0x03) ||
	    (in->n >= 3 && in->p[2] > 0x04))
		return HINT_NO;
	if (in->n < 3)
		return in->final ? HINT_NO : HINT_MAYBE;
	out->evidence = in->p;
	out->evidence_len = 3;
	return HINT_YES;
}

/* The server's bytes are the client's, as many as the client sent. */
static enum hint_verdict
echo(const struct hint_bytes *in, struct hint *out)
{
	size_t k = in->n < in->nclient ? in->n : in->nclient;

	if (!in->from_server || in->nclient < 2 || memcmp(in->p, in->client, k) != 0)
		return HINT_NO;
	if (in->n < in->nclient && !in->final)
		return HINT_MAYBE;
	/* Cut short at two bytes, it has a method selection's shape (05 03 to
	 * a greeting offering three methods): no evidence of an echo. */
	if (in->n < 2 || (in->n == 2 && in->n < in->nclient))
		return HINT_NO;
	out->evidence = in->p;
	out->evidence_len = k;
	return HINT_YES;
}

/* The other SOCKS version's answer: two bytes say it. */
static enum hint_verdict
other_socks(const struct hint_bytes *in, struct hint *out, int version)
{
	bool first_ok, second_ok;

	if (!in->from_server || in->version != version)
		return HINT_NO;
	if (in->n < 1)
		return HINT_MAYBE;
	first_ok = version == 4 ? in->p[0] == 5 : in->p[0] == 0 || in->p[0] == 4;
	if (!first_ok)
		return HINT_NO;
	if (in->n < 2)
		return in->final ? HINT_NO : HINT_MAYBE;
	second_ok = version == 4 ? true : in->p[1] >= 0x5a && in->p[1] <= 0x5d;
	if (!second_ok)
		return HINT_NO;
	out->evidence = in->p;
	out->evidence_len = 2;
	return HINT_YES;
}

static enum hint_verdict
socks5_for_4(const struct hint_bytes *in, struct hint *out)
{
	return other_socks(in, out, 4);
}

static enum hint_verdict
socks4_for_5(const struct hint_bytes *in, struct hint *out)
{
	return other_socks(in, out, 5);
}

static const struct {
	enum hint_id id;
	enum hint_verdict (*match)(const struct hint_bytes *in, struct hint *out);
	const char *text; /* for the client's bytes, or for the server's */
	const char *server_text;
} recognisers[] = {
	{ HINT_ECHO, echo, NULL, "the server sent the client's bytes back: an echo service" },
	{ HINT_HTTP_REQUEST, http_request,
	  "the client sent an HTTP request: it is set up for an HTTP proxy", NULL },
	{ HINT_TLS, tls_record, "the client sent a TLS record: it is set up for TLS, not SOCKS",
	  "the server sent a TLS record: a TLS service, not a SOCKS server" },
	{ HINT_HTTP_RESPONSE, http_response, NULL,
	  "the server answered in HTTP: an HTTP proxy or web server" },
	{ HINT_SSH, ssh_banner, NULL, "the server sent an SSH banner: an SSH server" },
	{ HINT_BANNER_220, banner_220, NULL,
	  "the server sent a 220 greeting: an SMTP or FTP server" },
	{ HINT_SOCKS5_FOR_4, socks5_for_4, NULL,
	  "a SOCKS5 answer to a SOCKS4 request: the server may speak only SOCKS5" },
	{ HINT_SOCKS4_FOR_5, socks4_for_5, NULL,
	  "a SOCKS4 answer to a SOCKS5 greeting: the server may speak only SOCKS4" },
};

enum hint_verdict
hint_scan(const struct hint_bytes *in, struct hint *out)
{
	bool maybe = false;
	struct text t;

	if (in->n == 0)
		return in->final ? HINT_NO : HINT_MAYBE;
	for (size_t i = 0; i < sizeof(recognisers) / sizeof(recognisers[0]); i++) {
		enum hint_verdict v;

		memset(out, 0, sizeof(*out));
		v = recognisers[i].match(in, out);
		if (v == HINT_YES) {
			out->id = recognisers[i].id;
			out->from_server = in->from_server;
			text_start(&t, out->text, sizeof(out->text));
			text_str(&t, in->from_server ? recognisers[i].server_text
						     : recognisers[i].text);
			return HINT_YES;
		}
		maybe = maybe || v == HINT_MAYBE;
	}
	memset(out, 0, sizeof(*out));
	return maybe ? HINT_MAYBE : HINT_NO;
}

/* Commands many servers do not implement: BIND, UDP ASSOCIATE, Tor's
 * (ssh -D closes without a reply to BIND: doc/PROTOCOL.md, "What real
 * servers do"). */
static bool
uncommon(int version, uint8_t cmd)
{
	return cmd == 0x02 || cmd == 0xf0 || (version == 5 && (cmd == 0x03 || cmd == 0xf1));
}

bool
hint_on_close(const struct hint_close *in, struct hint *out)
{
	struct text t;

	memset(out, 0, sizeof(*out));
	out->from_server = true;
	text_start(&t, out->text, sizeof(out->text));
	if (in->after_request && !in->answer_started && uncommon(in->version, in->cmd)) {
		const struct name_entry *e =
			names_find(in->version == 4 ? &names_s4_command : &names_s5_command, in->cmd);

		out->id = HINT_CMD_UNSUPPORTED;
		text_str(&t, "closed with no reply: this server may not support ");
		text_str(&t, in->version == 4 ? "CD " : "CMD ");
		text_hex8(&t, in->cmd);
		if (e != NULL) {
			text_str(&t, " (");
			text_str(&t, e->name);
			text_str(&t, ")");
		}
		return true;
	}
	if (in->server_bytes == 0) {
		out->id = HINT_ACCESS_RULE;
		text_str(&t, "closed right after accepting, before any answer: "
			     "an access rule may refuse this client");
		return true;
	}
	return false;
}
