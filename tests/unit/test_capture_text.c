/*
 * tshark text dumps as a capture's packets (capture_text.c): follow output
 * becomes one connection between the ends its Node lines name (stand-ins
 * without them), its turns in order; a frame dump's frames are reassembled
 * by sequence number whatever their order; no time is shown.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_engine.h"
#include "capture_text.h"
#include "hexparse.h"
#include "suites.h"

struct got {
	unsigned sessions;
	char client[64], server[64], outcome[32], target[64];
	unsigned messages;
	bool partial;
	char text[4096];
};

static void
on_done(void *ctx, const struct cap_done *d)
{
	struct got *g = ctx;

	g->sessions++;
	snprintf(g->client, sizeof(g->client), "%s", d->sv->client);
	snprintf(g->server, sizeof(g->server), "%s", d->sv->server);
	snprintf(g->outcome, sizeof(g->outcome), "%s", sv_outcome_word(d->sv));
	snprintf(g->target, sizeof(g->target), "%s", d->sv->target);
	g->messages = d->sv->nmessages;
	g->partial = d->sv->partial;
	snprintf(g->text, sizeof(g->text), "%s", d->text != NULL ? d->text : "");
}

static const struct sv_opts view = { .untimed = true };

/* text through hexparse, capture_text and the engine (ports 1080, and
 * what the dump adds), into g; returns what the scan found. */
static struct cap_text
run(const char *text, bool sniff, struct got *g)
{
	struct cap_config cfg = { .ports = {1080}, .nports = 1, .sniff = sniff, .view = &view,
				  .keep_text = true, .on_done = on_done, .ctx = g };
	struct hexparse_error err;
	struct hex_input in;
	struct cap_text t;

	memset(g, 0, sizeof(*g));
	ck_assert_int_eq(hex_parse_input(text, strlen(text), &in, &err), 0);
	ck_assert_msg(cap_text_scan(&in, &t), "not a dump capture_text reads");
	cap_text_config(&t, &cfg);
	struct cap_engine *e = cap_new(&cfg);
	ck_assert_ptr_nonnull(e);
	ck_assert(cap_text_feed(e, &in, &t));
	cap_finish(e, 0);
	cap_free(e);
	hex_input_free(&in);
	return t;
}

/* Two turns, a proxy on port 3128 (no SOCKS port: the follow dump names it). */
START_TEST(follow_two_turns)
{
	static const char text[] =
		"===================================================================\n"
		"Follow: tcp,hex\n"
		"Filter: tcp.stream eq 0\n"
		"Node 0: 10.1.2.3:40522\n"
		"Node 1: 10.9.8.7:3128\n"
		"00000000  05 01 00                                          ...\n"
		"\t00000000  05 ff                                             ..\n"
		"===================================================================\n";
	struct got g;
	struct cap_text t = run(text, false, &g);

	ck_assert_uint_eq(t.placeholders, 0);
	ck_assert_uint_eq(t.bytes[0], 3);
	ck_assert_uint_eq(t.bytes[1], 2);
	ck_assert_uint_eq(g.sessions, 1);
	ck_assert_str_eq(g.client, "10.1.2.3:40522");
	ck_assert_str_eq(g.server, "10.9.8.7:3128");
	ck_assert_str_eq(g.outcome, "no-method");
	ck_assert_uint_eq(g.messages, 2);
	ck_assert(!g.partial); /* the synthetic SYN says who connected */
	ck_assert_ptr_nonnull(strstr(g.text, "session 1: 10.1.2.3:40522 -> 10.9.8.7:3128 "
				     "(the dump holds no times)\n"));
	ck_assert_ptr_null(strstr(g.text, "+0.")); /* no time */
	ck_assert_ptr_null(strstr(g.text, "latency"));
	ck_assert_ptr_null(strstr(g.text, " s, ended"));
	ck_assert_ptr_nonnull(strstr(g.text, "ended by the dump's end\n"));
}
END_TEST

/* Without Node lines: stand-in ends; IPv6 ends as tshark may print them. */
START_TEST(follow_ends)
{
	static const char trimmed[] =
		"00000000  05 01 00\n\t00000000  05 00\n"
		"00000003  05 01 00 03 0b 65 78 61 6d 70 6c 65 2e 63 6f 6d\n"
		"00000013  00 50\n"
		"\t00000002  05 00 00 01 00 00 00 00 00 00\n";
	static const char v6[] =
		"Node 0: [2001:db8::1]:40522\nNode 1: 2001:db8::2:1080\n"
		"00000000  04 01 00 50 7f 00 00 01 00\n\t00000000  00 5b 00 00 00 00 00 00\n";
	struct got g;
	struct cap_text t = run(trimmed, false, &g);

	ck_assert_uint_eq(t.placeholders, 1);
	ck_assert_str_eq(g.client, CAP_TEXT_CLIENT);
	ck_assert_str_eq(g.server, CAP_TEXT_SERVER);
	ck_assert_str_eq(g.outcome, "granted");
	ck_assert_str_eq(g.target, "example.com:80");
	t = run(v6, false, &g);
	ck_assert_uint_eq(t.placeholders, 0);
	ck_assert_str_eq(g.client, "[2001:db8::1]:40522");
	ck_assert_str_eq(g.server, "[2001:db8::2]:1080");
	ck_assert_str_eq(g.outcome, "refused");
}
END_TEST

/* Follow output of two tshark runs pasted together: two sessions, each
 * between its own ends (they were one: the second's greeting was the
 * first's tunnel data); without Node lines, a stand-in client port each. */
START_TEST(follow_two_connections)
{
	static const char text[] =
		"Follow: tcp,hex\nNode 0: 10.0.0.1:40000\nNode 1: 10.0.0.2:1080\n"
		"00000000  05 01 00\n\t00000000  05 ff\n"
		"Follow: tcp,hex\nNode 0: 10.0.0.1:40001\nNode 1: 10.0.0.3:3128\n"
		"00000000  04 01 00 50 7f 00 00 01 00\n\t00000000  00 5b 00 00 00 00 00 00\n";
	static const char trimmed[] =
		"Follow: tcp,hex\n00000000  05 01 00\n\t00000000  05 ff\n"
		"Follow: tcp,hex\n00000000  05 01 00\n\t00000000  05 ff\n";
	struct got g;
	struct cap_text t = run(text, false, &g);

	ck_assert_uint_eq(t.conns, 2);
	ck_assert_uint_eq(t.placeholders, 0);
	ck_assert_uint_eq(g.sessions, 2);
	ck_assert_str_eq(g.client, "10.0.0.1:40001"); /* the last session's */
	ck_assert_str_eq(g.server, "10.0.0.3:3128");
	ck_assert_str_eq(g.outcome, "refused");
	ck_assert_uint_eq(g.messages, 2);
	t = run(trimmed, false, &g);
	ck_assert_uint_eq(t.conns, 2);
	ck_assert_uint_eq(t.placeholders, 2);
	ck_assert_uint_eq(g.sessions, 2);
	ck_assert_str_eq(g.client, "192.0.2.1:50001");
	ck_assert_str_eq(g.outcome, "no-method");
}
END_TEST

/* Node lines that name the same end twice: no direction could be told (the
 * engine saw gaps of 2^28 bytes); stand-ins, and the session decoded. */
START_TEST(follow_same_end_twice)
{
	static const char text[] =
		"Node 0: 10.0.0.1:1080\nNode 1: 10.0.0.1:1080\n"
		"00000000  05 01 00\n\t00000000  05 ff\n";
	struct got g;
	struct cap_text t = run(text, false, &g);

	ck_assert_uint_eq(t.placeholders, 1);
	ck_assert_uint_eq(g.sessions, 1);
	ck_assert_str_eq(g.client, CAP_TEXT_CLIENT);
	ck_assert_str_eq(g.outcome, "no-method");
	ck_assert_ptr_null(strstr(g.text, "gap"));
}
END_TEST

/* An IPv4 header's checksum, as frame_parse() checks it. */
static void
ip_checksum(uint8_t *ip)
{
	uint32_t sum = 0;

	ip[10] = ip[11] = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
}

/* An Ethernet/IPv4/TCP frame from port sport to dport with seq and data,
 * as tshark -x prints it, appended to text. */
static void
frame_text(char *text, size_t cap, uint16_t sport, uint16_t dport, uint32_t seq,
	   const uint8_t *data, size_t n)
{
	uint8_t f[128] = { [12] = 0x08, [13] = 0x00 };
	uint8_t *ip = f + 14, *tcp = f + 34;
	size_t len = 54 + n;

	ip[0] = 0x45;
	ip[3] = (uint8_t)(40 + n);
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = ip[16] = 127;
	ip[15] = ip[19] = 1;
	ip_checksum(ip);
	tcp[0] = (uint8_t)(sport >> 8);
	tcp[1] = (uint8_t)sport;
	tcp[2] = (uint8_t)(dport >> 8);
	tcp[3] = (uint8_t)dport;
	for (int i = 0; i < 4; i++)
		tcp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
	tcp[12] = 0x50;
	tcp[13] = 0x18; /* PSH ACK */
	memcpy(tcp + 20, data, n);
	size_t at = strlen(text);
	for (size_t off = 0; off < len; off += 16) {
		at += (size_t)snprintf(text + at, cap - at, "%04zx ", off);
		for (size_t k = off; k < len && k < off + 16; k++)
			at += (size_t)snprintf(text + at, cap - at, " %02x", f[k]);
		at += (size_t)snprintf(text + at, cap - at, "\n");
	}
	snprintf(text + at, cap - at, "\n");
}

/* A frame dump out of order, a segment sent twice, no SYN, from port 4000
 * to 5555 (no SOCKS port; the higher port, the engine's own guess for the
 * client, is the server): a dump given to decode takes the first to send
 * for the client, and the reassembly puts the request back together. */
START_TEST(frames_reassembled)
{
	static const uint8_t greet[] = {0x05, 0x01, 0x00}, method[] = {0x05, 0x00},
			     req_a[] = {0x05, 0x01, 0x00, 0x01}, req_b[] = {0x7f, 0, 0, 1, 0x00, 0x50},
			     reply[] = {0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
	char text[8192] = "";
	struct got g;

	frame_text(text, sizeof(text), 4000, 5555, 100, greet, sizeof(greet));
	frame_text(text, sizeof(text), 5555, 4000, 900, method, sizeof(method));
	frame_text(text, sizeof(text), 4000, 5555, 107, req_b, sizeof(req_b));
	frame_text(text, sizeof(text), 4000, 5555, 103, req_a, sizeof(req_a));
	frame_text(text, sizeof(text), 4000, 5555, 103, req_a, sizeof(req_a));
	frame_text(text, sizeof(text), 5555, 4000, 902, reply, sizeof(reply));
	struct cap_text t = run(text, true, &g);

	ck_assert_uint_eq(t.frames, 6);
	ck_assert_uint_eq(t.nopened, 1);
	ck_assert_uint_eq(t.opened[0], 5555);
	ck_assert_uint_eq(g.sessions, 1);
	ck_assert_msg(strcmp(g.outcome, "granted") == 0, "%s", g.text);
	ck_assert_str_eq(g.client, "127.0.0.1:4000");
	ck_assert_str_eq(g.server, "127.0.0.1:5555");
	ck_assert(g.partial);
	ck_assert_str_eq(g.outcome, "granted");
	ck_assert_str_eq(g.target, "127.0.0.1:80");
	ck_assert_uint_eq(g.messages, 4);
}
END_TEST

Suite *
capture_text_suite(void)
{
	Suite *s = suite_create("capture_text");
	TCase *tc = tcase_create("capture_text");

	tcase_add_test(tc, follow_two_turns);
	tcase_add_test(tc, follow_ends);
	tcase_add_test(tc, follow_two_connections);
	tcase_add_test(tc, follow_same_end_twice);
	tcase_add_test(tc, frames_reassembled);
	suite_add_tcase(s, tc);
	return s;
}
