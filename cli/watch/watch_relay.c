/*
 * A session's two sockets: the connection to the upstream, and each
 * direction's relay.  What is read is fed to the flow first (which may
 * show it, or rewrite a UDP ASSOCIATE reply in place), then written on;
 * what the destination does not take waits in one bounded buffer, and the
 * source is not read again until it is gone.  A FIN is passed on once its
 * direction is drained; a reset resets the other side too.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "watch_int.h"

static int
dst_fd(const struct watch_session *s, enum flow_side from)
{
	return from == FLOW_CLIENT ? s->up : s->app;
}

static int
src_fd(const struct watch_session *s, enum flow_side from)
{
	return from == FLOW_CLIENT ? s->app : s->up;
}

static enum flow_side
other(enum flow_side side)
{
	return side == FLOW_CLIENT ? FLOW_SERVER : FLOW_CLIENT;
}

/* A relay must not hold a small segment back for the one before it to be
 * acknowledged (Nagle): each message goes on as it came. */
void
watch_nodelay(int fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* The first hop's socket address (resolved at start). */
static socklen_t
hop_sockaddr(const struct host *h, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (h->kind == HOST_IPV6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(h->port);
		memcpy(&sin6->sin6_addr, h->addr, 16);
		return sizeof(*sin6);
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(h->port);
	memcpy(&sin->sin_addr, h->addr, 4);
	return sizeof(*sin);
}

/* Whether addr (port 0) is one of this host's: only then can it be bound. */
static bool
is_local(struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool local;

	if (fd < 0)
		return false;
	local = bind(fd, (struct sockaddr *)ss, len) == 0;
	close(fd);
	return local;
}

/*
 * Whether the first hop is watch's own listener (-l 1080 -x ...:1080): each
 * session would connect to watch and make another, without end.
 */
bool
watch_hop_is_self(const struct watch *w)
{
	struct sockaddr_storage hop;
	socklen_t len = hop_sockaddr(&w->o.hops[0].host, &hop);
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)&w->bound;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)&w->bound;
	uint8_t bound4[4];
	bool wild;

	if (w->o.hops[0].host.port != ntohs(w->bound.ss_family == AF_INET6 ? b6->sin6_port
									  : b4->sin_port))
		return false;
	if (w->bound.ss_family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&b6->sin6_addr)) {
		wild = IN6_IS_ADDR_UNSPECIFIED(&b6->sin6_addr);
		if (!wild)
			return hop.ss_family == AF_INET6 &&
			       memcmp(&((struct sockaddr_in6 *)&hop)->sin6_addr, &b6->sin6_addr, 16) == 0;
	} else {
		if (w->bound.ss_family == AF_INET6)
			memcpy(bound4, &b6->sin6_addr.s6_addr[12], 4);
		else
			memcpy(bound4, &b4->sin_addr, 4);
		wild = memcmp(bound4, "\0\0\0\0", 4) == 0;
		if (hop.ss_family != AF_INET)
			return false;
		if (!wild)
			return memcmp(&((struct sockaddr_in *)&hop)->sin_addr, bound4, 4) == 0;
	}
	/* a wildcard listener: any address of this host reaches it */
	if (hop.ss_family == AF_INET)
		((struct sockaddr_in *)&hop)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&hop)->sin6_port = 0;
	return is_local(&hop, len);
}

int
watch_upstream_start(struct watch_session *s)
{
	struct sockaddr_storage ss;
	socklen_t len = hop_sockaddr(&s->w->o.hops[0].host, &ss);
	int fd;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;

		show_note(s, "watch: socket for the upstream: %s", strerror(e));
		errno = e; /* the caller tells its own shortage from the upstream's */
		return -1;
	}
	s->up = fd;
	watch_nodelay(fd);
	s->state = WS_CONNECTING;
	s->phase_ms = now_ms();
	s->read_ms[0] = s->read_ms[1] = 0;
	if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
		watch_upstream_connected(s);
		return 0;
	}
	if (errno != EINPROGRESS) {
		show_note(s, "upstream unreachable: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The upstream's connect finished, or failed. */
void
watch_upstream_connected(struct watch_session *s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(s->up, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0 && net_connected_to_self(s->up))
		err = ECONNREFUSED;
	if (err != 0) {
		show_note(s, "upstream unreachable: %s", strerror(err));
		watch_session_end(s, "upstream unreachable");
		return;
	}
	s->state = WS_RELAY;
	s->phase_ms = now_ms();
	s->read_ms[0] = s->read_ms[1] = 0;
}

/* What to poll for on side's socket. */
static bool
pending(const struct watch_dir *d)
{
	return d->start < d->end || d->piped > 0;
}

short
watch_events(const struct watch_session *s, enum flow_side side)
{
	const struct watch_dir *in = &s->dir[side], *out = &s->dir[other(side)];
	short ev = 0;

	/* a side the flow can take no more from waits for the other's answer */
	if (!in->eof && (!pending(in) || (in->hold && in->end < WATCH_BUF)) &&
	    flow_room(&s->flow, side) > 0)
		ev |= POLLIN;
	if (pending(out) && !out->hold)
		ev |= POLLOUT;
	return ev;
}

/*
 * Resets the session: both sockets closed with SO_LINGER 0, so that the
 * side that did not reset sees one too.  why: said first, or NULL.
 */
void
watch_abort(struct watch_session *s, enum flow_side reset_by, const char *why)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	char how[40];

	if (why != NULL)
		show_note(s, "%s", why);
	if (s->app >= 0)
		(void)setsockopt(s->app, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (s->up >= 0)
		(void)setsockopt(s->up, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	snprintf(how, sizeof(how), "%s RST", watch_side_name(reset_by));
	watch_session_end(s, how);
}

static bool
is_reset(int e)
{
	return e == ECONNRESET || e == EPIPE || e == ECONNABORTED || e == ETIMEDOUT ||
	       e == EHOSTUNREACH || e == ENETUNREACH;
}

/* Both ways done: the session ends in order. */
static void
maybe_done(struct watch_session *s)
{
	if (s->dir[FLOW_CLIENT].shut && s->dir[FLOW_SERVER].shut)
		watch_session_end(s, "FIN");
}

/* Writes what direction from holds; passes its FIN on once drained. */
void
watch_dir_flush(struct watch_session *s, enum flow_side from)
{
	struct watch_dir *d = &s->dir[from];

	if (from == FLOW_SERVER)
		d->hold = watch_udp_holds(s);
	while (d->piped > 0) {
		ssize_t n = splice(d->pipe[0], NULL, dst_fd(s, from), NULL, d->piped,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			flow_close(&s->flow, other(from), FLOW_RESET);
			watch_abort(s, other(from), NULL);
			return;
		}
		d->piped -= (size_t)n;
	}
	while (d->start < d->end && !d->hold) {
		ssize_t n = send(dst_fd(s, from), d->buf + d->start, d->end - d->start, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			flow_close(&s->flow, other(from), FLOW_RESET);
			watch_abort(s, other(from), NULL);
			return;
		}
		d->start += (size_t)n;
	}
	if (d->hold)
		return;
	free(d->buf);
	d->buf = NULL;
	d->start = d->end = 0;
	if (d->eof && !d->shut) {
		(void)shutdown(dst_fd(s, from), SHUT_WR);
		d->shut = true;
		maybe_done(s);
	}
}

/* A read failed (n < 0) or found the end (n == 0): said to the flow and passed on. */
static void
read_end(struct watch_session *s, enum flow_side from, ssize_t n)
{
	struct watch_dir *d = &s->dir[from];

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		if (!is_reset(errno))
			show_note(s, "%s: read: %s", watch_side_name(from), strerror(errno));
		flow_close(&s->flow, from, FLOW_RESET);
		watch_abort(s, from, NULL);
		return;
	}
	d->eof = true;
	if (s->first_closer < 0)
		s->first_closer = (int)from;
	flow_close(&s->flow, from, FLOW_FIN);
	watch_dir_flush(s, from);
}

/*
 * Bulk tunnel data goes through a pipe with splice(2), never through our
 * memory: once the flow is in the tunnel, nothing is being dumped and the
 * direction has moved WATCH_SPLICE_AFTER bytes.  The flow is not fed these
 * bytes (in the tunnel it would only hand them back): they are counted here.
 */
static bool
splice_ready(struct watch_session *s, enum flow_side from)
{
	struct watch_dir *d = &s->dir[from];
	uint64_t moved = from == FLOW_CLIENT ? s->sum->tunnel_up : s->sum->tunnel_down;

	if (flow_phase(&s->flow) != FLOW_PH_TUNNEL || moved < WATCH_SPLICE_AFTER ||
	    d->dumped < s->w->o.dump_data || d->start < d->end)
		return false;
	if (d->pipe[0] >= 0)
		return true;
	if (pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return false;
	/* a bigger pipe moves more per wake; the default (64 KiB) stays if refused */
	(void)fcntl(d->pipe[1], F_SETPIPE_SZ, WATCH_PIPE);
	return true;
}

static void
splice_read(struct watch_session *s, enum flow_side from)
{
	struct watch_dir *d = &s->dir[from];
	ssize_t n = splice(src_fd(s, from), NULL, d->pipe[1], NULL, WATCH_PIPE,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

	if (n <= 0) {
		read_end(s, from, n);
		return;
	}
	d->piped += (size_t)n;
	d->in += (uint64_t)n;
	s->read_ms[from] = now_ms();
	*(from == FLOW_CLIENT ? &s->sum->tunnel_up : &s->sum->tunnel_down) += (uint64_t)n;
	watch_dir_flush(s, from);
}

/* Reads what direction from's source sent, feeds it to the flow, writes it on. */
void
watch_dir_read(struct watch_session *s, enum flow_side from)
{
	struct watch_dir *d = &s->dir[from];
	size_t before, want;
	ssize_t n;

	if (splice_ready(s, from)) {
		splice_read(s, from);
		return;
	}
	if (d->buf == NULL && (d->buf = malloc(WATCH_BUF + WATCH_SLACK)) == NULL)
		return; /* no memory: try again at the next wake */
	if (d->start == d->end)
		d->start = d->end = 0;
	if (from == FLOW_SERVER)
		d->hold = watch_udp_holds(s);
	want = WATCH_BUF - d->end;
	/* no more than the flow can hold until the other side answers: an
	   application that pipelines waits in its socket, not in a violation */
	if (flow_room(&s->flow, from) < want)
		want = flow_room(&s->flow, from);
	if (want == 0)
		return;
	n = recv(src_fd(s, from), d->buf + d->end, want, 0);
	if (n <= 0) {
		read_end(s, from, n);
		return;
	}
	before = d->end;
	d->end += (size_t)n;
	d->in += (uint64_t)n;
	s->read_ms[from] = now_ms();
	(void)flow_feed(&s->flow, from, d->buf + before, (size_t)n);
	if (from == FLOW_SERVER) {
		watch_udp_apply(s);
		d->hold = watch_udp_holds(s);
	}
	/* what the bytes meant is out before they are: whoever acts on an
	   answer (a script, a test) finds watch's line already written */
	show_flush(s->w);
	watch_dir_flush(s, from);
}
