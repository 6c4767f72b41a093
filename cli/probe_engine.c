/*
 * sockscope probe: the event loop and what runs next.  See probe_engine.h.
 */
#include "probe_engine.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe_input.h"
#include "probe_report.h"
#include "probe_steps.h"
#include "probe_trace.h"
#include "probe_verdict.h"

static void advance(struct run *R, struct slot *sl);

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double
ms_since(int64_t t0)
{
	return (double)(now_us() - t0) / 1000.0;
}

static void
close_fd(struct slot *sl)
{
	if (sl->fd >= 0)
		close(sl->fd);
	sl->fd = -1;
}

struct step_res *
probe_cur(struct slot *sl)
{
	return &sl->s->r[sl->step];
}

void
probe_finish(struct run *R, struct slot *sl, enum outcome oc, const char *fmt, ...)
{
	struct step_res *r = probe_cur(sl);
	va_list ap;

	r->oc = oc;
	r->phase = sl->phase;
	r->ms = ms_since(sl->t0_us);
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
		va_end(ap);
	}
	close_fd(sl);
	probe_trace_end(R, sl);
	sl->step++;
	advance(R, sl);
}

void
probe_finish_detected(struct run *R, struct slot *sl, const struct detection *d)
{
	if (d->peer != PEER_NONE)
		probe_cur(sl)->peer = d->peer;
	probe_finish(R, sl, d->oc, "%s", d->detail);
}

/* Why a step is not run, or NULL to run it. */
static const char *
skip_reason(const struct run *R, const struct server *s, int st)
{
	enum outcome n5 = s->r[ST_S5_NOAUTH].oc, s4 = s->r[ST_S4].oc;

	if (st == ST_TCP)
		return NULL;
	if (!probe_reachable(s))
		return "TCP connect failed";
	if (probe_identified_peer(s) != PEER_NONE)
		return "not a SOCKS server";
	switch (st) {
	case ST_S5_NOAUTH:
		return NULL;
	case ST_S5_GSSAPI:
	case ST_S5_USERPASS:
	case ST_S5_ALL:
	case ST_S5_AUTH:
	case ST_S5_CONNECT:
	case ST_S5_DOMAIN:
	case ST_S5_BIND:
	case ST_S5_UDP:
		if (n5 == OC_TIMEOUT || n5 == OC_NOT_SOCKS || n5 == OC_OTHER_VERSION)
			return "no SOCKS5 answer to the first greeting";
		if (st == ST_S5_AUTH && s->p.cred.has_user && !probe_has_cred(s))
			return "no password for the user (a SOCKS4 USERID has none)";
		if (st == ST_S5_AUTH && !probe_has_cred(s))
			return "no credentials given";
		if (st >= ST_S5_CONNECT && !probe_chose(s, ST_S5_NOAUTH, 0) && !probe_has_cred(s) &&
		    n5 == OC_REFUSED)
			return "no acceptable method without credentials";
		if (st == ST_S5_CONNECT && !s->target_v4 && s->target.kind != HOST_IPV6)
			return "the target has no address";
		if (st == ST_S5_BIND && !R->cfg.bind)
			return "not asked for (--commands bind)";
		if (st == ST_S5_UDP && !R->cfg.udp)
			return "not asked for (--commands udp)";
		return NULL;
	case ST_S4:
		if (!s->target_v4)
			return "SOCKS4 carries only IPv4 addresses";
		return NULL;
	case ST_S4A:
		if (s4 == OC_TIMEOUT || s4 == OC_NOT_SOCKS)
			return "no SOCKS4 answer";
		return NULL;
	case ST_SNIFF:
		if (probe_any_socks_answer(s))
			return "the server answered as SOCKS";
		return NULL;
	default:
		return NULL;
	}
}

static void
start_step(struct run *R, struct slot *sl)
{
	struct server *s = sl->s;
	struct step_res *r = probe_cur(sl);
	int fd, one = 1;

	r->code = -1;
	sl->phase = 0;
	sl->t0_us = now_us();
	sl->deadline_us = sl->t0_us + (int64_t)R->o->timeout_ms * 1000;
	sl->have = 0;
	sl->outlen = sl->outoff = 0;
	fd = socket(s->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		probe_finish(R, sl, OC_ERROR, "socket: %s", strerror(errno));
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sl->fd = fd;
	if (connect(fd, (const struct sockaddr *)&s->sa, s->salen) == 0) {
		r->connected = true;
		r->connect_ms = ms_since(sl->t0_us);
		sl->connecting = false;
		probe_step_begin(R, sl);
		return;
	}
	if (errno != EINPROGRESS) {
		probe_finish(R, sl, OC_UNREACHABLE, "connect: %s", strerror(errno));
		return;
	}
	sl->connecting = true;
}

/* Runs or skips steps until one waits on a connection, or the server is done. */
static void
advance(struct run *R, struct slot *sl)
{
	while (sl->step < ST_COUNT) {
		const char *why;

		if (R->cfg.steps != 0 && !(R->cfg.steps & (1u << sl->step))) {
			sl->step++; /* not chosen (--steps): not run, not reported */
			continue;
		}
		why = skip_reason(R, sl->s, sl->step);

		if (why == NULL) {
			start_step(R, sl);
			return;
		}
		probe_cur(sl)->oc = OC_SKIPPED;
		probe_cur(sl)->code = -1;
		snprintf(probe_cur(sl)->detail, sizeof(probe_cur(sl)->detail), "%s", why);
		probe_trace_end(R, sl);
		sl->step++;
	}
	probe_report(R, sl->s);
	explicit_bzero(&sl->s->p, sizeof(sl->s->p));
	free(sl->s);
	sl->s = NULL;
	R->active--;
}

static void
on_event(struct run *R, struct slot *sl, short revents)
{
	struct step_res *r = probe_cur(sl);

	if (sl->connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == 0 && !(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		if (err != 0) {
			probe_finish(R, sl, OC_UNREACHABLE, "connect: %s", strerror(err));
			return;
		}
		sl->connecting = false;
		r->connected = true;
		r->connect_ms = ms_since(sl->t0_us);
		probe_step_begin(R, sl);
		return;
	}
	if (sl->outoff < sl->outlen && (revents & POLLOUT)) {
		ssize_t n = send(sl->fd, sl->out + sl->outoff, sl->outlen - sl->outoff,
				 MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			probe_finish(R, sl, errno == ECONNRESET ? OC_RESET : OC_ERROR, "send: %s",
				     strerror(errno));
			return;
		}
		if (n > 0) {
			sl->outoff += (size_t)n;
			if (sl->outoff == sl->outlen) {
				if (sl->raw)
					probe_trace_raw(R, sl, true, sl->out, sl->outlen);
				else
					probe_trace_sent(R, sl);
			}
		}
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		ssize_t n;

		if (sl->have >= sizeof(sl->in)) {
			probe_step_input(R, sl, true, 0);
			return;
		}
		n = recv(sl->fd, sl->in + sl->have, sizeof(sl->in) - sl->have, 0);
		if (n > 0) {
			sl->have += (size_t)n;
			probe_step_input(R, sl, false, 0);
		} else if (n == 0) {
			probe_step_input(R, sl, true, 0);
		} else if (errno != EAGAIN && errno != EINTR) {
			probe_step_input(R, sl, true, errno);
		}
	}
}

static void
on_timeout(struct run *R, struct slot *sl)
{
	double secs = R->o->timeout_ms / 1000.0;

	if (sl->connecting) {
		probe_finish(R, sl, OC_UNREACHABLE, "connect timed out after %.1f s", secs);
		return;
	}
	if (sl->have > 0) {
		struct detection d;
		char hex[80];

		if (probe_detect_partial(sl->in, sl->have, sl->raw, &d)) {
			probe_finish_detected(R, sl, &d);
			return;
		}
		probe_hexprefix(sl->in, sl->have, hex, sizeof(hex));
		probe_anomaly(probe_cur(sl), "short reply: %zu bytes, then silence", sl->have);
		probe_finish(R, sl, OC_TIMEOUT, "only %zu bytes (%s) within %.1f s", sl->have, hex,
			     secs);
		return;
	}
	probe_finish(R, sl, OC_TIMEOUT, "no reply within %.1f s", secs);
}

static void
start_server(struct run *R, struct slot *sl, const char *url)
{
	struct server *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		fprintf(stderr, "sockscope probe: out of memory\n");
		R->all_ok = false;
		return;
	}
	s->input = ++R->ninput;
	probe_server_setup(R, s, url);
	if (s->error[0] != '\0') {
		probe_report(R, s);
		explicit_bzero(&s->p, sizeof(s->p));
		free(s);
		return;
	}
	sl->s = s;
	sl->step = ST_TCP;
	sl->fd = -1;
	R->active++;
	advance(R, sl);
}

void
probe_run_loop(struct run *R)
{
	struct pollfd *pfd = calloc((size_t)R->nslots, sizeof(*pfd));
	int *map = calloc((size_t)R->nslots, sizeof(int));
	bool input_done = false, held = false;

	if (pfd == NULL || map == NULL) {
		fprintf(stderr, "sockscope probe: out of memory\n");
		R->all_ok = false;
		free(pfd);
		free(map);
		return;
	}
	for (;;) {
		int np = 0, tmo;
		int64_t now, next = INT64_MAX;

		held = false;
		for (int i = 0; i < R->nslots && !input_done && !held; i++) {
			while (R->slots[i].s == NULL && !input_done && !held) {
				const char *url = NULL;

				switch (probe_next_url(R, &url)) {
				case PROBE_NEXT_URL:
					start_server(R, &R->slots[i], url);
					break;
				case PROBE_NEXT_WAIT:
					held = true; /* until what is in flight is done */
					break;
				case PROBE_NEXT_END:
					input_done = true;
					break;
				}
			}
		}
		if (R->active == 0 && input_done)
			break;
		for (int i = 0; i < R->nslots; i++) {
			struct slot *sl = &R->slots[i];

			if (sl->s == NULL || sl->fd < 0)
				continue;
			pfd[np].fd = sl->fd;
			pfd[np].events = sl->connecting ? POLLOUT :
					 (short)(POLLIN | (sl->outoff < sl->outlen ? POLLOUT : 0));
			pfd[np].revents = 0;
			map[np++] = i;
			if (sl->deadline_us < next)
				next = sl->deadline_us;
		}
		if (np == 0)
			continue; /* slots were freed: fill them */
		now = now_us();
		tmo = next <= now ? 0 : (int)((next - now + 999) / 1000);
		if (poll(pfd, (nfds_t)np, tmo) < 0 && errno != EINTR) {
			fprintf(stderr, "sockscope probe: poll: %s\n", strerror(errno));
			R->all_ok = false;
			break;
		}
		now = now_us();
		for (int k = 0; k < np; k++) {
			struct slot *sl = &R->slots[map[k]];

			/* the slot may have moved on to another step or server already */
			if (sl->s == NULL || sl->fd != pfd[k].fd)
				continue;
			if (pfd[k].revents != 0)
				on_event(R, sl, pfd[k].revents);
			if (sl->s != NULL && sl->fd == pfd[k].fd && now_us() >= sl->deadline_us)
				on_timeout(R, sl);
		}
	}
	free(pfd);
	free(map);
}
