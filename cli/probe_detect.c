/*
 * sockscope probe: peers that are not SOCKS.  See probe_detect.h.
 */
#include "probe_detect.h"

#include <stdio.h>
#include <string.h>

const char *const probe_peer_names[] = { "", "http", "tls", "ssh", "other", "echo" };
const char *const probe_peer_words[] = { "", "an HTTP server", "a TLS server", "an SSH server",
					 "not SOCKS", "it echoes" };

void
probe_hexprefix(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && i < 16 && o + 4 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%02x", i ? " " : "", p[i]);
	if (n > 16 && o + 5 < outlen)
		snprintf(out + o, outlen - o, " ...");
}

enum peer
probe_peer_of(const uint8_t *p, size_t n)
{
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		return PEER_HTTP;
	if (n >= 2 && (p[0] == 0x15 || p[0] == 0x16) && p[1] == 0x03)
		return PEER_TLS;
	if (n >= 4 && memcmp(p, "SSH-", 4) == 0)
		return PEER_SSH;
	return PEER_NONE;
}

bool
probe_detect_sniff(const uint8_t *in, size_t have, bool eof, int err, struct detection *d)
{
	enum peer peer = probe_peer_of(in, have);
	char hex[80];

	probe_hexprefix(in, have, hex, sizeof(hex));
	d->peer = PEER_NONE;
	if (peer != PEER_NONE || have >= 5) {
		d->oc = OC_NOT_SOCKS;
		d->peer = peer != PEER_NONE ? peer : PEER_OTHER;
		snprintf(d->detail, sizeof(d->detail), "answered %s", hex);
		return true;
	}
	if (!eof)
		return false;
	if (have == 0) {
		d->oc = err ? OC_RESET : OC_CLOSED;
		snprintf(d->detail, sizeof(d->detail), "%s without answering",
			 err ? "reset" : "closed");
	} else {
		d->oc = OC_NOT_SOCKS;
		d->peer = PEER_OTHER;
		snprintf(d->detail, sizeof(d->detail), "answered %s", hex);
	}
	return true;
}

bool
probe_detect_echo(const uint8_t *sent, size_t sentlen, const uint8_t *in, size_t have,
		  struct detection *d)
{
	char hex[80];

	if (sentlen < 2 || have < sentlen || memcmp(in, sent, sentlen) != 0)
		return false;
	probe_hexprefix(in, have, hex, sizeof(hex));
	d->oc = OC_NOT_SOCKS;
	d->peer = PEER_ECHO;
	snprintf(d->detail, sizeof(d->detail), "sent back what was sent: %s", hex);
	return true;
}

bool
probe_detect_foreign(enum msg_type expect, const uint8_t *in, size_t have, bool undecodable,
		     struct detection *d)
{
	enum peer peer = probe_peer_of(in, have);
	char hex[80];

	probe_hexprefix(in, have, hex, sizeof(hex));
	d->peer = PEER_NONE;
	if (peer != PEER_NONE) {
		d->oc = OC_NOT_SOCKS;
		d->peer = peer;
		snprintf(d->detail, sizeof(d->detail), "%s: %s", probe_peer_words[peer], hex);
		return true;
	}
	if (!undecodable || have == 0)
		return false;
	if (expect == MSG_S4_REPLY && in[0] == 0x05) {
		d->oc = OC_OTHER_VERSION;
		snprintf(d->detail, sizeof(d->detail), "answered as SOCKS5 (%s): no SOCKS4", hex);
		return true;
	}
	if (expect != MSG_S4_REPLY && in[0] == 0x00 && have >= 2 && in[1] >= 0x5a &&
	    in[1] <= 0x5d) {
		d->oc = OC_OTHER_VERSION;
		snprintf(d->detail, sizeof(d->detail), "answered as SOCKS4 (%s): no SOCKS5", hex);
		return true;
	}
	return false;
}

bool
probe_socksish(enum msg_type expect, const uint8_t *in)
{
	return expect == MSG_S4_REPLY ? in[0] == 0x00 || in[0] == 0x04 :
					in[0] == 0x05 || in[0] == 0x04;
}

bool
probe_detect_partial(const uint8_t *in, size_t have, bool raw, struct detection *d)
{
	enum peer peer = probe_peer_of(in, have);
	char hex[80];

	if (peer == PEER_NONE && !raw)
		return false;
	probe_hexprefix(in, have, hex, sizeof(hex));
	d->oc = OC_NOT_SOCKS;
	d->peer = peer != PEER_NONE ? peer : PEER_OTHER;
	snprintf(d->detail, sizeof(d->detail), "answered %s", hex);
	return true;
}
