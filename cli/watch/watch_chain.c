/*
 * Several -x: the hops before the last are reached by the client engine
 * (session_run in handshake.h), which blocks, so it runs in a child
 * process of its own, one per session, and the event loop goes on.  The
 * child connects, asks each hop to CONNECT to the next, and hands the
 * connection, now open to the last hop, back over a socketpair
 * (SCM_RIGHTS), or the engine's error.  It is bounded twice: the engine by
 * -w in each phase, and the loop, which kills it when the session's -w
 * runs out first (watch_loop.c).  The application's own handshake then
 * goes to the last hop, relayed as with one -x.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"
#include "watch_int.h"

/* What the child sends: its status, then bytes (the error, or what the
 * last hop sent before being spoken to). */
struct chain_msg {
	uint8_t status;
	uint8_t bytes[sizeof(((struct conn *)0)->in) + sizeof(((struct session *)0)->error)];
};

static void
send_result(int sock, int status, int fd, const void *p, size_t len)
{
	static struct chain_msg m;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = &m, .iov_len = 1 + len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	m.status = (uint8_t)status;
	memcpy(m.bytes, p, len);
	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		ctl.h.cmsg_level = SOL_SOCKET;
		ctl.h.cmsg_type = SCM_RIGHTS;
		ctl.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&ctl.h), &fd, sizeof(int));
	}
	(void)sendmsg(sock, &mh, MSG_NOSIGNAL);
}

static void __attribute__((noreturn))
chain_child(const struct watch *w, int sock)
{
	static struct session se; /* static: zero */
	int rc;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	/* only the socketpair: another session's socket held here would keep
	   its FIN from leaving when the loop closes it */
	if (dup2(sock, 3) < 0)
		_exit(1);
	close_range(4, ~0U, 0);
	se.nhops = w->o.nhops - 1;
	memcpy(se.hops, w->o.hops, sizeof(se.hops[0]) * (size_t)se.nhops);
	se.command = COMMAND_CONNECT;
	se.target = w->o.hops[w->o.nhops - 1].host;
	se.family = AF_UNSPEC;
	se.timeout_ms = w->o.timeout_ms;
	se.quiet = true;
	se.conn.fd = -1;
	rc = session_plan(&se);
	if (rc == EXIT_OK)
		rc = session_run(&se);
	if (rc == EXIT_OK)
		send_result(3, rc, se.conn.fd, se.conn.in, se.conn.have);
	else
		send_result(3, rc, -1, se.error, strlen(se.error));
	_exit(0);
}

int
watch_chain_start(struct watch_session *s)
{
	int sp[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		int e = errno;

		show_note(s, "watch: socketpair for the chain: %s", strerror(e));
		errno = e; /* the caller tells its own shortage from the upstream's */
		return -1;
	}
	fflush(stdout); /* the child must not inherit lines to write twice */
	pid = fork();
	if (pid < 0) {
		show_note(s, "upstream chain: fork: %s", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return -1;
	}
	if (pid == 0)
		chain_child(s->w, sp[1]);
	close(sp[1]);
	s->chain_fd = sp[0];
	s->chain_pid = pid;
	s->state = WS_CHAIN;
	s->phase_ms = now_ms();
	s->read_ms[0] = s->read_ms[1] = 0;
	return 0;
}

void
watch_chain_stop(struct watch_session *s)
{
	if (s->chain_pid > 0) {
		kill(s->chain_pid, SIGKILL);
		while (waitpid(s->chain_pid, NULL, 0) < 0 && errno == EINTR)
			;
		s->chain_pid = 0;
	}
	if (s->chain_fd >= 0)
		close(s->chain_fd);
	s->chain_fd = -1;
}

/* The child answered: the connection to the last hop, or why not. */
void
watch_chain_done(struct watch_session *s)
{
	static struct chain_msg m;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	ssize_t n = recvmsg(s->chain_fd, &mh, MSG_CMSG_CLOEXEC);
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	size_t len = n > 0 ? (size_t)n - 1 : 0;
	struct watch_dir *d = &s->dir[FLOW_SERVER];

	if (c != NULL && c->cmsg_type == SCM_RIGHTS)
		memcpy(&s->up, CMSG_DATA(c), sizeof(int));
	watch_chain_stop(s);
	if (n <= 0 || m.status != EXIT_OK || s->up < 0) {
		if (n <= 0)
			show_note(s, "upstream chain: the engine ended without an answer");
		else
			show_note(s, "upstream chain: %.*s", (int)len, (const char *)m.bytes);
		watch_session_end(s, "upstream unreachable");
		return;
	}
	watch_nodelay(s->up);
	s->state = WS_RELAY;
	s->phase_ms = now_ms();
	s->read_ms[0] = s->read_ms[1] = 0;
	if (len > 0 && (d->buf = malloc(WATCH_BUF + WATCH_SLACK)) != NULL) {
		/* the last hop spoke before being spoken to: its bytes are the server's */
		memcpy(d->buf, m.bytes, len);
		d->end = len;
		d->in = len;
		(void)flow_feed(&s->flow, FLOW_SERVER, d->buf, len);
		watch_dir_flush(s, FLOW_SERVER);
	}
}
