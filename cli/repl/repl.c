/*
 * The REPL's entry: the session from the command line (-x, -U, -w), then
 * commands from -c, -s, a terminal (libedit, in repl_edit.c) or any other
 * stdin.  Without a terminal, the first failing command ends the run and
 * its status is the exit status, unless -k.
 */
#include "repl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "password.h"
#include "repl_cmds.h"
#include "repl_edit.h"
#include "repl_line.h"
#include "repl_session.h"
#include "repl_values.h"
#include "secrets.h"
#include "why.h"

#define SOURCE_DEPTH_MAX 8

/* The first failure of a non-interactive run. */
static int first_failure;

static void
note_status(struct repl *r, int rc)
{
	(void)r;
	if (rc != EXIT_OK && first_failure == EXIT_OK)
		first_failure = rc;
}

/*
 * After each command: whether stdout took what it was given.  A failure
 * ends the run (the rest would be lost as well); repl_main says why.  stdio
 * keeps what a failed write held, so this flush fails with its errno.
 */
/* Why stdout failed when a flush inside a command saw it and its errno is
   gone: a closed descriptor (main.c holds its place with a read-only one),
   or a pipe whose reader went away (POLLERR). */
static int
stdout_failure(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0, .revents = 0 };
	int fl = fcntl(STDOUT_FILENO, F_GETFL);

	if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
		return EPIPE;
	return EIO;
}

static bool
output_lost(struct repl *r)
{
	int failed;

	errno = 0;
	failed = fflush(stdout) != 0 || ferror(stdout);
	if (failed && r->out_err == 0)
		r->out_err = errno != 0 ? errno : rs_out_errno != 0 ? rs_out_errno : stdout_failure();
	if (failed)
		r->quit = true;
	return failed;
}

/*
 * The status of a run whose stdout failed: a reader that went away (EPIPE,
 * `| head -1`) is an orderly end with the status so far; any other failure
 * (a full disk, a closed stdout) is said and is exit 7.
 */
static int
output_status(const struct repl *r, int status)
{
	if (r->out_err == 0 || r->out_err == EPIPE)
		return status;
	fprintf(stderr, "sockscope: standard output: %s\n", strerror(r->out_err));
	return EXIT_TUNNEL;
}

/* Each ';'-separated command of one line; stops at the first failure
 * unless -k.  Returns the first failing status, or EXIT_OK. */
int
repl_run_line(struct repl *r, const char *line)
{
	static struct words w;
	const char *p = line;
	char why[200];
	int rc, status = EXIT_OK;

	/* Before the line is split (and copied): a password in it, in any
	   shape, must not reach a core file. */
	if (secret_text_may_hold(line) || repl_line_sensitive(r, line))
		secret_keep_in();
	while (!r->quit) {
		int got = line_next_command(&p, &w, why, sizeof(why));

		if (got == 0)
			break;
		if (got < 0) {
			rc = rs_fail(EXIT_USAGE, "%s", why);
		} else {
			rc = repl_run_words(r, w.argc, w.argv);
			explicit_bzero(w.buf, sizeof(w.buf));
		}
		if (rc != EXIT_OK) {
			note_status(r, rc);
			if (status == EXIT_OK)
				status = rc;
			if (!r->o->keep_going)
				break;
		}
		if (output_lost(r))
			break;
	}
	return status;
}

/* Whether any command of the line carries a password. */
bool
repl_line_sensitive(struct repl *r, const char *line)
{
	static struct words w;
	const char *p = line;
	char why[200];
	bool yes = false;
	int got;

	while (!yes && (got = line_next_command(&p, &w, why, sizeof(why))) != 0)
		yes = got < 0 || repl_words_sensitive(r, w.argc, w.argv);
	explicit_bzero(w.buf, sizeof(w.buf));
	/* A line the splitter refuses may still hold a password: keep it out. */
	return yes;
}

/*
 * Without a terminal the status is the first failing command's; -k goes on
 * after it.  Returns whether to run the next command.
 */
static bool
go_on(const struct repl *r, int rc, int *status)
{
	if (rc == EXIT_OK)
		return true;
	if (*status == EXIT_OK)
		*status = rc;
	return r->o->keep_going;
}

enum line_read { LR_LINE, LR_EOF, LR_LONG, LR_NUL, LR_ERROR };

/*
 * One line of fp into buf[0..cap), without its newline.  A line of cap
 * bytes or more is not read to its end: a file such as /dev/zero has none.
 * A NUL would cut the command short without a word, so it is refused.
 */
static enum line_read
read_line(FILE *fp, char *buf, size_t cap, size_t *len)
{
	bool nul = false;
	size_t n = 0;
	int c;

	while ((c = getc(fp)) != EOF && c != '\n') {
		if (n + 1 >= cap) {
			*len = n;
			return LR_LONG;
		}
		nul |= c == 0;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	*len = n;
	if (ferror(fp))
		return LR_ERROR;
	if (c == EOF && n == 0)
		return LR_EOF;
	return nul ? LR_NUL : LR_LINE;
}

/* Why line lineno of path cannot run: EXIT_USAGE, said on stderr. */
static int
line_refused(const char *path, unsigned long lineno, enum line_read why, int err)
{
	if (why == LR_ERROR)
		return rs_fail(EXIT_USAGE, "source %s: reading line %lu: %s", path, lineno,
			       strerror(err));
	if (why == LR_NUL)
		return rs_fail(EXIT_USAGE, "source %s: line %lu holds a NUL byte", path, lineno);
	return rs_fail(EXIT_USAGE, "source %s: line %lu is longer than %d bytes", path, lineno,
		       LINE_MAX_BYTES - 1);
}

/*
 * Lines from fp (named `name` in messages, escaped) until its end (or the
 * first failure, without -k).  A read
 * error or a line too long ends the file whatever -k says: what follows
 * cannot be told apart into lines.  The buffer is not static: `source`
 * nests, and the outer line is still being run.
 */
static int
run_stream(struct repl *r, FILE *fp, const char *path)
{
	char *line = malloc(LINE_MAX_BYTES);
	unsigned long lineno = 0;
	enum line_read got;
	size_t n = 0;
	int status = EXIT_OK, rc;

	if (line == NULL)
		return rs_fail(EXIT_USAGE, "source %s: out of memory", path);
	while (!r->quit) {
		lineno++;
		errno = 0;
		got = read_line(fp, line, LINE_MAX_BYTES, &n);
		if (got == LR_EOF)
			break;
		if (got == LR_LINE)
			rc = repl_run_line(r, line);
		else
			rc = line_refused(path, lineno, got, errno);
		explicit_bzero(line, n);
		if (!go_on(r, rc, &status) || got == LR_LONG || got == LR_ERROR)
			break;
	}
	free(line);
	return status;
}

int
repl_source(struct repl *r, const char *path)
{
	char name[1200]; /* the path as messages name it: escaped */
	FILE *fp;
	int rc;

	value_shown(path, name, sizeof(name));
	if (r->depth >= SOURCE_DEPTH_MAX)
		return rs_fail(EXIT_USAGE, "source %s: nested more than %d deep", name,
			       SOURCE_DEPTH_MAX);
	if ((fp = fopen(path, "r")) == NULL)
		return rs_fail(EXIT_USAGE, "source %s: %s", name, strerror(errno));
	r->depth++;
	rc = run_stream(r, fp, name);
	r->depth--;
	fclose(fp);
	return rc;
}

/*
 * Commands on a stdin that is no terminal, read a byte at a time so that
 * `tunnel` relays exactly what follows the command that started it.
 */
static int
run_stdin(struct repl *r)
{
	static char line[LINE_MAX_BYTES];
	unsigned long lineno = 0;
	int status = EXIT_OK, rc;

	for (;;) {
		size_t n = 0;
		ssize_t got;
		bool too_long = false;
		char c;

		/* A line too long is read to its end, so that -k goes on with
		   the next one, but never run cut short. */
		while ((got = read(STDIN_FILENO, &c, 1)) == 1 && c != '\n') {
			if (n + 1 < sizeof(line))
				line[n++] = c;
			else
				too_long = true;
		}
		if (got < 0 && errno == EINTR)
			continue;
		line[n] = '\0';
		if (got <= 0 && n == 0)
			break;
		lineno++;
		if (too_long) {
			rc = rs_fail(EXIT_USAGE, "standard input: line %lu is longer than %zu bytes",
				     lineno, sizeof(line) - 1);
			explicit_bzero(line, n);
			if (!go_on(r, rc, &status) || got <= 0)
				break;
			continue;
		}
		rc = repl_run_line(r, line);
		if (!repl_line_sensitive(r, line) && n > 0)
			repl_history_add(r, line);
		explicit_bzero(line, n);
		if (!go_on(r, rc, &status))
			break;
		if (got <= 0 || r->quit)
			break;
	}
	return status;
}

/* -c: lines separated by newlines, commands by ';'. */
static int
run_commands(struct repl *r, const char *text)
{
	static char line[LINE_MAX_BYTES];
	int status = EXIT_OK, rc;

	while (*text != '\0' && !r->quit) {
		size_t n = strcspn(text, "\n");

		if (n >= sizeof(line))
			return rs_fail(EXIT_USAGE, "-c: a line longer than %zu bytes", sizeof(line) - 1);
		memcpy(line, text, n);
		line[n] = '\0';
		text += n + (text[n] == '\n');
		rc = repl_run_line(r, line);
		explicit_bzero(line, n);
		if (!go_on(r, rc, &status))
			break;
	}
	return status;
}

/* Whether any line of a -c text carries a password. */
static bool
commands_sensitive(struct repl *r, const char *text)
{
	static char line[LINE_MAX_BYTES];
	bool yes = false;

	while (*text != '\0' && !yes) {
		size_t n = strcspn(text, "\n");

		if (n >= sizeof(line))
			return true;
		memcpy(line, text, n);
		line[n] = '\0';
		text += n + (text[n] == '\n');
		yes = repl_line_sensitive(r, line);
	}
	explicit_bzero(line, sizeof(line));
	return yes;
}

/*
 * ^C at the prompt clears the line (repl_edit.c); during a command it ends
 * the wait in progress: every wait for the network (net_stop, the reply
 * reads) and the tunnel's loop look at the flag, and SIGINT interrupts them.
 */
static void
on_sigint(int sig)
{
	(void)sig;
	rs_interrupted = 1;
}

/* -U USER[:PASS] (blanked in argv at once) and SOCKSCOPE_PASSWORD. */
static int
preset_credentials(struct rsess *s, struct options *o)
{
	static struct credentials c;
	char why[400];
	int rc = EXIT_OK;

	if (o->user == NULL)
		return EXIT_OK;
	memset(&c, 0, sizeof(c));
	if (parse_credentials(o->user, &c, why, sizeof(why)) < 0) {
		rc = rs_fail(EXIT_USAGE, "-U: %s", why);
	} else if (password_from_env(&c) < 0) {
		rc = rs_fail(EXIT_USAGE, "SOCKSCOPE_PASSWORD is longer than %d bytes", CRED_MAX);
	} else {
		rs_set_user(s, c.user, c.userlen);
		if (c.has_pass)
			rc = rs_set_pass(s, c.pass, c.passlen);
		s->hop_cred = c;
		s->has_hop_cred = true;
	}
	secret_userpass_blank(o->user);
	explicit_bzero(&c, sizeof(c));
	return rc;
}

int
repl_main(struct options *o, int argc, char **argv)
{
	static struct rsess sess;
	struct repl r;
	int status = EXIT_OK;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.s = &sess;
	rs_init(&sess);
	first_failure = EXIT_OK;
	if (argc > 0) {
		char q[QUOTE_BUF];

		return rs_fail(EXIT_USAGE, "the REPL takes no operands ('%s'): with -c or -s, give HOST PORT to `connect`",
			       secret_quote(argv[0], q, sizeof(q)));
	}
	sess.timeout_ms = o->timeout_ms;
	sess.family = o->family;
	sess.quit_after_eof_ms = o->quit_after_eof_ms;
	sess.idle_timeout_ms = o->idle_timeout_ms;
	sess.no_shutdown = o->no_shutdown;
	sess.vo.color = term_wants_color(o->color, stdout);
	sess.vo.show_secrets = o->show_secrets;
	r.interactive = o->commands == NULL && o->script == NULL && isatty(STDIN_FILENO);
	sess.interactive = r.interactive;

	if (preset_credentials(&sess, o) != EXIT_OK)
		status = EXIT_USAGE;
	if (status == EXIT_OK && o->nproxies > 0 &&
	    rs_set_proxies(&sess, o->nproxies, o->proxies) != EXIT_OK)
		status = EXIT_USAGE;
	for (int i = 0; i < o->nproxies; i++)
		secret_url_blank(o->proxies[i]);
	if (status != EXIT_OK) {
		rs_free(&sess);
		return status;
	}
	repl_history_open(&r);
	if (r.interactive) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		net_stop = &rs_interrupted;
		status = repl_interactive(&r);
		net_stop = NULL;
	} else {
		if (o->commands != NULL) {
			char *text = strdup(o->commands);

			if (text == NULL)
				return rs_fail(EXIT_USAGE, "out of memory");
			/* A password in -c must not stay in the process arguments. */
			if (commands_sensitive(&r, text))
				memset((char *)o->commands, '*', strlen(o->commands));
			status = run_commands(&r, text);
			explicit_bzero(text, strlen(text));
			free(text);
		}
		if (o->script != NULL && !r.quit && (status == EXIT_OK || o->keep_going)) {
			int rc = repl_source(&r, o->script);

			if (status == EXIT_OK)
				status = rc;
		}
		if (o->commands == NULL && o->script == NULL)
			status = run_stdin(&r);
		if (status == EXIT_OK)
			status = first_failure;
	}
	repl_history_close(&r);
	rs_free(&sess);
	output_lost(&r);
	return output_status(&r, status);
}
