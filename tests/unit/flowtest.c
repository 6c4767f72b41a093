/* Transcripts through the flow, events as lines (see flowtest.h). */
#include <check.h>
#include <ctype.h>
#include <libgen.h>
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "flowtest.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void
parse_line(const char *name, char *line, struct ft_transcript *t)
{
	struct ft_chunk *c;
	char *p = line + 2;

	ck_assert_msg(t->n < FT_MAX_CHUNKS, "%s: too many chunks", name);
	ck_assert_msg((line[0] == 'C' || line[0] == 'S') && line[1] == ' ', "%s: bad line '%s'",
		      name, line);
	c = &t->chunks[t->n++];
	memset(c, 0, sizeof(*c));
	c->side = line[0] == 'C' ? FLOW_CLIENT : FLOW_SERVER;
	if (strncmp(p, "close ", 6) == 0) {
		c->is_close = true;
		c->close = strncmp(p + 6, "reset", 5) == 0 ? FLOW_RESET : FLOW_FIN;
		return;
	}
	while (*p != '\0' && *p != '\n') {
		int hi, lo;

		if (*p == ' ') {
			p++;
			continue;
		}
		hi = hexval(p[0]);
		lo = hexval(p[1]);
		ck_assert_msg(hi >= 0 && lo >= 0, "%s: bad hex in '%s'", name, line);
		ck_assert_msg(c->len < FT_CHUNK_MAX, "%s: chunk too long", name);
		c->bytes[c->len++] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
}

/*
 * tests/transcripts/NAME from the top directory (where `make unit` runs),
 * else from beside build/unit-tests (tests/valgrind/run runs it elsewhere).
 */
static FILE *
open_transcript(const char *name, char *path, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n;
	FILE *f;

	snprintf(path, cap, "tests/transcripts/%s", name);
	if ((f = fopen(path, "r")) != NULL)
		return f;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	snprintf(path, cap, "%s/../../tests/transcripts/%s", dirname(exe), name);
	return fopen(path, "r");
}

void
ft_load(const char *name, struct ft_transcript *t)
{
	char path[PATH_MAX + 64], line[3 * FT_CHUNK_MAX + 16];
	FILE *f;

	f = open_transcript(name, path, sizeof(path));
	ck_assert_msg(f != NULL, "cannot open %s ", path);
	t->n = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != '#' && line[0] != '\n')
			parse_line(name, line, t);
	fclose(f);
}

const char *
ft_hint_name(enum hint_id id)
{
	static const char *const names[] = {
		[HINT_HTTP_REQUEST] = "http-request", [HINT_TLS] = "tls",
		[HINT_HTTP_RESPONSE] = "http-response", [HINT_SSH] = "ssh",
		[HINT_BANNER_220] = "banner-220", [HINT_ECHO] = "echo",
		[HINT_SOCKS5_FOR_4] = "socks5-for-4", [HINT_SOCKS4_FOR_5] = "socks4-for-5",
		[HINT_CMD_UNSUPPORTED] = "cmd-unsupported", [HINT_ACCESS_RULE] = "access-rule",
	};

	return names[id];
}

static void
escaped(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 5 < cap; i++)
		k += (size_t)(isprint(p[i]) ? snprintf(out + k, cap - k, "%c", p[i])
					    : snprintf(out + k, cap - k, "\\x%02x", p[i]));
	out[k] = '\0';
}

static void
outcome_line(const struct flow_outcome *o, char *out, size_t cap)
{
	char side = o->side == FLOW_CLIENT ? 'C' : 'S';
	const char *r = flow_result_name(o->result);

	switch (o->result) {
	case FLOW_RES_REFUSED:
	case FLOW_RES_NO_METHOD:
	case FLOW_RES_AUTH_FAILED:
	case FLOW_RES_OPAQUE:
		snprintf(out, cap, "outcome %s 0x%02x", r, (unsigned)o->code);
		break;
	case FLOW_RES_VIOLATION:
		snprintf(out, cap, "outcome violation %c %s@%llu", side,
			 o->field != NULL ? o->field : "-", (unsigned long long)o->off);
		break;
	case FLOW_RES_CLOSED:
		snprintf(out, cap, "outcome closed %c %s in %s%s%s", side,
			 o->close == FLOW_FIN ? "fin" : "reset", flow_phase_name(o->phase),
			 o->field != NULL ? " at " : "", o->field != NULL ? o->field : "");
		break;
	default:
		snprintf(out, cap, "outcome %s", r);
		break;
	}
}

static void
on_event(void *ctx, const struct flow_event *ev)
{
	struct ft_events *e = ctx;
	char side = ev->side == FLOW_CLIENT ? 'C' : 'S';
	char *line, ev_text[96];

	if (ev->kind == FLOW_EV_TUNNEL) {
		ck_assert_msg(ev->off + ev->len <= e->nstream[ev->side], "tunnel past the stream");
		ck_assert_msg(memcmp(ev->data, e->stream[ev->side] + ev->off, ev->len) == 0,
			      "tunnel bytes are not the stream's at %llu",
			      (unsigned long long)ev->off);
		if (e->n > 0 && e->last_tunnel[ev->side] && e->tunnel_end[ev->side] == ev->off &&
		    strncmp(e->lines[e->n - 1], side == 'C' ? "C tunnel" : "S tunnel", 8) == 0) {
			unsigned long long len, off;

			ck_assert(sscanf(e->lines[e->n - 1] + 9, "%llu@%llu", &len, &off) == 2);
			snprintf(e->lines[e->n - 1], FT_LINE, "%c tunnel %llu@%llu", side,
				 len + ev->len, off);
			e->tunnel_end[ev->side] += ev->len;
			return;
		}
	}
	ck_assert_msg(e->n < FT_MAX_EVENTS, "too many events");
	line = e->lines[e->n++];
	e->last_tunnel[0] = e->last_tunnel[1] = false;
	switch (ev->kind) {
	case FLOW_EV_MESSAGE:
		snprintf(line, FT_LINE, "%c %s@%llu", side, ev->msg->desc->key,
			 (unsigned long long)ev->off);
		break;
	case FLOW_EV_PHASE:
		snprintf(line, FT_LINE, "phase %s", flow_phase_name(ev->phase));
		break;
	case FLOW_EV_OUTCOME:
		outcome_line(ev->outcome, line, FT_LINE);
		break;
	case FLOW_EV_ANOMALY:
		snprintf(line, FT_LINE, "%c anomaly %s@%llu", side,
			 ev->field != NULL ? ev->field : "-", (unsigned long long)ev->off);
		break;
	case FLOW_EV_HINT:
		escaped(ev_text, sizeof(ev_text), ev->hint->evidence, ev->hint->evidence_len);
		snprintf(line, FT_LINE, "%c hint %s '%s'", side, ft_hint_name(ev->hint->id),
			 ev_text);
		break;
	case FLOW_EV_TUNNEL:
		snprintf(line, FT_LINE, "%c tunnel %zu@%llu", side, ev->len,
			 (unsigned long long)ev->off);
		e->last_tunnel[ev->side] = true;
		e->tunnel_end[ev->side] = ev->off + ev->len;
		break;
	case FLOW_EV_CLOSE:
		snprintf(line, FT_LINE, "%c close %s in %s", side,
			 ev->close == FLOW_FIN ? "fin" : "reset", flow_phase_name(ev->phase));
		break;
	}
}

static void
feed(struct flow *fl, struct ft_events *e, const struct ft_chunk *c, size_t from, size_t to)
{
	size_t got;

	if (to <= from)
		return;
	memcpy(e->stream[c->side] + e->nstream[c->side], c->bytes + from, to - from);
	e->nstream[c->side] += to - from;
	got = flow_feed(fl, c->side, c->bytes + from, to - from);
	ck_assert_msg(got <= to - from, "flow_feed took %zu of %zu", got, to - from);
}

void
ft_run(const struct ft_transcript *t, int version, size_t piece, size_t split,
       struct ft_events *out)
{
	struct flow fl;
	struct flow_config cfg = { .version = version, .on_event = on_event, .ctx = out };

	memset(out, 0, sizeof(*out));
	flow_init(&fl, &cfg);
	for (size_t i = 0; i < t->n; i++) {
		const struct ft_chunk *c = &t->chunks[i];

		if (c->is_close) {
			flow_close(&fl, c->side, c->close);
			continue;
		}
		if (piece == 0) {
			size_t k = split < c->len ? split : c->len;

			feed(&fl, out, c, 0, k);
			feed(&fl, out, c, k, c->len);
			continue;
		}
		for (size_t off = 0; off < c->len; off += piece)
			feed(&fl, out, c, off, off + piece < c->len ? off + piece : c->len);
	}
}

void
ft_expect(const char *what, const struct ft_events *got, const char *const *want)
{
	size_t n = 0;
	char all[FT_MAX_EVENTS * 48] = "";

	for (size_t i = 0; i < got->n; i++) {
		strncat(all, got->lines[i], sizeof(all) - strlen(all) - 2);
		strncat(all, "\n", sizeof(all) - strlen(all) - 1);
	}
	while (want[n] != NULL)
		n++;
	for (size_t i = 0; i < n && i < got->n; i++)
		ck_assert_msg(strcmp(got->lines[i], want[i]) == 0,
			      "%s: event %zu is '%s', expected '%s'; all events:\n%s", what, i,
			      got->lines[i], want[i], all);
	ck_assert_msg(got->n == n, "%s: %zu events, expected %zu; all events:\n%s", what, got->n,
		      n, all);
}
