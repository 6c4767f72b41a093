/*
 * sockscope probe: the progress line on a terminal.  See probe_progress.h.
 */
#include "probe_progress.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "term.h"

/* Carriage return, then erase to the end of the line (ECMA-48 EL). */
#define ERASE_LINE "\r\033[K"
/* A label longer than this is cut in the line: the counts matter more. */
#define LABEL_SHOWN 40

static void put(const char *p, size_t n);

/* The line is on the terminal: what a signal that ends the run must erase. */
static volatile sig_atomic_t line_shown;
/* The signal that is to end the run, once what is done is written; 0: none. */
static volatile sig_atomic_t stop_signal;
/* The line was drawn at least once (see probe_progress_signal_end). */
static bool drawn_once;

/* SIGINT (^C), SIGTERM, SIGHUP: the line is erased at once; the run stops
 * at its next turn, writes the rows it holds, then the signal ends the
 * process (probe_progress_signal_end).  A second one ends it at once. */
static void
note_stop(int sig)
{
	int saved = errno;

	if (line_shown)
		(void)!write(STDERR_FILENO, ERASE_LINE, sizeof(ERASE_LINE) - 1);
	line_shown = 0;
	stop_signal = sig;
	errno = saved;
}

/* Only where the signal would end the process anyway: one that is ignored
 * (nohup) or caught stays as it is. */
static void
catch_ending_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* SA_RESTART: a read of the input goes on; poll() still wakes */
		struct sigaction old, sa = { .sa_handler = note_stop,
					     .sa_flags = (int)(SA_RESETHAND | SA_RESTART) };

		sigemptyset(&sa.sa_mask);
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
	}
}

bool
probe_progress_stopped(void)
{
	return stop_signal != 0;
}

void
probe_progress_signal_end(void)
{
	int sig = stop_signal;

	if (sig == 0)
		return;
	fflush(stdout);
	/* The terminal's driver, when ^C is typed, throws away output not yet
	   passed on (no NOFLSH), and the handler's erase may be among it: once
	   more, now that the flush is long past.  The cursor is on the line, or
	   on an empty one after the table. */
	if (drawn_once)
		put(ERASE_LINE, sizeof(ERASE_LINE) - 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

void
probe_progress_start(struct run *R, int64_t now_us)
{
	struct probe_progress *p = &R->progress;
	const char *term = getenv("TERM");

	/* servers typed on the terminal (-f - from it): the line would draw
	   over what is being typed */
	bool typing = R->fp_is_stdin && isatty(STDIN_FILENO);

	p->on = isatty(STDERR_FILENO) && !R->o->json && R->o->verbose == 0 && !R->o->hex &&
		!typing && !(term != NULL && strcmp(term, "dumb") == 0);
	p->t0_us = p->drawn_us = now_us;
	/* Servers from a pipe or typed are read blocking, a line at a time,
	   and the read would go on after the signal (SA_RESTART): there the
	   signal ends the run at once, as it always did, not after the next
	   line. */
	if (R->fp == NULL || !R->fp_stream)
		catch_ending_signals();
}

void
probe_progress_count(struct run *R, bool ok)
{
	R->progress.done++;
	if (ok)
		R->progress.answering++;
	else
		R->progress.failed++;
}

int
probe_progress_timeout(const struct run *R, int64_t now_us, int timeout_ms)
{
	const struct probe_progress *p = &R->progress;
	int64_t due = p->drawn_us + PROGRESS_REDRAW_US - now_us;
	int ms;

	if (!p->on)
		return timeout_ms;
	ms = due <= 0 ? 0 : (int)((due + 999) / 1000);
	return timeout_ms >= 0 && timeout_ms < ms ? timeout_ms : ms;
}

/* The server in flight that started first, or NULL. */
static const struct server *
slowest(const struct run *R)
{
	const struct server *best = NULL;

	for (int i = 0; i < R->nslots; i++) {
		const struct server *s = R->slots[i].s;

		if (s != NULL && (best == NULL || s->start_us < best->start_us))
			best = s;
	}
	return best;
}

size_t
probe_progress_format(const struct run *R, int64_t now_us, int cols, char *buf, size_t len)
{
	const struct probe_progress *p = &R->progress;
	const struct server *s = slowest(R);
	char total[32], pending[LABEL_SHOWN + 48] = "";
	size_t n, max;

	if (len == 0)
		return 0;
	if (p->total_known)
		snprintf(total, sizeof(total), "%lu", p->total);
	else /* a pipe's servers are counted as they come */
		snprintf(total, sizeof(total), "%lu%s", R->ninput, R->input_done ? "" : "+");
	if (s != NULL) {
		char label[LABEL_SHOWN + 1];

		if (term_escape(label, sizeof(label), s->label, strlen(s->label)) >= sizeof(label))
			memcpy(label + LABEL_SHOWN - 3, "...", 4);
		snprintf(pending, sizeof(pending), ", slowest %s %.1fs", label,
			 (double)(now_us - s->start_us) / 1e6);
	}
	snprintf(buf, len, "sockscope probe: %lu/%s done, %lu answering, %lu failed%s, %.1fs",
		 p->done, total, p->answering, p->failed, pending,
		 (double)(now_us - p->t0_us) / 1e6);
	n = strlen(buf);
	max = cols > 1 ? (size_t)cols - 1 : 0; /* the last column would wrap on some terminals */
	if (n > max) {
		n = max;
		buf[n] = '\0';
	}
	return n;
}

static void
put(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* stderr is gone: the line is not worth an error */
		p += w;
		n -= (size_t)w;
	}
}

static int
term_cols(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

void
probe_progress_tick(struct run *R, int64_t now_us)
{
	struct probe_progress *p = &R->progress;
	char line[512 + sizeof(ERASE_LINE)];
	size_t n;

	if (!p->on || now_us - p->drawn_us < PROGRESS_REDRAW_US || stop_signal != 0)
		return;
	/* one write: the erase and the new text reach the terminal together */
	memcpy(line, ERASE_LINE, sizeof(ERASE_LINE) - 1);
	n = probe_progress_format(R, now_us, term_cols(), line + sizeof(ERASE_LINE) - 1,
				  sizeof(line) - (sizeof(ERASE_LINE) - 1));
	line_shown = 1;
	drawn_once = true;
	put(line, n + sizeof(ERASE_LINE) - 1);
	p->drawn_us = now_us;
	p->shown = true;
}

void
probe_progress_clear(struct run *R)
{
	if (!R->progress.shown)
		return;
	line_shown = 0;
	put(ERASE_LINE, sizeof(ERASE_LINE) - 1);
	R->progress.shown = false;
}
