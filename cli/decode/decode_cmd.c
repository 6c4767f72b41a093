/*
 * `sockscope decode`: hex in, annotated messages out.
 *
 * The bytes go through the flow (proto/flow.h), which says what each
 * message is, what comes next and how the session ended; decode_flow.c
 * feeds it.  Both sides of a capture (a tshark dump) are a conversation,
 * which the capture front end shows (the hook decode_main() is given).
 * One side alone may be a paste that starts mid-handshake
 * (just a reply), and what the other side chose is not in it: each place
 * the paste could start and each choice of the absent side is tried, and
 * the reading that explains the bytes best is shown.  Bytes that start
 * 00 00 (or --udp) are one SOCKS5 UDP datagram instead: no session.
 *
 * Every offset in the view counts from the first byte of the message whose
 * header is above it, also for the bytes after the last message.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "decode_cmd.h"
#include "decode_flow.h"
#include "decode_internal.h"
#include "decode_show.h"
#include "json_out.h"
#include "term.h"

/*
 * How well a reading explains the bytes.  Decoding everything beats running
 * out of bytes, and a clean reading beats one with anomalies.  A message
 * that broke past its version byte is a better story than one whose version
 * is wrong (the sign of a wrong guess), and better than a truncated reading
 * that needed anomalies to get there: "05 00" is a greeting offering no
 * method, not a request with command 0.
 */
static int
plausibility(const struct decode_score *s)
{
	if (s->status == DS_OK)
		return s->anomalies == 0 ? 100 : 90;
	/* Clean messages, then bytes where the server had to close: the
	 * server's fault, not a wrong reading. */
	if (s->after_close && s->anomalies == 0)
		return 60;
	if (s->status == DS_NEED_MORE && s->anomalies == 0)
		return 80;
	if (s->status == DS_MALFORMED && s->err_in_msg > 0)
		return 50;
	if (s->status == DS_NEED_MORE)
		return 40;
	return 10;
}

/* Whether reading a is better than b; ties go to b, the earlier one.  Of
 * two broken readings, the one that explained more of the bytes wins: a
 * clean greeting followed by a broken message beats a request that broke
 * three bytes in.  Of two clean ones, the one that read more messages: a
 * BIND's second reply rather than tunnel data. */
static bool
better(const struct decode_score *a, const struct decode_score *b)
{
	int pa = plausibility(a), pb = plausibility(b);

	if (pa != pb)
		return pa > pb;
	if (a->status == DS_OK)
		return a->msg_bytes > b->msg_bytes;
	if (a->status != DS_MALFORMED)
		return false;
	if (a->err_at != b->err_at)
		return a->err_at > b->err_at;
	return a->err_in_msg > b->err_in_msg;
}

/* The readings of one side, in the order a tie is settled: a whole
 * handshake first, then a paste of its later part. */
static size_t
readings(int version, bool server, struct decode_reading *rd)
{
	static const struct decode_reading client5[] = {
		{5, START_FIRST, 0x00, 0}, {5, START_FIRST, 0x02, 0}, {5, START_FIRST, 0x01, 0},
		{5, START_REQUEST, 0, 0},  {5, START_AUTH, 0, 0},
	};
	static const struct decode_reading server5[] = {
		{5, START_FIRST, 0, DECODE_CMD_CONNECT},   {5, START_FIRST, 0, DECODE_CMD_BIND},
		{5, START_REQUEST, 0, DECODE_CMD_CONNECT}, {5, START_REQUEST, 0, DECODE_CMD_BIND},
		{5, START_AUTH, 0, DECODE_CMD_CONNECT},    {5, START_AUTH, 0, DECODE_CMD_BIND},
	};
	static const struct decode_reading client4[] = {{4, START_FIRST, 0, DECODE_CMD_CONNECT}};
	static const struct decode_reading server4[] = {
		{4, START_FIRST, 0, DECODE_CMD_CONNECT}, {4, START_FIRST, 0, DECODE_CMD_BIND},
	};
	const struct decode_reading *set = version == 4 ? (server ? server4 : client4)
							: (server ? server5 : client5);
	size_t n = version == 4 ? (server ? 2 : 1) : (server ? 6 : 5);

	memcpy(rd, set, n * sizeof(*rd));
	return n;
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

/* The best reading of one side, its version from the options or a guess
 * (said on stdout unless --json). */
static void
choose_reading(const struct decode_src *src, const struct decode_opts *o,
	       struct decode_reading *best)
{
	bool server = src->only == 1;
	const uint8_t *p = src->side[src->only];
	int version = o->version;
	struct decode_reading rd[6];
	struct decode_score best_score, sc;

	if (version == 0) {
		version = guess_version(p[0], server);
		if (!o->json && version != 0)
			printf("(guessed SOCKS%d from the first byte)\n", version);
		else if (!o->json)
			printf("(the first byte 0x%02x starts no SOCKS message; decoding "
			       "as SOCKS5)\n", p[0]);
		if (version == 0)
			version = 5;
	}
	size_t n = readings(version, server, rd);
	*best = rd[0];
	decode_flow_run(src, &rd[0], NULL, &best_score);
	for (size_t i = 1; i < n; i++) {
		decode_flow_run(src, &rd[i], NULL, &sc);
		if (better(&sc, &best_score)) {
			*best = rd[i];
			best_score = sc;
		}
	}
}

/* A UDP datagram starts with RSV 00 00; no SOCKS5 message over TCP starts
 * with 00, and a SOCKS4 reply's CD is never 00. */
static bool
looks_like_udp(const struct decode_src *src, const struct decode_opts *o)
{
	const uint8_t *p = src->side[src->only];

	if (o->udp)
		return true;
	if (o->version != 0 || src->len[src->only] < 2 || p[0] != 0x00 ||
	    p[1] != 0x00)
		return false;
	if (!o->json)
		printf("(guessed a SOCKS5 UDP datagram from RSV 00 00)\n");
	return true;
}

/* One datagram through a UDP relay: no session, so no flow. */
static int
decode_udp(const struct decode_src *src, struct decode_out *out)
{
	int s = src->only;
	struct msg m;

	proto_decode(MSG_S5_UDP, src->side[s], src->len[s], NULL, &m);
	if (m.status == PROTO_OK && m.len == src->len[s]) {
		show_message(out, &m, s, 0, VIEW_ROLE_NONE);
		return DECODE_OK;
	}
	show_broken(out, &m, s, 0, src->side[s], src->len[s], true);
	return DECODE_PROTOCOL;
}

static int
decode_session(const struct decode_src *src, struct decode_out *out)
{
	struct decode_reading rd = {out->o->version, START_FIRST, 0, 0};
	struct decode_score sc;

	choose_reading(src, out->o, &rd);
	decode_flow_run(src, &rd, out, &sc);
	return sc.status == DS_OK ? DECODE_OK : DECODE_PROTOCOL;
}

static bool
json_start(struct decode_out *out)
{
	out->doc = json_object();
	out->messages = json_array();
	out->anomalies = json_array();
	out->hints = json_array();
	return out->doc != NULL && out->messages != NULL && out->anomalies != NULL &&
	       out->hints != NULL && json_object_set(out->doc, "messages", out->messages) == 0;
}

/* The document: messages first, then what the run added, anomalies and
 * hints last. */
static void
json_finish(struct decode_out *out)
{
	if (out->doc != NULL && (json_object_set(out->doc, "anomalies", out->anomalies) != 0 ||
				 json_object_set(out->doc, "hints", out->hints) != 0))
		out->out_of_memory = true;
	if (out->out_of_memory)
		fprintf(stderr, "sockscope: out of memory building JSON\n");
	if (out->doc != NULL) {
		json_dumpf(out->doc, stdout, JSON_INDENT(2) | SOCKSCOPE_JSON_FLAGS);
		putchar('\n');
	}
	json_decref(out->doc);
	json_decref(out->messages);
	json_decref(out->anomalies);
	json_decref(out->hints);
}

static int
decode_bytes(const struct decode_src *src, const struct decode_opts *o)
{
	struct decode_out out = {.o = o};
	int status;

	out.view.color = term_wants_color(o->color, stdout);
	out.view.show_secrets = o->show_secrets;
	if (o->json && !json_start(&out)) {
		fprintf(stderr, "sockscope: out of memory\n");
		json_finish(&out);
		return DECODE_USAGE;
	}
	if (looks_like_udp(src, o))
		status = decode_udp(src, &out);
	else
		status = decode_session(src, &out);
	if (o->json)
		json_finish(&out);
	return status;
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
decode_main(int argc, char **argv, decode_dump_fn dump)
{
	struct decode_opts o;
	struct decode_src src;
	struct hex_input in;
	int first, done;

	if ((done = decode_options(argc, argv, &o, &first)) != 0)
		return output_status(done - 1); /* --help, --version */
	int rc = decode_input(argc, argv, first, &o, &src, dump != NULL ? &in : NULL);
	if (rc == DECODE_DUMP) {
		rc = dump(&in, o.json, o.show_secrets, o.color);
		hex_input_free(&in);
		return rc;
	}
	if (rc != 0)
		return output_status(rc);
	int status = decode_bytes(&src, &o);
	decode_src_free(&src);
	return output_status(status);
}
