/*
 * A capture's packets made by hand for the capture engine (capsim.h).
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "capsim.h"

static void
on_done(void *ctx, const struct cap_done *d)
{
	struct got *g = ctx;

	g->sessions++;
	snprintf(g->text + strlen(g->text), sizeof(g->text) - strlen(g->text), "%s",
		 d->text != NULL ? d->text : "");
	snprintf(g->outcome, sizeof(g->outcome), "%s", sv_outcome_word(d->sv));
	memcpy(g->tunnel, d->sv->tunnel, sizeof(g->tunnel));
	memcpy(g->gap, d->sv->gap, sizeof(g->gap));
	g->partial = d->sv->partial;
	g->stopped = d->sv->stopped;
	g->datagrams = d->sv->datagrams;
	snprintf(g->target, sizeof(g->target), "%s", d->sv->target);
	snprintf(g->peer, sizeof(g->peer), "%s", d->sv->peer);
	g->nmessages = d->sv->nmessages;
	g->resends_differ = d->sv->resends_differ;
	g->not_kept = d->sv->not_kept;
	if (d->text != NULL && d->len > g->text_max)
		g->text_max = d->len;
	FILE *row = fmemopen(g->row, sizeof(g->row), "w");
	ck_assert_ptr_nonnull(row);
	sv_row(row, d->sv);
	fclose(row);
	g->json_messages = 0;
	if (d->sv->o->json) {
		json_t *j = sv_json(d->sv);
		ck_assert_ptr_nonnull(j);
		g->json_messages = json_array_size(json_object_get(j, "messages"));
		ck_assert_int_eq(json_integer_value(json_object_get(j, "resends_differ")),
				 d->sv->resends_differ);
		ck_assert_int_eq(json_integer_value(json_object_get(j, "not_kept")),
				 d->sv->not_kept);
		json_decref(j);
	}
}

const struct sv_opts capsim_view = { .verbose = false };

void
sim_start_with(struct sim *s, struct cap_config *cfg, uint16_t server_port)
{
	memset(s, 0, sizeof(*s));
	cfg->on_done = on_done;
	cfg->ctx = &s->got;
	s->e = cap_new(cfg);
	ck_assert_ptr_nonnull(s->e);
	s->isn[0] = 1000;
	s->isn[1] = 0xfffffff0u; /* the server's wraps */
	s->port[0] = 40000;
	s->port[1] = server_port;
	s->t = 1700000000000000;
}

void
sim_start(struct sim *s, bool sniff, uint16_t server_port)
{
	struct cap_config cfg = { .ports = {1080}, .nports = 1, .sniff = sniff,
				  .view = &capsim_view, .keep_text = true };

	sim_start_with(s, &cfg, server_port);
}

void
pkt(struct sim *s, int side, uint8_t flags, uint64_t off, const char *data, size_t n, uint64_t ack)
{
	struct tcp_frame f = { .link = LINK_RAW_IP, .ip_version = 4,
			       .ipproto = IPPROTO_NUMBER_TCP, .flags = flags,
			       .payload_len = n, .payload_cap = n };

	f.src.alen = f.dst.alen = 4;
	f.src.addr[0] = f.dst.addr[0] = 127;
	f.src.addr[3] = f.dst.addr[3] = 1;
	f.src.port = s->port[side];
	f.dst.port = s->port[!side];
	f.seq = (flags & TCPF_SYN) ? s->isn[side] : s->isn[side] + 1 + (uint32_t)off;
	f.ack = s->isn[!side] + 1 + (uint32_t)ack;
	s->t += 1000;
	ck_assert(cap_packet(s->e, s->t, &f, (const uint8_t *)data));
}

void
handshake(struct sim *s)
{
	pkt(s, 0, TCPF_SYN, 0, NULL, 0, 0);
	pkt(s, 1, TCPF_SYN | TCPF_ACK, 0, NULL, 0, 0);
	pkt(s, 0, TCPF_ACK, 0, NULL, 0, 0);
}

void
greeted(struct sim *s)
{
	handshake(s);
	pkt(s, 0, TCPF_ACK, 0, GREETING, 3, 0);
	pkt(s, 1, TCPF_ACK, 0, METHOD, 2, 3);
}

void
datagram(struct sim *s, uint16_t from, uint16_t to, const char *data, size_t n)
{
	struct tcp_frame f = { .link = LINK_RAW_IP, .ip_version = 4, .ipproto = IPPROTO_NUMBER_UDP,
			       .payload_len = n, .payload_cap = n };

	f.src.alen = f.dst.alen = 4;
	f.src.addr[0] = f.dst.addr[0] = 127;
	f.src.addr[3] = f.dst.addr[3] = 1;
	f.src.port = from;
	f.dst.port = to;
	s->t += 1000;
	ck_assert(cap_packet(s->e, s->t, &f, (const uint8_t *)data));
}

void
sim_end(struct sim *s)
{
	cap_finish(s->e, s->t);
	cap_free(s->e);
}

void
expect_text(const struct sim *s, const char *needle)
{
	ck_assert_msg(strstr(s->got.text, needle) != NULL, "'%s' not in:\n%s", needle, s->got.text);
}
