/*
 * One descriptor per SOCKS message.  The encoder, the decoder, every view and
 * the REPL's field names all come from these tables.  doc/PROTOCOL.md has
 * each message's frame and fields under the same names, with its sources.
 */
#include "field.h"

#include <strings.h>

/* Field indices, named so that derived fields can say what they describe. */

/*
 * SOCKS4 / SOCKS4a request
 *
 *   +----+----+----+----+----+----+----+----+----+----+....+----+
 *   | VN | CD | DSTPORT |      DSTIP        | USERID       |NULL|
 *   +----+----+----+----+----+----+----+----+----+----+....+----+
 *      1    1      2              4           variable       1
 *
 * SOCKS4a, when DSTIP is 0.0.0.x (x != 0), then adds HOSTNAME and a NULL.
 */
enum { S4Q_VN, S4Q_CD, S4Q_PORT, S4Q_IP, S4Q_USERID, S4Q_USERID_NUL, S4Q_HOST, S4Q_HOST_NUL };
static const struct field_desc s4_request[] = {
	[S4Q_VN] = { .name = "VN", .kind = FK_U8, .format = FMT_DEC, .ref = -1,
		     .names = &names_s4_version, .expect = 4, .tolerate = -1, .dflt = 4,
		     .help = "SOCKS version, 4" },
	[S4Q_CD] = { .name = "CD", .kind = FK_U8, .format = FMT_HEX, .ref = -1,
		     .names = &names_s4_command, .expect = -1, .tolerate = -1, .dflt = 1,
		     .help = "command: connect, bind, resolve" },
	[S4Q_PORT] = { .name = "DSTPORT", .kind = FK_U16, .format = FMT_DEC, .ref = -1,
		       .expect = -1, .tolerate = -1, .help = "destination port" },
	[S4Q_IP] = { .name = "DSTIP", .kind = FK_IPV4, .format = FMT_ADDR, .ref = S4Q_HOST,
		     .flags = FD_DERIVED, .expect = -1, .tolerate = -1,
		     .help = "destination IPv4 address (0.0.0.1 for SOCKS4a)" },
	[S4Q_USERID] = { .name = "USERID", .kind = FK_CSTR, .format = FMT_TEXT, .ref = -1,
			 .expect = -1, .tolerate = -1, .help = "user id, may be empty" },
	[S4Q_USERID_NUL] = { .name = "USERID.NUL", .kind = FK_NUL, .format = FMT_HEX,
			     .ref = S4Q_USERID, .flags = FD_DERIVED, .expect = -1,
			     .tolerate = -1, .help = "the 0x00 that ends USERID" },
	[S4Q_HOST] = { .name = "HOSTNAME", .kind = FK_CSTR, .format = FMT_TEXT,
		       .presence = PRESENT_IF_SOCKS4A, .ref = -1, .expect = -1,
		       .tolerate = -1, .help = "SOCKS4a: host name for the server to resolve" },
	[S4Q_HOST_NUL] = { .name = "HOSTNAME.NUL", .kind = FK_NUL, .format = FMT_HEX,
			   .presence = PRESENT_IF_SOCKS4A, .ref = S4Q_HOST, .flags = FD_DERIVED,
			   .expect = -1, .tolerate = -1, .help = "the 0x00 that ends HOSTNAME" },
};

/*
 * SOCKS4 reply, always 8 bytes (doc/PROTOCOL.md, "SOCKS4 reply": VN 4 is
 * tolerated only with a SOCKS4 reply code, and flow_step.c checks that)
 *
 *   +----+----+----+----+----+----+----+----+
 *   | VN | CD | DSTPORT |      DSTIP        |
 *   +----+----+----+----+----+----+----+----+
 *      1    1      2              4
 */
static const struct field_desc s4_reply[] = {
	{ .name = "VN", .kind = FK_U8, .format = FMT_DEC, .ref = -1,
	  .names = &names_s4_reply_version, .expect = 0, .tolerate = 4,
	  .help = "reply version, 0 (some servers send 4)" },
	{ .name = "CD", .kind = FK_U8, .format = FMT_HEX, .ref = -1, .names = &names_s4_reply,
	  .expect = -1, .tolerate = -1, .dflt = 0x5a, .help = "reply code" },
	{ .name = "DSTPORT", .kind = FK_U16, .format = FMT_DEC, .ref = -1, .expect = -1,
	  .tolerate = -1, .help = "BIND: port the server listens on" },
	{ .name = "DSTIP", .kind = FK_IPV4, .format = FMT_ADDR, .ref = -1, .expect = -1,
	  .tolerate = -1, .help = "BIND: address the server listens on" },
};

/*
 * SOCKS5 greeting (RFC 1928, section 3)
 *
 *   +----+----------+----------+
 *   |VER | NMETHODS | METHODS  |
 *   +----+----------+----------+
 *   | 1  |    1     | 1 to 255 |
 *   +----+----------+----------+
 */
static const struct field_desc s5_greeting[] = {
	{ .name = "VER", .kind = FK_U8, .format = FMT_DEC, .ref = -1, .names = &names_s5_version,
	  .expect = 5, .tolerate = -1, .dflt = 5, .help = "SOCKS version, 5" },
	{ .name = "NMETHODS", .kind = FK_COUNT, .format = FMT_DEC, .ref = 2,
	  .flags = FD_DERIVED | FD_NONZERO, .expect = -1, .tolerate = -1,
	  .help = "number of methods offered" },
	{ .name = "METHODS", .kind = FK_LIST, .format = FMT_HEX, .ref = -1,
	  .names = &names_s5_method, .expect = -1, .tolerate = -1,
	  .help = "methods offered: noauth, gssapi, userpass, or codes" },
};

/*
 * SOCKS5 method selection
 *
 *   +----+--------+
 *   |VER | METHOD |
 *   +----+--------+
 *   | 1  |   1    |
 *   +----+--------+
 */
static const struct field_desc s5_method[] = {
	{ .name = "VER", .kind = FK_U8, .format = FMT_DEC, .ref = -1, .names = &names_s5_version,
	  .expect = 5, .tolerate = -1, .dflt = 5, .help = "SOCKS version, 5" },
	{ .name = "METHOD", .kind = FK_U8, .format = FMT_HEX, .ref = -1, .flags = FD_METHOD,
	  .names = &names_s5_method, .expect = -1, .tolerate = -1,
	  .help = "method chosen by the server" },
};

/*
 * Username/password request (RFC 1929)
 *
 *   +----+------+----------+------+----------+
 *   |VER | ULEN |  UNAME   | PLEN |  PASSWD  |
 *   +----+------+----------+------+----------+
 *   | 1  |  1   | 1 to 255 |  1   | 1 to 255 |
 *   +----+------+----------+------+----------+
 */
static const struct field_desc auth_request[] = {
	{ .name = "VER", .kind = FK_U8, .format = FMT_DEC, .ref = -1,
	  .names = &names_auth_version, .expect = 1, .tolerate = -1, .dflt = 1,
	  .help = "subnegotiation version, 1" },
	{ .name = "ULEN", .kind = FK_LEN8, .format = FMT_DEC, .ref = 2,
	  .flags = FD_DERIVED | FD_NONZERO, .expect = -1, .tolerate = -1,
	  .help = "length of UNAME" },
	{ .name = "UNAME", .kind = FK_BYTES, .format = FMT_TEXT, .ref = -1, .expect = -1,
	  .tolerate = -1, .help = "user name" },
	{ .name = "PLEN", .kind = FK_LEN8, .format = FMT_DEC, .ref = 4,
	  .flags = FD_DERIVED | FD_NONZERO, .expect = -1, .tolerate = -1,
	  .help = "length of PASSWD" },
	{ .name = "PASSWD", .kind = FK_BYTES, .format = FMT_TEXT, .ref = -1, .flags = FD_SECRET,
	  .expect = -1, .tolerate = -1, .help = "password (masked unless --show-secrets)" },
};

/*
 * Username/password status (RFC 1929)
 *
 *   +----+--------+
 *   |VER | STATUS |
 *   +----+--------+
 *   | 1  |   1    |
 *   +----+--------+
 *
 * VER 5 instead of 1 is tolerated and flagged; none of the servers the
 * tests run sends it (doc/PROTOCOL.md, "What real servers do").
 */
static const struct field_desc auth_status[] = {
	{ .name = "VER", .kind = FK_U8, .format = FMT_DEC, .ref = -1,
	  .names = &names_auth_version, .expect = 1, .tolerate = 5, .dflt = 1,
	  .help = "subnegotiation version, 1" },
	{ .name = "STATUS", .kind = FK_U8, .format = FMT_HEX, .ref = -1,
	  .names = &names_auth_status, .expect = -1, .tolerate = -1,
	  .help = "0 success, anything else failure" },
};

/*
 * SOCKS5 request (RFC 1928, section 4); the reply has the same shape
 * with REP for CMD and BND for DST (section 6).
 *
 *   +----+-----+-------+------+----------+----------+
 *   |VER | CMD |  RSV  | ATYP | DST.ADDR | DST.PORT |
 *   +----+-----+-------+------+----------+----------+
 *   | 1  |  1  | X'00' |  1   | Variable |    2     |
 *   +----+-----+-------+------+----------+----------+
 *
 * DST.ADDR is 4 bytes (ATYP 1), 16 bytes (ATYP 4), or for ATYP 3 one
 * length byte and that many bytes of name.  RFC 1928 counts the length
 * byte as part of DST.ADDR; here it is a field of its own, ALEN, so that
 * it can be shown, derived and overridden like NMETHODS or ULEN.  The codes
 * of CMD and REP, Tor's included: doc/PROTOCOL.md, "SOCKS5".
 */
enum { S5_VER, S5_CMD, S5_RSV, S5_ATYP, S5_ALEN, S5_ADDR, S5_PORT };
static const struct field_desc s5_request[] = {
	[S5_VER] = { .name = "VER", .kind = FK_U8, .format = FMT_DEC, .ref = -1,
		     .names = &names_s5_version, .expect = 5, .tolerate = -1, .dflt = 5,
		     .help = "SOCKS version, 5" },
	[S5_CMD] = { .name = "CMD", .kind = FK_U8, .format = FMT_HEX, .ref = -1,
		     .names = &names_s5_command, .expect = -1, .tolerate = -1, .dflt = 1,
		     .help = "command: connect, bind, udp, resolve, resolve-ptr" },
	[S5_RSV] = { .name = "RSV", .kind = FK_U8, .format = FMT_HEX, .ref = -1,
		     .flags = FD_RESERVED, .expect = -1, .tolerate = -1, .help = "reserved, 0" },
	[S5_ATYP] = { .name = "ATYP", .kind = FK_ATYP, .format = FMT_HEX, .ref = S5_ADDR,
		      .flags = FD_DERIVED, .names = &names_s5_atyp, .expect = -1,
		      .tolerate = -1, .dflt = 1, .help = "address type: ipv4, domain, ipv6" },
	[S5_ALEN] = { .name = "ALEN", .kind = FK_LEN8, .format = FMT_DEC,
		      .presence = PRESENT_IF_DOMAIN, .ref = S5_ADDR,
		      .flags = FD_DERIVED | FD_NONZERO, .expect = -1, .tolerate = -1,
		      .help = "length of the name; RFC 1928 counts this byte in DST.ADDR" },
	[S5_ADDR] = { .name = "DST.ADDR", .kind = FK_ADDR, .format = FMT_ADDR, .ref = -1,
		      .expect = -1, .tolerate = -1, .help = "destination address or name" },
	[S5_PORT] = { .name = "DST.PORT", .kind = FK_U16, .format = FMT_DEC, .ref = -1,
		      .expect = -1, .tolerate = -1, .help = "destination port" },
};

static const struct field_desc s5_reply[] = {
	[S5_VER] = { .name = "VER", .kind = FK_U8, .format = FMT_DEC, .ref = -1,
		     .names = &names_s5_version, .expect = 5, .tolerate = -1, .dflt = 5,
		     .help = "SOCKS version, 5" },
	[S5_CMD] = { .name = "REP", .kind = FK_U8, .format = FMT_HEX, .ref = -1,
		     .names = &names_s5_reply, .expect = -1, .tolerate = -1,
		     .help = "reply code" },
	[S5_RSV] = { .name = "RSV", .kind = FK_U8, .format = FMT_HEX, .ref = -1,
		     .flags = FD_RESERVED, .expect = -1, .tolerate = -1, .help = "reserved, 0" },
	[S5_ATYP] = { .name = "ATYP", .kind = FK_ATYP, .format = FMT_HEX, .ref = S5_ADDR,
		      .flags = FD_DERIVED, .names = &names_s5_atyp, .expect = -1,
		      .tolerate = -1, .dflt = 1, .help = "address type of BND.ADDR" },
	[S5_ALEN] = { .name = "ALEN", .kind = FK_LEN8, .format = FMT_DEC,
		      .presence = PRESENT_IF_DOMAIN, .ref = S5_ADDR,
		      .flags = FD_DERIVED | FD_NONZERO, .expect = -1, .tolerate = -1,
		      .help = "length of the name; RFC 1928 counts this byte in BND.ADDR" },
	[S5_ADDR] = { .name = "BND.ADDR", .kind = FK_ADDR, .format = FMT_ADDR, .ref = -1,
		      .expect = -1, .tolerate = -1, .help = "bound address" },
	[S5_PORT] = { .name = "BND.PORT", .kind = FK_U16, .format = FMT_DEC, .ref = -1,
		      .expect = -1, .tolerate = -1, .help = "bound port" },
};

/*
 * UDP request header (RFC 1928, section 7)
 *
 *   +----+------+------+----------+----------+----------+
 *   |RSV | FRAG | ATYP | DST.ADDR | DST.PORT |   DATA   |
 *   +----+------+------+----------+----------+----------+
 *   | 2  |  1   |  1   | Variable |    2     | Variable |
 *   +----+------+------+----------+----------+----------+
 */
enum { UDP_RSV, UDP_FRAG, UDP_ATYP, UDP_ALEN, UDP_ADDR, UDP_PORT, UDP_DATA };
static const struct field_desc s5_udp[] = {
	[UDP_RSV] = { .name = "RSV", .kind = FK_U16, .format = FMT_HEX, .ref = -1,
		      .flags = FD_RESERVED, .expect = -1, .tolerate = -1, .help = "reserved, 0" },
	[UDP_FRAG] = { .name = "FRAG", .kind = FK_U8, .format = FMT_DEC, .ref = -1,
		       .expect = -1, .tolerate = -1,
		       .help = "fragment number, 0 for a whole datagram" },
	[UDP_ATYP] = { .name = "ATYP", .kind = FK_ATYP, .format = FMT_HEX, .ref = UDP_ADDR,
		       .flags = FD_DERIVED, .names = &names_s5_atyp, .expect = -1,
		       .tolerate = -1, .dflt = 1, .help = "address type of DST.ADDR" },
	[UDP_ALEN] = { .name = "ALEN", .kind = FK_LEN8, .format = FMT_DEC,
		       .presence = PRESENT_IF_DOMAIN, .ref = UDP_ADDR,
		       .flags = FD_DERIVED | FD_NONZERO, .expect = -1, .tolerate = -1,
		       .help = "length of the name; RFC 1928 counts this byte in DST.ADDR" },
	[UDP_ADDR] = { .name = "DST.ADDR", .kind = FK_ADDR, .format = FMT_ADDR, .ref = -1,
		       .expect = -1, .tolerate = -1, .help = "destination (or source) address" },
	[UDP_PORT] = { .name = "DST.PORT", .kind = FK_U16, .format = FMT_DEC, .ref = -1,
		       .expect = -1, .tolerate = -1, .help = "destination (or source) port" },
	[UDP_DATA] = { .name = "DATA", .kind = FK_REST, .format = FMT_BLOB, .ref = -1,
		       .expect = -1, .tolerate = -1, .help = "the datagram's payload" },
};

/*
 * GSSAPI message (RFC 1961, section 3)
 *
 *   +------+------+------+.......................+
 *   + ver  | mtyp | len  |       token           |
 *   +------+------+------+.......................+
 *   + 0x01 | 0x01 | 0x02 | up to 2^16 - 1 octets |
 *   +------+------+------+.......................+
 *
 * An abort (MTYP 0xFF) is two bytes: no length, no token.  How far
 * sockscope follows GSSAPI: doc/PROTOCOL.md, "GSSAPI".
 */
static const struct field_desc gssapi[] = {
	{ .name = "VER", .kind = FK_U8, .format = FMT_DEC, .ref = -1,
	  .names = &names_auth_version, .expect = 1, .tolerate = -1, .dflt = 1,
	  .help = "GSSAPI subnegotiation version, 1" },
	{ .name = "MTYP", .kind = FK_U8, .format = FMT_HEX, .ref = -1, .names = &names_gssapi_mtyp,
	  .expect = -1, .tolerate = -1, .dflt = 1, .help = "message type" },
	{ .name = "LEN", .kind = FK_LEN16, .format = FMT_DEC, .presence = PRESENT_IF_NOT_ABORT,
	  .ref = 3, .flags = FD_DERIVED, .expect = -1, .tolerate = -1,
	  .help = "length of TOKEN" },
	{ .name = "TOKEN", .kind = FK_BYTES, .format = FMT_OPAQUE, .presence = PRESENT_IF_NOT_ABORT,
	  .ref = -1, .expect = -1, .tolerate = -1, .help = "GSS-API token" },
};

#define DESC(t, k, title, dir, arr) \
	[t] = { t, k, title, dir, sizeof(arr) / sizeof((arr)[0]), arr }

static const struct msg_desc descs[MSG_TYPE_COUNT] = {
	DESC(MSG_S4_REQUEST, "s4-request", "SOCKS4 request", DIR_CLIENT, s4_request),
	DESC(MSG_S4_REPLY, "s4-reply", "SOCKS4 reply", DIR_SERVER, s4_reply),
	DESC(MSG_S5_GREETING, "greeting", "SOCKS5 greeting", DIR_CLIENT, s5_greeting),
	DESC(MSG_S5_METHOD, "method", "SOCKS5 method selection", DIR_SERVER, s5_method),
	DESC(MSG_S5_AUTH_REQUEST, "auth", "username/password request", DIR_CLIENT,
	     auth_request),
	DESC(MSG_S5_AUTH_STATUS, "auth-status", "username/password status", DIR_SERVER,
	     auth_status),
	DESC(MSG_S5_REQUEST, "request", "SOCKS5 request", DIR_CLIENT, s5_request),
	DESC(MSG_S5_REPLY, "reply", "SOCKS5 reply", DIR_SERVER, s5_reply),
	DESC(MSG_S5_UDP, "udp", "SOCKS5 UDP datagram", DIR_CLIENT, s5_udp),
	DESC(MSG_GSSAPI, "gssapi", "GSSAPI message", DIR_CLIENT, gssapi),
};

const struct msg_desc *
proto_msg_desc(enum msg_type type)
{
	if ((unsigned)type >= MSG_TYPE_COUNT)
		return NULL;
	return &descs[type];
}

int
proto_field_index(const struct msg_desc *desc, const char *name)
{
	if (desc == NULL || name == NULL)
		return -1;
	for (size_t i = 0; i < desc->nfields; i++)
		if (strcasecmp(desc->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool
proto_socks4a_marker(const uint8_t ip[4])
{
	return ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0;
}

size_t
field_kind_size(enum field_kind kind)
{
	switch (kind) {
	case FK_U8:
	case FK_COUNT:
	case FK_LEN8:
	case FK_ATYP:
	case FK_NUL:
		return 1;
	case FK_U16:
	case FK_LEN16:
		return 2;
	case FK_IPV4:
		return 4;
	case FK_LIST:
	case FK_BYTES:
	case FK_CSTR:
	case FK_ADDR:
	case FK_REST:
		break;
	}
	return 0;
}

bool
field_kind_numeric(enum field_kind kind)
{
	return kind != FK_IPV4 && field_kind_size(kind) > 0;
}
