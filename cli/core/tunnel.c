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
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"
#include "ttyrestore.h"

#define CHUNK (64 * 1024)
#define DIRECT_CHUNK (1024 * 1024)
/* Into a socket: with the low water mark, larger splices only wait unsent. */
#define DIRECT_TO_SOCK_CHUNK (256 * 1024)
#define UNSENT_LOW_WATER (32 * 1024)

struct direction {
	const char *name; /* "upload" or "download", for messages */
	int src, dst;
	bool src_is_sock, dst_is_sock;
	bool splice;      /* else copy through buf */
	bool direct;      /* splice src to dst in one call: one of them is a pipe */
	bool wait_dst;    /* direct: dst was full, wait until it is writable */
	size_t chunk;     /* direct: most bytes one splice moves */
	int pipe[2];
	size_t queued;    /* bytes in the pipe or in buf */
	bool pipe_full;   /* splice: the pipe took nothing; wait for dst to drain it */
	bool write_failed; /* the error that ended the direction was dst's */
	size_t bufoff;
	bool eof;         /* src ended */
	bool done;        /* src ended and everything queued was written */
	uint64_t moved;
	uint8_t buf[CHUNK];
};

static struct direction up, down;

static bool
can_splice(int fd, bool *is_pipe)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	*is_pipe = S_ISFIFO(st.st_mode);
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

static int io_failed(struct tunnel_result *r, struct direction *d, bool reading, int err);

static void
direction_init(struct direction *d, const char *name, int src, int dst, bool src_sock,
	       bool dst_sock)
{
	memset(d, 0, offsetof(struct direction, buf));
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
move_direct(struct direction *d, struct tunnel_result *r)
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
		return io_failed(r, d, d->src_is_sock, errno);
	return io_failed(r, d, false, errno);
}

/*
 * Ends a direction on an error, worded for people.  Two cases are not
 * failures of the tunnel's own: stdout's reader went away (EPIPE: `| head
 * -1`), an orderly end, -2; and a reset read from the server while stdin
 * was still being uploaded (some of it sent or queued), which cut the upload
 * first: it is named.
 */
static int
io_failed(struct tunnel_result *r, struct direction *d, bool reading, int err)
{
	/* The download counts the bytes that came glued to the reply too
	 * (r->down holds them until the loop ends), as the trace's total does. */
	unsigned long long moved = d->moved + (d == &down ? r->down : 0);
	unsigned long long got = down.moved + r->down;

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
	else if (reading && d->src_is_sock && err == ECONNRESET && !up.done &&
		 (up.moved > 0 || up.queued > 0)) /* with nothing uploaded, none was cut */
		snprintf(r->error, sizeof(r->error),
			 "tunnel upload: cut by a reset from the server after %llu bytes sent (download: %llu bytes received)",
			 (unsigned long long)up.moved, got);
	else
		snprintf(r->error, sizeof(r->error), "tunnel %s: %s %s failed: %s after %llu bytes",
			 d->name, reading ? "reading" : "writing", end,
			 err == ECONNRESET ? "connection reset" : strerror(err), moved);
	d->write_failed = !reading;
	return -1;
}

/* Moves what src has into the queue; -1 on a hard error. */
static int
fill(struct direction *d, struct tunnel_result *r)
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
	return io_failed(r, d, true, errno);
}

/* Writes what is queued to dst; -1 on a hard error. */
static int
drain(struct direction *d, struct tunnel_result *r)
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
	return io_failed(r, d, false, n == 0 ? EIO : errno);
}

/* Called when a direction's source ended and its queue is empty. */
static void
finish(struct direction *d)
{
	d->done = true;
	if (d->dst_is_sock)
		shutdown(d->dst, SHUT_WR); /* the server sees our EOF */
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

int
tunnel_run(int sock, const uint8_t *pending, size_t npending, int in_fd, int out_fd,
	   int quit_after_eof_ms, volatile sig_atomic_t *stop, struct tunnel_result *r)
{
	int in_flags, out_flags, w;
	int64_t quit_at = -1, salvage_at = -1;
	uint64_t salvage_moved = 0;
	char first_error[sizeof(r->error)];
	int rc = 0;

	memset(r, 0, sizeof(*r));
	first_error[0] = '\0';
	if (npending > 0 && (w = write_pending(out_fd, pending, npending, stop, r)) != 0) {
		r->interrupted = w > 0 && !r->stdout_gone;
		return w > 0 ? EXIT_OK : EXIT_TUNNEL;
	}
	/* Not a TCP socket (a test's socketpair): the default is no worse. */
	(void)setsockopt(sock, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &(int){ UNSENT_LOW_WATER },
			 sizeof(int));
	direction_init(&up, "upload", in_fd, sock, false, true);
	direction_init(&down, "download", sock, out_fd, true, false);
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

	while (!(up.done && down.done)) {
		struct pollfd pfd[4];
		struct direction *dirs[2] = { &up, &down };
		int timeout = -1;
		int64_t until = quit_at;

		for (int k = 0; k < 2; k++) {
			struct direction *d = dirs[k];

			if (d->direct) {
				pfd[2 * k].fd = !d->eof && !d->wait_dst ? d->src : -1;
				pfd[2 * k + 1].fd = !d->eof && d->wait_dst ? d->dst : -1;
			} else {
				pfd[2 * k].fd = !d->eof && d->queued < CHUNK && !d->done &&
							!d->pipe_full
						? d->src
						: -1;
				pfd[2 * k + 1].fd = d->queued > 0 ? d->dst : -1;
			}
			pfd[2 * k].events = POLLIN;
			pfd[2 * k + 1].events = POLLOUT;
			pfd[2 * k].revents = pfd[2 * k + 1].revents = 0;
		}
		if (salvage_at >= 0) {
			if (down.moved != salvage_moved) { /* progress: more time */
				salvage_moved = down.moved;
				salvage_at = now_ms() + SALVAGE_IDLE_MS;
			}
			if (until < 0 || salvage_at < until)
				until = salvage_at;
		}
		if (until >= 0) {
			int64_t left = until - now_ms();

			if (left <= 0)
				break;
			timeout = (int)left;
		}
		/* A SIGINT that sets *stop ends the wait (EINTR); the next one
		 * answers -2 (net_poll). */
		if ((w = net_poll(pfd, 4, timeout, stop)) < 0) {
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
		for (int k = 0; k < 2 && rc == 0; k++) {
			struct direction *d = dirs[k];

			if (d->done)
				continue;
			if (d->direct) {
				if (pfd[2 * k + 1].revents != 0)
					d->wait_dst = false;
				if (pfd[2 * k].revents != 0)
					rc = move_direct(d, r);
			} else if (pfd[2 * k].revents != 0) {
				rc = fill(d, r);
			}
			if (rc == 0 && d->queued > 0 &&
			    (pfd[2 * k + 1].revents != 0 || pfd[2 * k].revents != 0))
				rc = drain(d, r);
			if (rc != 0 && d == &up && up.write_failed && !down.done) {
				/* Never lose a tunnel byte: deliver what the server sent. */
				memcpy(first_error, r->error, sizeof(first_error));
				up.eof = up.done = true;
				up.queued = 0;
				salvage_moved = down.moved;
				salvage_at = now_ms() + SALVAGE_IDLE_MS;
				quit_at = -1;
				rc = 0;
				continue;
			}
			if (rc == 0 && d->eof && d->queued == 0 && !d->done) {
				finish(d);
				if (d == &up && quit_after_eof_ms >= 0)
					quit_at = now_ms() + quit_after_eof_ms;
			}
		}
		if (rc == -2) { /* stdout's reader went away: the tunnel is over */
			rc = 0;
			break;
		}
		if (rc != 0)
			break;
	}
	if (first_error[0] != '\0') { /* the upload's error is the one to report */
		memcpy(r->error, first_error, sizeof(r->error));
		rc = -1;
	}
	r->up = up.moved;
	r->down += down.moved;
	ttyrestore_restore(); /* in_flags and out_flags back on in_fd and out_fd */
	for (int k = 0; k < 2; k++) {
		struct direction *d = k == 0 ? &up : &down;

		if (d->pipe[0] >= 0) {
			close(d->pipe[0]);
			close(d->pipe[1]);
		}
	}
	return rc == 0 ? EXIT_OK : EXIT_TUNNEL;
}
