/*
 * The tunnel: stdin to the server and the server to stdout, until both
 * directions have ended.  One poll loop, two directions.  Where stdin or
 * stdout is itself a pipe, splice(2) moves bytes straight between it and
 * the socket, with nothing queued here; where both ends are sockets, through
 * a 64 KiB pipe of ours; where an end cannot splice (a terminal, a file),
 * through a 64 KiB buffer with read/write.  A direction stops reading while
 * its writer is slow, so memory stays bounded whatever the peers do.
 *
 * Upload keeps little unsent data in the socket (TCP_NOTSENT_LOWAT).  Bytes
 * queued beyond the peer's window go out later, when its ACK arrives, in the
 * context of whoever processes that ACK: on loopback, the proxy's own
 * process.  1 MiB splices thus handed our sending to the proxy: through
 * danted, its process spent 0.95 s per GiB uploaded instead of 0.63 s, and
 * a single-threaded proxy (danted, ssh -D, tor) is the bottleneck.  With
 * little unsent, each splice sends in our own call, at our own cost.
 */
#include "tunnel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"
#include "ttyrestore.h"

#define CHUNK TUNNEL_CHUNK
#define DIRECT_CHUNK (1024 * 1024)
/* Into a socket: with the low water mark, larger splices only wait unsent. */
#define DIRECT_TO_SOCK_CHUNK (256 * 1024)
#define UNSENT_LOW_WATER (32 * 1024)

static bool
can_splice(int fd, bool *is_pipe)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	*is_pipe = S_ISFIFO(st.st_mode);
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

static int io_failed(struct tunnel *t, struct tunnel_direction *d, bool reading, int err);

static void
direction_init(struct tunnel_direction *d, const char *name, int src, int dst, bool src_sock,
	       bool dst_sock)
{
	memset(d, 0, offsetof(struct tunnel_direction, buf));
	d->name = name;
	d->src = src;
	d->dst = dst;
	d->src_is_sock = src_sock;
	d->dst_is_sock = dst_sock;
	bool src_pipe = false, dst_pipe = false;

	d->pipe[0] = d->pipe[1] = -1;
	if (!can_splice(src, &src_pipe) || !can_splice(dst, &dst_pipe))
		return;
	if (src_pipe || dst_pipe) {
		d->direct = true;
		d->chunk = dst_sock ? DIRECT_TO_SOCK_CHUNK : DIRECT_CHUNK;
		/* A larger pipe lets one splice move up to 1 MiB: fewer wake-ups on
		 * both sides.  Growing a pipe harms no one; failure is harmless. */
		(void)fcntl(src_pipe ? src : dst, F_SETPIPE_SZ, DIRECT_CHUNK);
	}
	else
		d->splice = pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) == 0;
}

/*
 * Direct splice: src readable, then one call moves what it has into dst.
 * EAGAIN means dst is full (or src had nothing after all); either way,
 * wait for dst before reading again, so a full dst never spins the loop.
 */
static int
move_direct(struct tunnel *t, struct tunnel_direction *d)
{
	ssize_t n = splice(d->src, NULL, d->dst, NULL, d->chunk,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

	if (n > 0) {
		d->moved += (uint64_t)n;
		return 0;
	}
	if (n == 0) {
		d->eof = true;
		return 0;
	}
	if (errno == EAGAIN) {
		d->wait_dst = true;
		return 0;
	}
	if (errno == EINTR)
		return 0;
	/* One call, two ends: a reset is the socket's, a broken pipe the writer's. */
	if (errno == ECONNRESET)
		return io_failed(t, d, d->src_is_sock, errno);
	return io_failed(t, d, false, errno);
}

/*
 * Ends a direction on an error, worded for people.  Two cases are not
 * failures of the tunnel's own: stdout's reader went away (EPIPE: `| head
 * -1`), an orderly end, -2; and a reset read from the server while stdin
 * was still being uploaded (some of it sent or queued), which cut the upload
 * first: it is named.
 */
static int
io_failed(struct tunnel *t, struct tunnel_direction *d, bool reading, int err)
{
	struct tunnel_result *r = t->r;

	/* The download counts the bytes that came glued to the reply too
	 * (r->down holds them until the loop ends), as the trace's total does. */
	unsigned long long moved = d->moved + (d == &t->down ? r->down : 0);
	unsigned long long got = t->down.moved + r->down;

	const char *end = reading ? (d->src_is_sock ? "the server" : "stdin")
				  : (d->dst_is_sock ? "the server" : "stdout");
	bool to_stdout = !reading && !d->dst_is_sock;

	if (to_stdout && err == EPIPE) {
		r->stdout_gone = true;
		return -2;
	}
	if (to_stdout)
		snprintf(r->error, sizeof(r->error),
			 "standard output: %s (tunnel download, after %llu bytes)", strerror(err),
			 moved);
	else if (reading && d->src_is_sock && err == ECONNRESET && !t->up.done &&
		 (t->up.moved > 0 || t->up.queued > 0)) /* with nothing uploaded, none was cut */
		snprintf(r->error, sizeof(r->error),
			 "tunnel upload: cut by a reset from the server after %llu bytes sent (download: %llu bytes received)",
			 (unsigned long long)t->up.moved, got);
	else
		snprintf(r->error, sizeof(r->error), "tunnel %s: %s %s failed: %s after %llu bytes",
			 d->name, reading ? "reading" : "writing", end,
			 err == ECONNRESET ? "connection reset" : strerror(err), moved);
	d->write_failed = !reading;
	return -1;
}

/* Moves what src has into the queue; -1 on a hard error. */
static int
fill(struct tunnel *t, struct tunnel_direction *d)
{
	ssize_t n;

	if (d->splice) {
		n = splice(d->src, NULL, d->pipe[1], NULL, CHUNK - d->queued,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	} else {
		/*
		 * A partial write leaves the queue at the buffer's end: move it to
		 * the front first.  A read of 0 bytes would answer 0, which is EOF.
		 */
		if (d->bufoff + d->queued == CHUNK) {
			memmove(d->buf, d->buf + d->bufoff, d->queued);
			d->bufoff = 0;
		}
		n = read(d->src, d->buf + d->bufoff + d->queued, CHUNK - d->bufoff - d->queued);
	}
	if (n > 0) {
		d->queued += (size_t)n;
		return 0;
	}
	if (n == 0) {
		d->eof = true;
		return 0;
	}
	/*
	 * Into a pipe that holds something, EAGAIN means its slots are taken
	 * (small segments take one each, far below CHUNK bytes): src would be
	 * polled readable again at once, forever.  Stop reading it until a
	 * drain frees room.  An empty pipe cannot be full: src had nothing.
	 */
	if (errno == EAGAIN && d->splice && d->queued > 0)
		d->pipe_full = true;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	return io_failed(t, d, true, errno);
}

/* Writes what is queued to dst; -1 on a hard error. */
static int
drain(struct tunnel *t, struct tunnel_direction *d)
{
	ssize_t n;

	if (d->splice)
		n = splice(d->pipe[0], NULL, d->dst, NULL, d->queued,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	else if (d->dst_is_sock)
		n = send(d->dst, d->buf + d->bufoff, d->queued, MSG_NOSIGNAL);
	else
		n = write(d->dst, d->buf + d->bufoff, d->queued);
	if (n > 0) {
		d->queued -= (size_t)n;
		d->moved += (uint64_t)n;
		d->pipe_full = false;
		d->bufoff = d->queued == 0 ? 0 : d->bufoff + (size_t)n;
		return 0;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return io_failed(t, d, false, n == 0 ? EIO : errno);
}

/* -1 on an error, 1 when *stop ended the wait for stdout or its reader went away. */
static int
write_pending(int fd, const uint8_t *p, size_t len, volatile sig_atomic_t *stop,
	      struct tunnel_result *r)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (net_poll(&pfd, 1, -1, stop) == -2) {
				r->down += off;
				return 1;
			}
			continue;
		}
		r->down += off;
		if (n < 0 && errno == EPIPE) { /* the reader went away: an orderly end */
			r->stdout_gone = true;
			return 1;
		}
		snprintf(r->error, sizeof(r->error),
			 "standard output: %s (tunnel download, after %llu bytes)",
			 strerror(n < 0 ? errno : EIO), (unsigned long long)off);
		return -1;
	}
	r->down += len;
	return 0;
}


/*
 * The upload failed writing the server (a reset, a broken pipe): what the
 * server sent before that may still wait in the socket.  Stop uploading and
 * let the download deliver it, until it ends or fails, or SALVAGE_IDLE_MS
 * pass without a byte (after a reset nothing more can arrive).
 */
#define SALVAGE_IDLE_MS 2000

/*
 * A server that closes both ways at once when it reads our half-close
 * (microsocks does; so do shadowsocks-libev's ss-local and npm's socksv5)
 * drops whatever answer was still to come.  What we can see of it: its EOF
 * within HALFCLOSE_CUT_MS of our SHUT_WR, not one byte received after that
 * SHUT_WR went out, and less received than sent.  A server that answers
 * after our EOF (a digest, an HTTP/1.0 reply) sends bytes first; an echo
 * that was complete had sent as much as it got.  It is a guess: a warning
 * that names the option, not an error.
 */
#define HALFCLOSE_CUT_MS 1000

static uint64_t
received_so_far(const struct tunnel *t, int sock)
{
	int inq = 0;

	if (ioctl(sock, FIONREAD, &inq) < 0 || inq < 0)
		inq = 0;
	return t->down.moved + t->down.queued + (uint64_t)inq;
}

/* Called when a direction's source ended and its queue is empty. */
static void
finish(struct tunnel *t, struct tunnel_direction *d)
{
	d->done = true;
	if (d == &t->up && t->opts->quit_after_eof_ms >= 0)
		t->quit_at = now_ms() + t->opts->quit_after_eof_ms;
	if (!d->dst_is_sock || t->opts->no_shutdown)
		return;
	t->down_at_halfclose = received_so_far(t, d->dst);
	t->halfclosed_at = now_ms();
	shutdown(d->dst, SHUT_WR); /* the server sees our EOF */
}

/* The download just ended: was it the server cutting the answer (above)? */
static void
check_halfclose_cut(struct tunnel *t)
{
	int64_t after = now_ms() - t->halfclosed_at;
	uint64_t down = t->down.moved + t->down.queued + t->r->down;

	if (t->halfclosed_at < 0 || after > HALFCLOSE_CUT_MS)
		return;
	t->halfclosed_at = -1; /* once */
	if (t->down.moved + t->down.queued != t->down_at_halfclose || down >= t->up.moved)
		return;
	snprintf(t->r->warning, sizeof(t->r->warning),
		 "the server closed both ways %lld ms after our half-close (stdin's EOF) and sent "
		 "nothing after it (%llu bytes sent, %llu received): if an answer was due, the "
		 "proxy may not support half-close; --no-shutdown keeps the connection open",
		 (long long)after, (unsigned long long)t->up.moved, (unsigned long long)down);
}

/* The idle timeout starts again whenever a byte moved or a side ended. */
static void
note_activity(struct tunnel *t)
{
	uint64_t now = t->up.moved + t->down.moved + t->up.queued + t->down.queued +
		       t->up.eof + t->down.eof;

	if (t->opts->idle_ms >= 0 && (now != t->activity || t->idle_at < 0)) {
		t->activity = now;
		t->idle_at = now_ms() + t->opts->idle_ms;
	}
	if (t->salvage_at >= 0 && t->down.moved != t->salvage_moved) { /* progress: more time */
		t->salvage_moved = t->down.moved;
		t->salvage_at = now_ms() + SALVAGE_IDLE_MS;
	}
}

static int64_t
earliest(int64_t a, int64_t b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/*
 * poll's timeout until the nearest deadline (-1: none).  -1 when a deadline
 * has passed and the relay is over: the idle timeout's is an error.
 */
static int
poll_timeout(struct tunnel *t, int *timeout)
{
	int64_t until = earliest(earliest(t->quit_at, t->salvage_at), t->idle_at), left;

	*timeout = -1;
	if (until < 0)
		return 0;
	if ((left = until - now_ms()) > 0) {
		*timeout = (int)left;
		return 0;
	}
	if (until == t->idle_at) {
		t->r->idle = true;
		snprintf(t->r->error, sizeof(t->r->error),
			 "tunnel idle for %.10g seconds (--idle-timeout): no byte moved either way "
			 "(%llu bytes sent, %llu received)",
			 t->opts->idle_ms / 1000.0, (unsigned long long)t->up.moved,
			 (unsigned long long)(t->down.moved + t->r->down));
	}
	return -1;
}

/* Tells opts->progress when its time has come, and shortens poll's wait to
 * its next time; notes the first byte from the server. */
static void
progress_due(struct tunnel *t, int *timeout)
{
	int64_t now, left;

	if (t->r->first_down_us == 0 && t->down.moved > 0)
		t->r->first_down_us = now_us();
	if (t->progress_at < 0)
		return;
	now = now_ms();
	if (now >= t->progress_at) {
		t->opts->progress(t->opts->progress_ctx, t->up.moved, t->r->down + t->down.moved,
				  false);
		t->progress_at = now + TUNNEL_PROGRESS_MS;
	}
	left = t->progress_at - now;
	if (*timeout < 0 || *timeout > left)
		*timeout = (int)left;
}

/* Which ends each direction waits for: src readable, dst writable. */
static void
poll_setup(struct tunnel *t, struct pollfd pfd[4])
{
	struct tunnel_direction *dirs[2] = { &t->up, &t->down };

	for (int k = 0; k < 2; k++) {
		struct tunnel_direction *d = dirs[k];

		if (d->direct) {
			pfd[2 * k].fd = !d->eof && !d->wait_dst ? d->src : -1;
			pfd[2 * k + 1].fd = !d->eof && d->wait_dst ? d->dst : -1;
		} else {
			pfd[2 * k].fd = !d->eof && d->queued < CHUNK && !d->done && !d->pipe_full
						? d->src
						: -1;
			pfd[2 * k + 1].fd = d->queued > 0 ? d->dst : -1;
		}
		pfd[2 * k].events = POLLIN;
		pfd[2 * k + 1].events = POLLOUT;
		pfd[2 * k].revents = pfd[2 * k + 1].revents = 0;
	}
}

/* Never lose a tunnel byte: the upload failed, deliver what the server sent. */
static void
salvage_download(struct tunnel *t)
{
	memcpy(t->first_error, t->r->error, sizeof(t->first_error));
	t->up.eof = t->up.done = true;
	t->up.queued = 0;
	t->salvage_moved = t->down.moved;
	t->salvage_at = now_ms() + SALVAGE_IDLE_MS;
	t->quit_at = -1;
}

/* One direction after poll: read, write, end.  0, -1 on an error, -2 when
 * stdout's reader went away. */
static int
serve(struct tunnel *t, struct tunnel_direction *d, const struct pollfd *in,
      const struct pollfd *out)
{
	int rc = 0;
	bool was_eof = d->eof;

	if (d->done)
		return 0;
	if (d->direct) {
		if (out->revents != 0)
			d->wait_dst = false;
		if (in->revents != 0)
			rc = move_direct(t, d);
	} else if (in->revents != 0) {
		rc = fill(t, d);
	}
	if (rc == 0 && d->queued > 0 && (out->revents != 0 || in->revents != 0))
		rc = drain(t, d);
	if (rc != 0 && d == &t->up && t->up.write_failed && !t->down.done) {
		salvage_download(t);
		return 0;
	}
	if (rc == 0 && d == &t->down && d->eof && !was_eof)
		check_halfclose_cut(t);
	if (rc == 0 && d->eof && d->queued == 0 && !d->done)
		finish(t, d);
	return rc;
}

/* Sets t up and makes the ends non-blocking; 1 when pending ended it already. */
static int
tunnel_start(struct tunnel *t, int sock, const uint8_t *pending, size_t npending, int in_fd,
	     int out_fd, int *rc)
{
	int in_flags, out_flags, w;

	memset(&t->quit_at, 0, sizeof(*t) - offsetof(struct tunnel, quit_at));
	t->quit_at = t->salvage_at = t->idle_at = t->halfclosed_at = -1;
	t->progress_at = t->opts->progress != NULL ? now_ms() + TUNNEL_PROGRESS_MS : -1;
	if (npending > 0)
		t->r->first_down_us = now_us(); /* it came with the reply */
	if (npending > 0 && (w = write_pending(out_fd, pending, npending, t->opts->stop, t->r))) {
		t->r->interrupted = w > 0 && !t->r->stdout_gone;
		*rc = w > 0 ? 0 : -1;
		return 1;
	}
	/* Not a TCP socket (a test's socketpair): the default is no worse. */
	(void)setsockopt(sock, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &(int){ UNSENT_LOW_WATER },
			 sizeof(int));
	direction_init(&t->up, "upload", in_fd, sock, false, true);
	direction_init(&t->down, "download", sock, out_fd, true, false);
	/*
	 * Non-blocking ends, restored on the way out: the terminal is shared.
	 * Also when SIGINT, SIGTERM, SIGHUP or SIGQUIT ends us: the shell and the next
	 * program would otherwise read a non-blocking terminal (EAGAIN).
	 */
	in_flags = ttyrestore_keep_flags(in_fd);
	out_flags = ttyrestore_keep_flags(out_fd);
	ttyrestore_arm();
	if (in_flags >= 0)
		fcntl(in_fd, F_SETFL, in_flags | O_NONBLOCK);
	if (out_flags >= 0)
		fcntl(out_fd, F_SETFL, out_flags | O_NONBLOCK);
	return 0;
}

/* The counts, the first error, the ends' flags back, the pipes closed. */
static int
tunnel_end(struct tunnel *t, int rc)
{
	struct tunnel_result *r = t->r;

	if (t->first_error[0] != '\0') { /* the upload's error is the one to report */
		memcpy(r->error, t->first_error, sizeof(r->error));
		rc = -1;
	}
	r->up = t->up.moved;
	r->down += t->down.moved;
	if (t->opts->progress != NULL)
		t->opts->progress(t->opts->progress_ctx, r->up, r->down, true);
	ttyrestore_restore(); /* in_fd's and out_fd's flags as they were */
	for (int k = 0; k < 2; k++) {
		struct tunnel_direction *d = k == 0 ? &t->up : &t->down;

		if (d->pipe[0] >= 0) {
			close(d->pipe[0]);
			close(d->pipe[1]);
		}
	}
	if (rc != 0)
		r->warning[0] = '\0'; /* the error says more */
	return r->idle ? EXIT_TIMEOUT : rc == 0 ? EXIT_OK : EXIT_TUNNEL;
}

int
tunnel_run(struct tunnel *t, int sock, const uint8_t *pending, size_t npending, int in_fd,
	   int out_fd, const struct tunnel_opts *o, struct tunnel_result *r)
{
	int rc = 0, w, timeout;

	memset(r, 0, sizeof(*r));
	t->opts = o;
	t->r = r;
	if (tunnel_start(t, sock, pending, npending, in_fd, out_fd, &rc))
		return rc == 0 ? EXIT_OK : EXIT_TUNNEL;
	while (!(t->up.done && t->down.done)) {
		struct pollfd pfd[4];

		note_activity(t);
		poll_setup(t, pfd);
		if (poll_timeout(t, &timeout) < 0)
			break;
		progress_due(t, &timeout);
		/* A SIGINT that sets *stop ends the wait (EINTR); the next one
		 * answers -2 (net_poll). */
		if ((w = net_poll(pfd, 4, timeout, o->stop)) < 0) {
			if (w == -2) {
				r->interrupted = true;
				break;
			}
			if (errno == EINTR)
				continue;
			snprintf(r->error, sizeof(r->error), "tunnel: poll failed: %s", strerror(errno));
			rc = -1;
			break;
		}
		rc = serve(t, &t->up, &pfd[0], &pfd[1]);
		if (rc == 0)
			rc = serve(t, &t->down, &pfd[2], &pfd[3]);
		if (rc == -2) { /* stdout's reader went away: the tunnel is over */
			rc = 0;
			break;
		}
		if (rc != 0)
			break;
	}
	return tunnel_end(t, rc);
}
