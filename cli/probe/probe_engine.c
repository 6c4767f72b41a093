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
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "probe_input.h"
#include "probe_progress.h"
#include "probe_report.h"
#include "probe_sink.h"
#include "probe_steps.h"
#include "probe_trace.h"
#include "probe_verdict.h"

static void advance(struct run *R, struct slot *sl);

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

/*
 * A step failed on this side (no descriptor, no memory, no local port): the
 * server is not to blame, so its probe ends here with the verdict "error"
 * and a detail that names the local limit.
 */
static void
local_error(struct run *R, struct slot *sl, const char *call, int err)
{
	struct server *s = sl->s;
	struct rlimit rl;
	char limit[120] = "";

	if (err == EMFILE && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		snprintf(limit, sizeof(limit),
			 " (this process's open file limit is %llu: lower --parallel or raise "
			 "ulimit -n)",
			 (unsigned long long)rl.rlim_cur);
	else if (err == EMFILE)
		snprintf(limit, sizeof(limit), " (this process's open file limit)");
	else if (err == ENFILE)
		snprintf(limit, sizeof(limit), " (the system's open file limit)");
	snprintf(s->local_detail, sizeof(s->local_detail), "local error: %s: %s%s", call,
		 strerror(err), limit);
	s->local_error = true;
	probe_finish(R, sl, OC_ERROR, "%s", s->local_detail);
}

/* The socket connected to itself (net_connected_to_self): nothing listens
   on the port, so the server is as unreachable as a refused connect says. */
static void
finish_self(struct run *R, struct slot *sl)
{
	probe_finish(R, sl, OC_UNREACHABLE,
		     "connect: %s (the socket connected to itself: nothing listens there)",
		     strerror(ECONNREFUSED));
}

static void
start_step(struct run *R, struct slot *sl)
{
	struct server *s = sl->s;
	struct step_res *r = probe_cur(sl);
	int fd, one = 1;

	r->code = -1;
	sl->phase = 0;
	sl->t0_us = probe_now_us();
	r->start_us = sl->t0_us - s->start_us;
	sl->deadline_us = sl->t0_us + (int64_t)R->o->timeout_ms * 1000;
	sl->have = sl->fed = 0;
	sl->flowing = false;
	sl->raw = false;
	sl->outlen = sl->outoff = 0;
	fd = socket(s->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		local_error(R, sl, "socket", errno);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sl->fd = fd;
	sl->gen++;
	R->sent = true;
	if (connect(fd, (const struct sockaddr *)&s->sa, s->salen) == 0) {
		if (net_connected_to_self(fd)) {
			finish_self(R, sl);
			return;
		}
		r->connected = true;
		r->connect_ms = probe_ms_since(sl->t0_us);
		sl->connecting = false;
		probe_step_begin(R, sl);
		return;
	}
	if (errno == EADDRNOTAVAIL || errno == EAGAIN || errno == ENOBUFS || errno == ENOMEM) {
		local_error(R, sl, "connect", errno); /* out of local ports or memory */
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
	while (sl->step < ST_COUNT && !sl->s->local_error) {
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

/* Reads what the peer sent, or its EOF or reset, into the slot's step. */
static void
on_readable(struct run *R, struct slot *sl)
{
	ssize_t n;

	if (sl->have >= sizeof(sl->in)) {
		probe_step_full(R, sl);
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

static void
on_event(struct run *R, struct slot *sl, short revents)
{
	struct step_res *r = probe_cur(sl);
	int fd = sl->fd, step = sl->step;

	if (sl->connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == 0 && !(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		if (err != 0 && err != ECONNRESET && err != EPIPE) {
			probe_finish(R, sl, OC_UNREACHABLE, "connect: %s", strerror(err));
			return;
		}
		if (err == 0 && net_connected_to_self(sl->fd)) {
			finish_self(R, sl);
			return;
		}
		/* a reset (or FIN and reset) after the handshake completed: the
		   server accepted the connection, then dropped it */
		sl->connecting = false;
		r->connected = true;
		r->connect_ms = probe_ms_since(sl->t0_us);
		if (err != 0 && sl->step != ST_TCP) {
			sl->raw = sl->step == ST_SNIFF;
			probe_step_input(R, sl, true, err == ECONNRESET ? ECONNRESET : 0);
			return;
		}
		probe_step_begin(R, sl);
		return;
	}
	/* The peer's EOF or reset first: a request sent to a peer that has
	   already closed draws a reset, and the close would read as one. */
	if (sl->outoff < sl->outlen && (revents & (POLLIN | POLLHUP | POLLERR))) {
		uint8_t b;
		ssize_t n = recv(sl->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

		if (n == 0) {
			probe_step_input(R, sl, true, 0);
			return;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			probe_step_input(R, sl, true, errno);
			return;
		}
	}
	if (sl->outoff < sl->outlen && (revents & POLLOUT)) {
		ssize_t n = send(sl->fd, sl->out + sl->outoff, sl->outlen - sl->outoff,
				 MSG_NOSIGNAL);

		if (n < 0 && (errno == ECONNRESET || errno == EPIPE)) {
			/* what came before the reset still counts */
			int err = errno;

			if (sl->have < sizeof(sl->in)) {
				n = recv(sl->fd, sl->in + sl->have, sizeof(sl->in) - sl->have,
					 MSG_DONTWAIT);
				if (n > 0) {
					sl->have += (size_t)n;
					probe_step_input(R, sl, false, 0);
				}
			}
			if (sl->s != NULL && sl->fd == fd && sl->step == step)
				probe_step_input(R, sl, true, err == ECONNRESET ? err : 0);
			return;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			probe_finish(R, sl, OC_ERROR, "send: %s", strerror(errno));
			return;
		}
		if (n > 0) {
			sl->outoff += (size_t)n;
			if (sl->outoff == sl->outlen)
				probe_step_sent(R, sl);
			if (sl->s == NULL || sl->fd != fd || sl->step != step)
				return; /* what had come already ended the step */
		}
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		on_readable(R, sl);
}

static void
on_timeout(struct run *R, struct slot *sl)
{
	if (sl->connecting) {
		probe_finish(R, sl, OC_UNREACHABLE, "connect timed out after %.1f s",
			     R->o->timeout_ms / 1000.0);
		return;
	}
	probe_step_stalled(R, sl);
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
	s->start_us = now_us();
	if (R->bad_line) { /* a bad line of the input, after something was sent */
		R->bad_line = false;
		snprintf(s->label, sizeof(s->label), "%s", R->bad_label);
		snprintf(s->error, sizeof(s->error), "%s", R->bad_why);
	} else {
		probe_server_setup(R, s, url);
	}
	if (s->error[0] != '\0') {
		probe_report(R, s);
		explicit_bzero(&s->p, sizeof(s->p));
		free(s);
		return;
	}
	sl->s = s;
	sl->run = R;
	sl->step = ST_TCP;
	sl->fd = -1;
	R->active++;
	advance(R, sl);
}

/* stdout is a pipe: its reader going away shows in poll() as POLLERR, before
   anything more is written to it. */
static bool
stdout_is_pipe(void)
{
	struct stat st;

	return fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* Free slots take the next servers of the input, until a server must wait
   for the terminal (nothing in flight) or stdout failed.  true: the input
   is done. */
static bool
fill_slots(struct run *R)
{
	for (int i = 0; i < R->nslots && R->out_err == 0; i++) {
		while (R->slots[i].s == NULL && R->out_err == 0) {
			const char *url = NULL;

			if (probe_input_wait_fd(R) >= 0)
				return false; /* the run loop polls for the next line */
			switch (probe_next_url(R, &url)) {
			case PROBE_NEXT_URL:
				start_server(R, &R->slots[i], url);
				break;
			case PROBE_NEXT_WAIT:
				return false; /* until what is in flight is done */
			case PROBE_NEXT_END:
				return true;
			}
		}
	}
	return false;
}

/* The descriptors of a loop turn, and which slot each belongs to. */
struct loop_fds {
	struct pollfd *pfd; /* slots, then the sink's, stdout, the input */
	int *map;           /* pfd[k] is slot map[k] (k < np) */
	unsigned *gen;      /* ... on its gen[k]th connection */
	int np, ns, nw;     /* slots' descriptors; the sink's; all */
	int out_at;         /* pfd[out_at] is stdout's; -1 when not watched */
};

/* The slots' sockets, the sink's, stdout's and the input's; the nearest
 * step deadline in *next. */
static void
gather_fds(struct run *R, struct loop_fds *L, bool watch_out, bool input_done, int64_t *next)
{
	int in_fd;

	L->np = 0;
	for (int i = 0; i < R->nslots; i++) {
		struct slot *sl = &R->slots[i];

		if (sl->s == NULL || sl->fd < 0)
			continue;
		L->pfd[L->np] = (struct pollfd){
			.fd = sl->fd,
			.events = sl->connecting ? POLLOUT
						 : (short)(POLLIN | (sl->outoff < sl->outlen ? POLLOUT : 0)),
		};
		L->gen[L->np] = sl->gen;
		L->map[L->np++] = i;
		if (sl->deadline_us < *next)
			*next = sl->deadline_us;
	}
	L->ns = probe_sink_pollfds(&R->sink, L->pfd + L->np);
	L->nw = L->np + L->ns;
	L->out_at = -1;
	if (watch_out) { /* no events asked: POLLERR when the reader is gone */
		L->out_at = L->nw;
		L->pfd[L->nw++] = (struct pollfd){ .fd = STDOUT_FILENO };
	}
	in_fd = input_done ? -1 : probe_input_wait_fd(R);
	if (in_fd >= 0) /* the next line: poll() wakes when it comes */
		L->pfd[L->nw++] = (struct pollfd){ .fd = in_fd, .events = POLLIN };
}

/* What poll() said, slot by slot; a slot past its deadline times out. */
static void
serve_fds(struct run *R, const struct loop_fds *L)
{
	for (int k = L->np; k < L->np + L->ns; k++)
		probe_sink_drain(&R->sink, &L->pfd[k]);
	for (int k = 0; k < L->np && R->out_err == 0; k++) {
		struct slot *sl = &R->slots[L->map[k]];

		/* the slot may have moved on to another step or server already */
		if (sl->s == NULL || sl->fd != L->pfd[k].fd || sl->gen != L->gen[k])
			continue;
		if (L->pfd[k].revents != 0)
			on_event(R, sl, L->pfd[k].revents);
		if (sl->s != NULL && sl->fd == L->pfd[k].fd && sl->gen == L->gen[k] &&
		    probe_now_us() >= sl->deadline_us)
			on_timeout(R, sl);
	}
}

/* Stopped early (stdout failed, poll failed, a signal): what is in flight
 * is dropped. */
static void
drop_in_flight(struct run *R)
{
	for (int i = 0; i < R->nslots; i++) {
		struct slot *sl = &R->slots[i];

		probe_close(sl);
		probe_step_free(sl);
		if (sl->s != NULL) {
			explicit_bzero(&sl->s->p, sizeof(sl->s->p));
			free(sl->s);
			sl->s = NULL;
			R->active--;
		}
	}
}

void
probe_run_loop(struct run *R)
{
	/* + sink, stdout, input */
	struct loop_fds L = { .pfd = calloc((size_t)R->nslots + 4, sizeof(struct pollfd)),
			      .map = calloc((size_t)R->nslots, sizeof(int)),
			      .gen = calloc((size_t)R->nslots, sizeof(unsigned)) };
	bool input_done = false, watch_out = stdout_is_pipe();

	R->next_step = advance;
	if (L.pfd == NULL || L.map == NULL || L.gen == NULL) {
		fprintf(stderr, "sockscope probe: out of memory\n");
		R->all_ok = false;
		goto out;
	}
	probe_progress_start(R, now_us());
	while (R->out_err == 0 && !probe_progress_stopped()) {
		int64_t now, next = INT64_MAX;
		int tmo;

		if (!input_done)
			R->input_done = input_done = fill_slots(R);
		if ((R->active == 0 && input_done) || R->out_err != 0)
			break;
		gather_fds(R, &L, watch_out, input_done, &next);
		if (L.np == 0)
			continue; /* slots were freed: fill them */
		now = probe_now_us();
		tmo = next <= now ? 0 : (int)((next - now + 999) / 1000);
		tmo = probe_progress_timeout(R, now, tmo);
		if (poll(L.pfd, (nfds_t)L.nw, tmo) < 0 && errno != EINTR) {
			probe_progress_clear(R);
			fprintf(stderr, "sockscope probe: poll: %s\n", strerror(errno));
			R->all_ok = false;
			break;
		}
		if (L.out_at >= 0 && (L.pfd[L.out_at].revents & (POLLERR | POLLHUP))) {
			R->out_err = EPIPE; /* an orderly end: nobody reads the rest */
			break;
		}
		serve_fds(R, &L);
		probe_progress_tick(R, now_us());
	}
	probe_progress_clear(R);
	drop_in_flight(R);
out:
	free(L.pfd);
	free(L.map);
	free(L.gen);
}
