/*
 * Restoring terminal state on a fatal signal, as ssh and sudo do.  The
 * handler uses only async-signal-safe calls (fcntl, tcsetattr, raise) and
 * reads only what was stored before it could run.
 */
#include "ttyrestore.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define NFLAGS 2

/* SIGQUIT too: Ctrl-\ is a fatal key like Ctrl-C (ssh restores on it). */
static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NSIGNALS (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

/* A slot is in use when its fd is not negative; the fd is stored last. */
static volatile sig_atomic_t flag_fd[NFLAGS] = { -1, -1 };
static volatile sig_atomic_t flag_val[NFLAGS];
static volatile sig_atomic_t tio_fd = -1;
static struct termios tio;

static struct sigaction previous[NSIGNALS];
static bool installed[NSIGNALS];

static void
put_back(void)
{
	for (int i = 0; i < NFLAGS; i++)
		if (flag_fd[i] >= 0)
			(void)fcntl(flag_fd[i], F_SETFL, (int)flag_val[i]);
	if (tio_fd >= 0)
		(void)tcsetattr(tio_fd, TCSAFLUSH, &tio);
}

static void
on_fatal(int sig)
{
	int saved_errno = errno;

	put_back();
	/* SA_RESETHAND made the action the default one and SA_NODEFER left the
	 * signal unblocked: this raise ends the process, killed by sig. */
	raise(sig);
	errno = saved_errno;
}

int
ttyrestore_keep_flags(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	for (int i = 0; i < NFLAGS; i++) {
		if (flag_fd[i] < 0) {
			flag_val[i] = flags;
			atomic_signal_fence(memory_order_seq_cst);
			flag_fd[i] = fd;
			return flags;
		}
	}
	return flags; /* no free slot: restored on the way out by the caller only */
}

void
ttyrestore_keep_termios(int fd, const struct termios *t)
{
	tio_fd = -1;
	atomic_signal_fence(memory_order_seq_cst);
	tio = *t;
	atomic_signal_fence(memory_order_seq_cst);
	tio_fd = fd;
}

void
ttyrestore_arm(void)
{
	for (size_t i = 0; i < NSIGNALS; i++) {
		struct sigaction sa;

		if (installed[i] || sigaction(fatal_signals[i], NULL, &previous[i]) < 0)
			continue;
		if ((previous[i].sa_flags & SA_SIGINFO) != 0 || previous[i].sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = (int)(SA_RESETHAND | SA_NODEFER);
		installed[i] = sigaction(fatal_signals[i], &sa, NULL) == 0;
	}
}

void
ttyrestore_restore(void)
{
	/* Put back first: a signal from here on finds the state as it was. */
	put_back();
	for (size_t i = 0; i < NSIGNALS; i++) {
		if (installed[i])
			(void)sigaction(fatal_signals[i], &previous[i], NULL);
		installed[i] = false;
	}
	tio_fd = -1;
	for (int i = 0; i < NFLAGS; i++)
		flag_fd[i] = -1;
}
