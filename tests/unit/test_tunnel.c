/*
 * The tunnel (cli/core/tunnel.c) over a socketpair, the caller owning its
 * state: stdin's EOF passed on as a half-close or not (--no-shutdown), the
 * warning when the server closes both ways right after our half-close
 * with less sent back, none when it answers, and the idle timeout.
 */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"
#include "suites.h"
#include "tunnel.h"

struct rig {
	int sock, peer;  /* the tunnel's socket, the server's end */
	int in[2];       /* stdin: the test writes in[1] */
	int out[2];      /* stdout: the test reads out[0] */
};

static void
rig_up(struct rig *g, const char *input, bool close_input)
{
	int sp[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	g->sock = sp[0];
	g->peer = sp[1];
	ck_assert_int_eq(pipe(g->in), 0);
	ck_assert_int_eq(pipe(g->out), 0);
	ck_assert_int_eq(write(g->in[1], input, strlen(input)), (ssize_t)strlen(input));
	if (close_input) {
		close(g->in[1]);
		g->in[1] = -1;
	}
}

static void
rig_down(struct rig *g)
{
	int fds[] = { g->sock, g->peer, g->in[0], g->in[1], g->out[0], g->out[1] };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int
run(struct rig *g, const struct tunnel_opts *o, struct tunnel_result *r)
{
	struct tunnel *t = malloc(sizeof(*t));
	int rc;

	ck_assert_ptr_nonnull(t);
	rc = tunnel_run(t, g->sock, NULL, 0, g->in[0], g->out[1], o, r);
	free(t);
	return rc;
}

/* The server reads everything until EOF, answers `answer`, closes. */
static pid_t
server(int peer, int other, const char *answer)
{
	pid_t pid = fork();
	char buf[256];

	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		close(other);
		while (read(peer, buf, sizeof(buf)) > 0)
			;
		if (write(peer, answer, strlen(answer)) < 0)
			_exit(1);
		_exit(0);
	}
	close(peer);
	return pid;
}

START_TEST(eof_is_a_half_close_unless_no_shutdown)
{
	struct tunnel_opts o = { .quit_after_eof_ms = 100, .idle_ms = -1 };
	struct tunnel_result r;
	struct rig g;
	char buf[16];

	rig_up(&g, "hi", true);
	ck_assert_int_eq(run(&g, &o, &r), EXIT_OK);
	ck_assert_uint_eq(r.up, 2);
	ck_assert_int_eq(read(g.peer, buf, sizeof(buf)), 2);
	ck_assert_int_eq(read(g.peer, buf, sizeof(buf)), 0); /* our EOF, passed on */
	rig_down(&g);

	o.no_shutdown = true;
	rig_up(&g, "hi", true);
	ck_assert_int_eq(run(&g, &o, &r), EXIT_OK);
	ck_assert_int_eq(read(g.peer, buf, sizeof(buf)), 2);
	ck_assert_int_eq(recv(g.peer, buf, sizeof(buf), MSG_DONTWAIT), -1); /* still open */
	rig_down(&g);
}
END_TEST

START_TEST(warns_when_the_server_cuts_at_the_half_close)
{
	struct tunnel_opts o = { .quit_after_eof_ms = -1, .idle_ms = 5000 };
	struct tunnel_result r;
	struct rig g;
	int status;
	pid_t pid;

	rig_up(&g, "question", true);
	pid = server(g.peer, g.sock, "");
	g.peer = -1;
	ck_assert_int_eq(run(&g, &o, &r), EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.warning, "closed both ways"));
	ck_assert_ptr_nonnull(strstr(r.warning, "(8 bytes sent, 0 received)"));
	ck_assert_ptr_nonnull(strstr(r.warning, "--no-shutdown"));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	rig_down(&g);

	/* An answer after our EOF: no warning, the answer delivered. */
	rig_up(&g, "question", true);
	pid = server(g.peer, g.sock, "42");
	g.peer = -1;
	ck_assert_int_eq(run(&g, &o, &r), EXIT_OK);
	ck_assert_str_eq(r.warning, "");
	ck_assert_uint_eq(r.down, 2);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	rig_down(&g);
}
END_TEST

START_TEST(idle_timeout_ends_a_quiet_tunnel)
{
	struct tunnel_opts o = { .quit_after_eof_ms = -1, .idle_ms = 150 };
	struct tunnel_result r;
	struct rig g;
	int64_t t0;

	rig_up(&g, "x", false); /* stdin stays open, the server never answers */
	t0 = now_ms();
	ck_assert_int_eq(run(&g, &o, &r), EXIT_TIMEOUT);
	ck_assert(r.idle);
	ck_assert_int_ge(now_ms() - t0, 150);
	ck_assert_int_lt(now_ms() - t0, 3000);
	ck_assert_ptr_nonnull(strstr(r.error, "idle for 0.15 seconds (--idle-timeout)"));
	ck_assert_ptr_nonnull(strstr(r.error, "1 bytes sent, 0 received"));
	rig_down(&g);
}
END_TEST

Suite *
tunnel_suite(void)
{
	Suite *s = suite_create("tunnel");
	TCase *tc = tcase_create("ends");

	tcase_add_test(tc, eof_is_a_half_close_unless_no_shutdown);
	tcase_add_test(tc, warns_when_the_server_cuts_at_the_half_close);
	tcase_add_test(tc, idle_timeout_ends_a_quiet_tunnel);
	suite_add_tcase(s, tc);
	return s;
}
