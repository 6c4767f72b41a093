/*
 * watch's event loop: the listener, every session's sockets, the per-phase
 * deadlines and ^C, all in one poll(2).  Nothing here blocks: a slow or
 * silent side only stops its own session's reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jansson_dl.h"
#include "net.h"
#include "secrets.h"
#include "watch.h"
#include "watch_int.h"

static struct watch *the_watch; /* for the signal handler only */

static void
on_signal(int sig)
{
	(void)sig;
	if (the_watch != NULL)
		the_watch->stop = 1;
}

static int
listen_start(struct watch *w)
{
	socklen_t len = sizeof(w->bound);
	int one = 1, fd;

	fd = socket(w->o.listen.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "sockscope: watch: socket: %s\n", strerror(errno));
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&w->o.listen, w->o.listenlen) < 0 || listen(fd, 512) < 0 ||
	    getsockname(fd, (struct sockaddr *)&w->bound, &len) < 0) {
		char addr[80];

		watch_addr_text(&w->o.listen, addr, sizeof(addr));
		fprintf(stderr, "sockscope: watch: cannot listen on %s: %s\n", addr, strerror(errno));
		close(fd);
		return -1;
	}
	w->listen_fd = fd;
	return 0;
}

static void *
grow(void *p, size_t *cap, size_t elem)
{
	size_t ncap = *cap == 0 ? 64 : *cap * 2;
	void *np = realloc(p, ncap * elem);

	if (np != NULL)
		*cap = ncap;
	return np;
}

static struct watch_session *
session_new(struct watch *w, int app, const struct sockaddr_storage *from)
{
	struct watch_session *s;
	struct watch_sum *sum;

	if (w->nsums == w->cap_sums && w->nsums < WATCH_TABLE_MAX) {
		struct watch_sum **ns = grow(w->sums, &w->cap_sums, sizeof(*ns));

		if (ns == NULL)
			return NULL;
		w->sums = ns;
	}
	if (w->nsessions == w->cap_sessions) {
		struct watch_session **ns = grow(w->sessions, &w->cap_sessions, sizeof(*ns));

		if (ns == NULL)
			return NULL;
		w->sessions = ns;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL || (sum = calloc(1, sizeof(*sum))) == NULL) {
		free(s);
		return NULL;
	}
	s->w = w;
	s->id = sum->id = ++w->next_id;
	s->sum = sum;
	s->app = app;
	s->up = s->chain_fd = -1;
	for (int d = 0; d < 2; d++)
		s->dir[d].pipe[0] = s->dir[d].pipe[1] = -1;
	s->first_closer = -1;
	s->start_ms = s->phase_ms = now_ms();
	watch_addr_text(from, sum->app, sizeof(sum->app));
	snprintf(sum->closed, sizeof(sum->closed), "open");
	flow_init(&s->flow, &(struct flow_config){.version = 0, .on_event = watch_on_event, .ctx = s});
	if (w->nsums < WATCH_TABLE_MAX)
		w->sums[w->nsums++] = sum;
	else
		s->sum_unkept = true; /* freed with the session; the table counts it */
	w->sessions[w->nsessions++] = s;
	return s;
}

/*
 * No descriptor left: the listener rests a while (or until a session ends
 * and frees some), and the applications wait in its backlog; said once.
 * Polling it meanwhile would wake the loop at once, again and again.
 */
static void
out_of_fds(struct watch *w, const char *what)
{
	if (!w->fds_said)
		fprintf(stderr, "sockscope: watch: %s: %s: new applications wait until a "
				"session ends\n", what, strerror(errno));
	w->fds_said = true;
	w->accept_after_ms = now_ms() + 250;
}

static void
accept_some(struct watch *w)
{
	for (int i = 0; i < 64 && w->nsessions < w->o.max_sessions; i++) {
		struct sockaddr_storage from;
		socklen_t len = sizeof(from);
		struct watch_session *s;
		int fd = accept4(w->listen_fd, (struct sockaddr *)&from, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				out_of_fds(w, "accept");
			else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
				 errno != ECONNABORTED)
				fprintf(stderr, "sockscope: watch: accept: %s\n", strerror(errno));
			return;
		}
		watch_nodelay(fd);
		if ((s = session_new(w, fd, &from)) == NULL) {
			fprintf(stderr, "sockscope: watch: out of memory: connection refused\n");
			close(fd);
			return;
		}
		show_open(s);
		if ((w->o.nhops > 1 ? watch_chain_start(s) : watch_upstream_start(s)) < 0) {
			int e = errno;
			bool ours = e == EMFILE || e == ENFILE;

			watch_session_end(s, ours ? "no descriptor for the upstream" : "upstream unreachable");
			if (ours) {
				errno = e;
				out_of_fds(w, "a socket for the upstream");
				return;
			}
		}
	}
	if (w->nsessions >= w->o.max_sessions && !w->full_said && !w->fds_capped) {
		fprintf(stderr, "sockscope: watch: %u sessions open (--max-sessions): new "
				"applications wait until one ends\n", w->o.max_sessions);
		w->full_said = true;
	}
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Ends s: its summary, then its sockets and its memory.  how: "FIN", "RST",
 * "timeout"... as the summary says who closed. */
void
watch_session_end(struct watch_session *s, const char *how)
{
	struct watch *w = s->w;
	struct watch_sum *sum = s->sum;

	sum->up = s->dir[FLOW_CLIENT].in;
	sum->down = s->dir[FLOW_SERVER].in;
	sum->ms = now_ms() - s->start_ms;
	if (s->first_closer >= 0 && strcmp(how, "FIN") == 0)
		snprintf(sum->closed, sizeof(sum->closed), "%s FIN",
			 watch_side_name((enum flow_side)s->first_closer));
	else
		snprintf(sum->closed, sizeof(sum->closed), "%s", how);
	sum->done = true;
	watch_chain_stop(s);
	watch_udp_free(s); /* its datagram count comes before the summary, the session's last line */
	show_summary(s);
	show_flush(w); /* out before the sockets close, as every line about bytes is */
	close_fd(&s->app);
	close_fd(&s->up);
	for (int d = 0; d < 2; d++) {
		free(s->dir[d].buf);
		close_fd(&s->dir[d].pipe[0]);
		close_fd(&s->dir[d].pipe[1]);
	}
	for (size_t i = 0; i < w->nsessions; i++)
		if (w->sessions[i] == s) {
			w->sessions[i] = w->sessions[--w->nsessions];
			break;
		}
	/* the flow may hold an RFC 1929 request */
	explicit_bzero(&s->flow, sizeof(s->flow));
	if (s->sum_unkept) {
		w->sums_unkept++;
		free(s->sum);
	}
	free(s);
	w->full_said = false;
	w->accept_after_ms = 0;
}

static bool
has_deadline(const struct watch_session *s)
{
	enum flow_phase ph = flow_phase(&s->flow);

	/* BIND's wait for the peer is the application's to bound, as a tunnel's idleness is */
	return s->state != WS_RELAY ||
	       (ph != FLOW_PH_TUNNEL && ph != FLOW_PH_UDP && ph != FLOW_PH_BIND);
}

/*
 * When s's time runs out.  A handshake phase has -w from its start; once
 * the flow has ended (a refusal, a violation) watch only relays, and -w is
 * an idle time: bytes still moving keep the session.
 */
static int64_t
session_due(const struct watch_session *s, int timeout_ms)
{
	/* the chain's engine bounds each of its phases by -w: connect, then a
	   greeting, maybe credentials and a request for each hop before the last */
	int64_t phases = s->state == WS_CHAIN ? 1 + 3 * (int64_t)(s->w->o.nhops - 1) : 1;
	int64_t from = s->phase_ms;

	for (int side = 0; side < 2; side++)
		if (s->state == WS_RELAY && flow_phase(&s->flow) == FLOW_PH_END &&
		    s->read_ms[side] > from)
			from = s->read_ms[side];
	return from + phases * timeout_ms;
}

static void
say_timeout(struct watch_session *s)
{
	const char *what = s->state == WS_CHAIN	       ? "reaching the upstream through the chain"
			   : s->state == WS_CONNECTING ? "connecting to the upstream"
						       : flow_phase_name(flow_phase(&s->flow));
	enum flow_side turn = flow_expect(&s->flow, FLOW_SERVER).kind == FLOW_X_MESSAGE
				      ? FLOW_SERVER
				      : FLOW_CLIENT;
	const char *whose = s->state != WS_RELAY   ? ""
			    : turn == FLOW_SERVER ? " (the upstream's turn)"
						  : " (the application's turn)";
	int secs = s->w->o.timeout_ms / 1000;

	/* bytes came in the phase from the side whose turn it is, too few to
	   end it: not silence */
	if (s->state == WS_RELAY && flow_phase(&s->flow) != FLOW_PH_END && s->read_ms[turn] != 0)
		show_note(s, "timeout: %s not complete after %d s%s", what, secs, whose);
	else
		show_note(s, "timeout: nothing for %d s in %s%s", secs, what, whose);
}

/* Ends the sessions whose phase outlived -w; the time to the next deadline. */
static int
check_deadlines(struct watch *w)
{
	int64_t now = now_ms(), next = -1;

	for (size_t i = 0; i < w->nsessions;) {
		struct watch_session *s = w->sessions[i];
		int64_t due = session_due(s, w->o.timeout_ms);

		if (!has_deadline(s)) {
			i++;
			continue;
		}
		if (due <= now) {
			say_timeout(s);
			watch_session_end(s, "timeout");
			continue; /* s was replaced by the last one */
		}
		if (next < 0 || due < next)
			next = due;
		i++;
	}
	return next < 0 ? -1 : (int)(next - now);
}

/* Where each pollfd belongs: session index and which socket. */
struct slot {
	struct watch_session *s;
	int which; /* 0 app, 1 up, 2 chain, 3.. udp */
};

static size_t
fill_session(struct watch_session *s, struct pollfd *pfd, struct slot *sl)
{
	size_t n = 0;
	int ufds[2];

	if (s->state == WS_CHAIN) {
		pfd[n] = (struct pollfd){.fd = s->chain_fd, .events = POLLIN};
		sl[n++] = (struct slot){s, 2};
		return n;
	}
	if (s->state == WS_CONNECTING) {
		pfd[n] = (struct pollfd){.fd = s->up, .events = POLLOUT};
		sl[n++] = (struct slot){s, 1};
		return n;
	}
	/* A socket with nothing to wait for is left out (fd -1): its POLLHUP
	   (FIN both ways) would otherwise wake the loop again and again while
	   the other side drains slowly. */
	for (int side = 0; side < 2; side++) {
		short ev = watch_events(s, (enum flow_side)side);
		int fd = side == 0 ? s->app : s->up;

		pfd[n] = (struct pollfd){.fd = ev != 0 ? fd : -1, .events = ev};
		sl[n++] = (struct slot){s, side};
	}
	for (int k = 0, nu = watch_udp_fds(s, ufds); k < nu; k++) {
		pfd[n] = (struct pollfd){.fd = ufds[k], .events = POLLIN};
		sl[n++] = (struct slot){s, 3 + k};
	}
	return n;
}

/* Whether s still exists (a handler may have ended it). */
static bool
alive(const struct watch *w, const struct watch_session *s)
{
	for (size_t i = 0; i < w->nsessions; i++)
		if (w->sessions[i] == s)
			return true;
	return false;
}

static void
dispatch(struct watch *w, struct pollfd *pfd, struct slot *sl, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct watch_session *s = sl[i].s;
		short re = pfd[i].revents;

		if (re == 0 || !alive(w, s))
			continue;
		if (sl[i].which == 2)
			watch_chain_done(s);
		else if (sl[i].which >= 3)
			watch_udp_ready(s, sl[i].which - 3);
		else if (s->state == WS_CONNECTING)
			watch_upstream_connected(s);
		else {
			enum flow_side from = sl[i].which == 0 ? FLOW_CLIENT : FLOW_SERVER;

			/* writes first: they make room for the other side's reads */
			if (re & (POLLOUT | POLLERR))
				watch_dir_flush(s, from == FLOW_CLIENT ? FLOW_SERVER : FLOW_CLIENT);
			if (alive(w, s) && (re & (POLLIN | POLLHUP | POLLERR)))
				watch_dir_read(s, from);
		}
	}
}

static int
loop(struct watch *w)
{
	struct pollfd *pfd = NULL;
	struct slot *sl = NULL;
	size_t cap = 0;

	while (!w->stop && !w->out_failed && !w->out_gone) {
		size_t need = 1 + 4 * w->nsessions, n = 0;
		int timeout = check_deadlines(w), rc;

		if (need > cap) {
			struct pollfd *np = realloc(pfd, need * 2 * sizeof(*np));
			struct slot *ns = np == NULL ? NULL : realloc(sl, need * 2 * sizeof(*ns));

			if (np != NULL)
				pfd = np;
			if (np == NULL || ns == NULL) {
				fprintf(stderr, "sockscope: watch: out of memory\n");
				break;
			}
			sl = ns;
			cap = need * 2;
		}
		if (w->nsessions < w->o.max_sessions && now_ms() >= w->accept_after_ms) {
			pfd[n] = (struct pollfd){.fd = w->listen_fd, .events = POLLIN};
			sl[n++] = (struct slot){NULL, -1};
		} else if (w->accept_after_ms > 0) {
			int rest = (int)(w->accept_after_ms - now_ms());

			timeout = timeout < 0 || rest < timeout ? (rest > 0 ? rest : 0) : timeout;
		}
		for (size_t i = 0; i < w->nsessions; i++)
			n += fill_session(w->sessions[i], pfd + n, sl + n);
		show_flush(w);
		rc = net_poll(pfd, (nfds_t)n, timeout, &w->stop);
		if (rc < 0) {
			if (rc == -1 && errno != EINTR) {
				fprintf(stderr, "sockscope: watch: poll: %s\n", strerror(errno));
				break;
			}
			continue;
		}
		if (n > 0 && sl[0].s == NULL && (pfd[0].revents & POLLIN))
			accept_some(w);
		dispatch(w, pfd, sl, n);
	}
	free(pfd);
	free(sl);
	return w->out_failed ? EXIT_TUNNEL : EXIT_OK;
}

/* Descriptors a session may hold at once: its two sockets, and either a
 * pipe each way for bulk data or a UDP association's two sockets (or, while
 * the chain's helper starts, its socketpair). */
#define FDS_PER_SESSION 6
#define FDS_SPARE 16 /* stdio, the listener, the resolver, what was inherited */

/*
 * Enough descriptors for --max-sessions, or as many as the hard limit
 * allows; when even that is too few, fewer sessions at once (said), so that
 * an application beyond them waits to be accepted instead of being taken
 * in and dropped for want of a socket to the upstream.
 */
static void
fit_fd_limit(struct watch *w)
{
	struct watch_opts *o = &w->o;
	struct rlimit rl;
	rlim_t want = (rlim_t)o->max_sessions * FDS_PER_SESSION + FDS_SPARE, fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || getrlimit(RLIMIT_NOFILE, &rl) < 0 ||
	    rl.rlim_cur >= want)
		return;
	fit = rl.rlim_cur > FDS_SPARE + FDS_PER_SESSION ? (rl.rlim_cur - FDS_SPARE) / FDS_PER_SESSION
							   : 1;
	fprintf(stderr, "sockscope: watch: the open file limit (%llu) allows %llu sessions at "
			"once, not %u: more applications wait until one ends\n",
		(unsigned long long)rl.rlim_cur, (unsigned long long)fit, o->max_sessions);
	o->max_sessions = (unsigned)fit;
	w->fds_capped = true;
}

int
watch_run(struct watch *w)
{
	struct sigaction sa;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	the_watch = w;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fit_fd_limit(w);
	if (listen_start(w) < 0)
		return EXIT_UNREACHABLE;
	if (watch_hop_is_self(w)) {
		char hop[HOST_MAX + 16];

		host_shown(&w->o.hops[0].host, hop, sizeof(hop));
		fprintf(stderr, "sockscope: -x: %s is watch's own listen address: each session would "
				"connect to watch itself\n", hop);
		close(w->listen_fd);
		return EXIT_USAGE;
	}
	show_listening(w);
	rc = loop(w);
	while (w->nsessions > 0)
		watch_session_end(w->sessions[0], "open at exit");
	if (!w->out_gone) {
		show_table(w);
		show_flush(w);
	}
	close(w->listen_fd);
	for (size_t i = 0; i < w->nsums; i++)
		free(w->sums[i]);
	free(w->sums);
	free(w->sessions);
	return w->out_failed ? EXIT_TUNNEL : rc;
}

static int
resolve_hops(struct watch *w)
{
	char why[400];

	/* the first hop is where the sockets go; the others are named to their
	   hop by the chain's engine, which resolves them itself as it needs */
	if (w->o.hops[0].host.kind == HOST_NAME &&
	    net_resolve(&w->o.hops[0].host, AF_UNSPEC, why, sizeof(why)) < 0) {
		term_say("sockscope", "watch: %s", why);
		return -1;
	}
	return 0;
}

int
watch_main(int argc, char **argv)
{
	static struct watch w; /* static: zero, and 50 KiB off the stack */
	char why[300];
	int rc;

	secret_keep_in();
	rc = watch_options(argc, argv, &w.o);
	if (rc != 0)
		return rc < 0 ? EXIT_USAGE : term_stdout_status(EXIT_OK);
	if (w.o.json && jansson_dl_load(why, sizeof(why)) < 0) {
		fprintf(stderr, "sockscope: watch: %s\n", why);
		return EXIT_USAGE;
	}
	if (resolve_hops(&w) < 0)
		return EXIT_UNREACHABLE;
	w.listen_fd = -1;
	rc = watch_run(&w);
	for (int i = 0; i < w.o.nhops; i++)
		explicit_bzero(&w.o.hops[i].cred, sizeof(w.o.hops[i].cred));
	/* a failure already said (show_flush) is not said again */
	return w.out_failed ? EXIT_TUNNEL : term_stdout_status(rc);
}
