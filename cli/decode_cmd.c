/*
 * `sockscope decode`: hex in, annotated messages out.
 *
 * The bytes are one direction of one connection, decoded in order as a
 * handshake: a client's greeting, its RFC 1929 or GSSAPI messages, then its
 * request; a server's method selection, its status, then its replies.  A
 * paste often starts mid-handshake (just a reply), so each place the stream
 * could start is tried and the reading that explains the bytes best is shown.
 * Bytes that start 00 00 (or --udp) are one SOCKS5 UDP datagram instead.
 *
 * Every offset in the view counts from the first byte of the message whose
 * header is above it, also for the bytes after the last message.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "decode_cmd.h"
#include "decode_internal.h"
#include "field.h"
#include "hexview.h"
#include "json_out.h"
#include "msgtext.h"
#include "term.h"


/* Where in a handshake the next message comes from. */
enum stage {
	ST_S4_REQUEST,
	ST_S4_REPLY,
	ST_GREETING,
	ST_AFTER_GREETING, /* RFC 1929, GSSAPI or the request, by what was offered */
	ST_AUTH_REQUEST,
	ST_REQUEST,
	ST_METHOD,
	ST_AFTER_METHOD, /* status, GSSAPI or the reply, by the method chosen */
	ST_AUTH_STATUS,
	ST_REPLY,
	ST_UDP, /* one datagram through a UDP relay, either way */
};

/* One reading of the stream, from a given stage. */
struct run {
	const uint8_t *p;
	size_t len;
	size_t off;
	size_t msg_off; /* where the last message shown begins */
	enum stage start;
	enum stage stage;
	uint8_t offered[255];
	size_t noffered;
	bool know_offered;
	int chosen; /* method the server chose, or -1 */
	/* After a request, or a granted reply, bytes that start no message are
	 * the tunnel's (a BIND's second reply may still come). */
	bool tunnel_may_follow;
	/* The server's answer after which it must close: nothing may follow. */
	const char *closed_by;
	/* How it ended. */
	int status;        /* PROTO_OK when every byte was decoded */
	unsigned anomalies; /* over all its messages */
	size_t err_in_msg; /* malformed: where in its message */
	size_t err_at;     /* malformed: where in the stream */
	size_t tunnel;     /* bytes left to the tunnel, at err_at */
	bool after_close;  /* bytes came after closed_by */
};

/* Where the messages go; NULL in a dry run. */
struct output {
	const struct decode_opts *o;
	struct view_opts view;
	json_t *array; /* --json */
	bool out_of_memory;
};

/*
 * The handshake, one message at a time.
 */

static bool
was_offered(const struct run *r, uint8_t method)
{
	return r->know_offered && memchr(r->offered, method, r->noffered) != NULL;
}

static enum msg_type
next_type(const struct run *r)
{
	uint8_t first = r->p[r->off];

	switch (r->stage) {
	case ST_S4_REQUEST:
		return MSG_S4_REQUEST;
	case ST_S4_REPLY:
		return MSG_S4_REPLY;
	case ST_GREETING:
		return MSG_S5_GREETING;
	case ST_AFTER_GREETING:
		/* Both sub-negotiations start with version 0x01: what was offered
		 * tells them apart, RFC 1929 first as the common case, and also
		 * when neither was offered (a server may choose a method it was
		 * not offered; a request never starts with 0x01). */
		if (first == 0x01 && (was_offered(r, 0x02) || !was_offered(r, 0x01)))
			return MSG_S5_AUTH_REQUEST;
		if (first == 0x01 && was_offered(r, 0x01))
			return MSG_GSSAPI;
		return MSG_S5_REQUEST;
	case ST_AUTH_REQUEST:
		return MSG_S5_AUTH_REQUEST;
	case ST_REQUEST:
		return MSG_S5_REQUEST;
	case ST_METHOD:
		return MSG_S5_METHOD;
	case ST_AFTER_METHOD:
		if (r->chosen == 0x02)
			return MSG_S5_AUTH_STATUS;
		if (r->chosen == 0x01 && first == 0x01)
			return MSG_GSSAPI;
		return MSG_S5_REPLY;
	case ST_AUTH_STATUS:
		return MSG_S5_AUTH_STATUS;
	case ST_REPLY:
		return MSG_S5_REPLY;
	case ST_UDP:
		return MSG_S5_UDP;
	}
	return MSG_S5_REQUEST;
}

/* What a complete message tells about the ones after it. */
static void
advance(struct run *r, const struct msg *m)
{
	const struct field *f;

	switch (m->desc->type) {
	case MSG_S5_GREETING:
		f = msg_field(m, "METHODS");
		if (f != NULL) {
			r->noffered = f->len < sizeof(r->offered) ? f->len : sizeof(r->offered);
			memcpy(r->offered, f->bytes, r->noffered);
			r->know_offered = true;
		}
		r->stage = ST_AFTER_GREETING;
		break;
	case MSG_S5_AUTH_REQUEST:
		r->stage = ST_REQUEST;
		break;
	case MSG_S5_METHOD:
		f = msg_field(m, "METHOD");
		r->chosen = f != NULL ? (int)f->num : -1;
		r->stage = ST_AFTER_METHOD;
		break;
	case MSG_S5_AUTH_STATUS:
		r->stage = ST_REPLY;
		break;
	default:
		break; /* GSSAPI frames repeat; requests and replies may too (BIND) */
	}
	/* RFC 1928 3 and 6, RFC 1929 2: after these the server closes. */
	switch (m->desc->type) {
	case MSG_S5_REQUEST:
	case MSG_S4_REQUEST:
		r->tunnel_may_follow = true;
		break;
	case MSG_S5_METHOD:
		if (r->chosen == 0xff)
			r->closed_by = "METHOD 0xFF (no acceptable method)";
		break;
	case MSG_S5_AUTH_STATUS:
		f = msg_field(m, "STATUS");
		if (f != NULL && f->num != 0)
			r->closed_by = "a username/password STATUS of failure";
		break;
	case MSG_S5_REPLY:
	case MSG_S4_REPLY:
		f = msg_field(m, m->desc->type == MSG_S5_REPLY ? "REP" : "CD");
		if (f != NULL && f->num == (m->desc->type == MSG_S5_REPLY ? 0x00u : 0x5Au))
			r->tunnel_may_follow = true;
		else
			r->closed_by = "a reply that refused";
		break;
	default:
		break;
	}
}

static void
show(struct output *out, const struct msg *m, size_t stream_off)
{
	if (out->array == NULL) {
		hexview_print(stdout, m, &out->view);
		return;
	}
	json_t *j = msg_to_json(m, out->o->show_secrets ? MSG_JSON_SHOW_SECRETS : 0);
	if (j == NULL ||
	    json_object_set_new(j, "stream_offset", json_integer((json_int_t)stream_off)) != 0 ||
	    json_array_append_new(out->array, j) != 0)
		out->out_of_memory = true;
}

/* Says what stopped the decoding, on stderr; in the hex view, also shows
 * the bytes that were never reached. */
static void
report(struct output *out, const struct run *r, const struct msg *m)
{
	char title[128], problem[256];

	msg_title(m, title, sizeof(title));
	msg_problem(m, problem, sizeof(problem));
	fprintf(stderr, "sockscope: %s %s\n", title, problem);
	if (out->array != NULL || m->status >= 0)
		return;
	size_t extent = msg_extent(m);
	size_t left = r->len - r->off > extent ? r->len - r->off - extent : 0;
	if (left == 0)
		return;
	/* After a broken username/password request the rest is likely its
	 * password, which no field marks as one any more. */
	if (m->desc->type == MSG_S5_AUTH_REQUEST && !out->o->show_secrets) {
		printf("   %zu more byte%s not decoded, not shown: they may hold the password "
		       "(--show-secrets shows them)\n", left, left == 1 ? "" : "s");
		return;
	}
	printf("   %zu more byte%s not decoded:\n", left, left == 1 ? "" : "s");
	hexdump_print(stdout, r->p + r->off + extent, left, extent, &out->view);
}

/* The bytes after the messages: the tunnel's, or what came after an answer
 * the server must close after.  In the hex view, dumped; with --json, a
 * line on stderr (the array holds messages only). */
static void
report_rest(struct output *out, const struct run *r)
{
	size_t left = r->len - r->err_at;
	const char *s = left == 1 ? "" : "s";

	if (r->after_close)
		fprintf(stderr, "sockscope: %zu byte%s after %s, where the server must close "
			"the connection\n", left, s, r->closed_by);
	else if (out->array != NULL)
		fprintf(stderr, "sockscope: %zu byte%s of tunnel data after the handshake, "
			"not decoded\n", left, s);
	if (out->array != NULL)
		return;
	printf("   %zu byte%s %s:\n", left, s,
	       r->after_close ? "that should not be there" : "of tunnel data, not decoded");
	/* Offsets count from the first byte of the message above, here as in
	 * every other line of the view. */
	hexdump_print(stdout, r->p + r->err_at, left, r->err_at - r->msg_off, &out->view);
}

static void
run_stream(struct run *r, struct output *out)
{
	while (r->off < r->len) {
		struct msg m;
		struct proto_ctx ctx = {r->offered, r->noffered};
		enum msg_type type = next_type(r);

		if (r->closed_by != NULL) {
			r->status = PROTO_E_LENGTH;
			r->after_close = true;
			r->err_at = r->off;
			if (out != NULL)
				report_rest(out, r);
			return;
		}
		proto_decode(type, r->p + r->off, r->len - r->off,
			     r->know_offered ? &ctx : NULL, &m);
		if (m.status < 0 && m.err_off == 0 && r->tunnel_may_follow) {
			r->tunnel = r->len - r->off;
			r->err_at = r->off;
			if (out != NULL)
				report_rest(out, r);
			break;
		}
		if (out != NULL)
			show(out, &m, r->off);
		r->msg_off = r->off;
		r->anomalies += m.anomalies;
		if (m.status == PROTO_OK && m.len > 0) {
			advance(r, &m);
			r->off += m.len;
			continue;
		}
		/* A complete message of no bytes would loop for ever. */
		r->status = m.status == PROTO_OK ? PROTO_E_LENGTH : m.status;
		if (m.status < 0) {
			r->err_in_msg = m.err_off;
			r->err_at = r->off + m.err_off;
		}
		if (out != NULL)
			report(out, r, &m);
		return;
	}
	r->status = PROTO_OK;
}

static void
run_init(struct run *r, const uint8_t *p, size_t len, enum stage start)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->len = len;
	r->start = start;
	r->stage = start;
	r->chosen = -1;
}

/*
 * How well a reading explains the bytes.  Decoding everything beats running
 * out of bytes, and a clean reading beats one with anomalies.  A message
 * that broke past its version byte is a better story than one whose version
 * is wrong (the sign of a wrong guess), and better than a truncated reading
 * that needed anomalies to get there: "05 00" is a greeting offering no
 * method, not a request with command 0.
 */
static int
plausibility(const struct run *r)
{
	if (r->status == PROTO_OK)
		return r->anomalies == 0 ? 100 : 90;
	/* Clean messages, then bytes where the server had to close: the
	 * server's fault, not a wrong reading. */
	if (r->after_close && r->anomalies == 0)
		return 60;
	if (r->status == PROTO_NEED_MORE && r->anomalies == 0)
		return 80;
	if (r->status < 0 && r->err_in_msg > 0)
		return 50;
	if (r->status == PROTO_NEED_MORE)
		return 40;
	return 10;
}

/* Whether reading a is better than b; ties go to b, the earlier one.  Of
 * two broken readings, the one that explained more of the bytes wins: a
 * clean greeting followed by a broken message beats a request that broke
 * three bytes in. */
static bool
better(const struct run *a, const struct run *b)
{
	int pa = plausibility(a), pb = plausibility(b);

	if (pa != pb)
		return pa > pb;
	if (a->status >= 0)
		return false;
	if (a->err_at != b->err_at)
		return a->err_at > b->err_at;
	return a->err_in_msg > b->err_in_msg;
}

/* The stage to start from: a whole handshake first, then a paste of its
 * later part. */
static enum stage
choose_start(const uint8_t *p, size_t len, int version, bool server)
{
	static const enum stage client5[] = {ST_GREETING, ST_REQUEST, ST_AUTH_REQUEST};
	static const enum stage server5[] = {ST_METHOD, ST_REPLY, ST_AUTH_STATUS};

	if (version == 4)
		return server ? ST_S4_REPLY : ST_S4_REQUEST;
	const enum stage *starts = server ? server5 : client5;
	size_t n = sizeof(client5) / sizeof(client5[0]);
	struct run best, next;

	run_init(&best, p, len, starts[0]);
	run_stream(&best, NULL);
	for (size_t i = 1; i < n && plausibility(&best) < 100; i++) {
		run_init(&next, p, len, starts[i]);
		run_stream(&next, NULL);
		if (better(&next, &best))
			best = next;
	}
	return best.start;
}

/* The version the first byte suggests: a SOCKS4 request starts with 04, its
 * reply with 00 (or 04); SOCKS5 messages with 05, RFC 1929 ones with 01.
 * 0 when the byte is none of those. */
static int
guess_version(uint8_t first, bool server)
{
	if (first == 0x05 || first == 0x01)
		return 5;
	if (first == 0x04 || (server && first == 0x00))
		return 4;
	return 0;
}

/* A UDP datagram starts with RSV 00 00; no SOCKS5 message over TCP starts
 * with 00, and a SOCKS4 reply's CD is never 00. */
static bool
looks_like_udp(const uint8_t *p, size_t len)
{
	return len >= 2 && p[0] == 0x00 && p[1] == 0x00;
}

/* The stage the bytes start at, from the options or a guess (said on
 * stdout unless --json). */
static enum stage
first_stage(const uint8_t *p, size_t len, const struct decode_opts *o)
{
	int version = o->version;

	if (o->udp)
		return ST_UDP;
	if (version == 0 && looks_like_udp(p, len)) {
		if (!o->json)
			printf("(guessed a SOCKS5 UDP datagram from RSV 00 00)\n");
		return ST_UDP;
	}
	if (version == 0) {
		version = guess_version(p[0], o->server);
		if (!o->json && version != 0)
			printf("(guessed SOCKS%d from the first byte)\n", version);
		else if (!o->json)
			printf("(the first byte 0x%02x starts no SOCKS message; decoding "
			       "as SOCKS5)\n", p[0]);
		if (version == 0)
			version = 5;
	}
	return choose_start(p, len, version, o->server);
}

static int
decode_bytes(const uint8_t *p, size_t len, const struct decode_opts *o)
{
	struct output out = {.o = o};

	out.view.color = term_wants_color(o->color, stdout);
	out.view.show_secrets = o->show_secrets;
	/* The user said who sent the bytes; GSSAPI frames and UDP datagrams
	 * cannot say it. */
	out.view.dir = o->server ? VIEW_DIR_RECEIVED : VIEW_DIR_SENT;
	if (o->json && (out.array = json_array()) == NULL) {
		fprintf(stderr, "sockscope: out of memory\n");
		return DECODE_USAGE;
	}

	struct run r;
	run_init(&r, p, len, first_stage(p, len, o));
	run_stream(&r, &out);

	if (out.array != NULL) {
		if (out.out_of_memory)
			fprintf(stderr, "sockscope: out of memory building JSON\n");
		json_dumpf(out.array, stdout, JSON_INDENT(2) | SOCKSCOPE_JSON_FLAGS);
		putchar('\n');
		json_decref(out.array);
	}
	return r.status == PROTO_OK ? DECODE_OK : DECODE_PROTOCOL;
}

/* The status after everything was written: a failure to write standard
 * output is exit 7 with its reason; a reader that went away (EPIPE, as with
 * `| head -1`) is an orderly end, with the status the run had. */
static int
output_status(int status)
{
	return term_stdout_status(status); /* DECODE_OUTPUT when it fails */
}

int
decode_main(int argc, char **argv)
{
	struct decode_opts o;
	int first, done;
	size_t len;
	uint8_t *bytes;

	if ((done = decode_options(argc, argv, &o, &first)) != 0)
		return output_status(done - 1); /* --help, --version */
	int rc = decode_input(argc, argv, first, &o, &bytes, &len);
	if (rc != 0)
		return output_status(rc);
	int status = decode_bytes(bytes, len, &o);
	explicit_bzero(bytes, len);
	free(bytes);
	return output_status(status);
}
