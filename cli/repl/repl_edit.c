/*
 * The REPL on a terminal, on libedit's native API: el_gets() for lines,
 * history(3) for the history (kept in $XDG_STATE_HOME/sockscope/history,
 * without lines that carry a password), the word under the cursor split as
 * repl_line.c splits it for completion, and a prompt that shows the proxy and the
 * phase.
 */
#include "repl_edit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edit_dl.h"
#include "repl_line.h"
#include "term.h"

static char history_file[4096];

void
repl_history_path(char *buf, size_t cap)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	/* The spec says a relative XDG_STATE_HOME is to be ignored. */
	if (xdg != NULL && xdg[0] == '/')
		snprintf(buf, cap, "%s/sockscope/history", xdg);
	else if (home != NULL && home[0] != '\0')
		snprintf(buf, cap, "%s/.local/state/sockscope/history", home);
	else if (cap > 0)
		buf[0] = '\0';
}

/* mkdir -p of the folders above path, private to the user. */
static int
make_parents(const char *path)
{
	char buf[sizeof(history_file)];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

void
repl_history_open(struct repl *r)
{
	HistEvent ev;
	History *h;

	r->hist = NULL;
	if (edit_load(NULL) < 0)
		return; /* no history, and the `history` command says so */
	h = history_init();
	r->hist = h;
	if (h == NULL)
		return;
	history(h, &ev, H_SETSIZE, 1000);
	history(h, &ev, H_SETUNIQUE, 1);
	history_file[0] = '\0';
	if (!r->interactive)
		return;
	repl_history_path(history_file, sizeof(history_file));
	if (history_file[0] != '\0' && access(history_file, R_OK) == 0)
		history(h, &ev, H_LOAD, history_file);
}

static void
history_save(struct repl *r)
{
	HistEvent ev;
	int fd;

	if (r->hist == NULL || history_file[0] == '\0' || make_parents(history_file) < 0)
		return;
	/* Private from the start: the file is created before libedit opens it. */
	fd = open(history_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	close(fd);
	history((History *)r->hist, &ev, H_SAVE, history_file);
}

void
repl_history_add(struct repl *r, const char *line)
{
	HistEvent ev;

	if (r->hist == NULL || line[0] == '\0')
		return;
	history((History *)r->hist, &ev, H_ENTER, line);
	if (r->interactive)
		history_save(r);
}

void
repl_history_close(struct repl *r)
{
	if (r->hist == NULL)
		return;
	history_end((History *)r->hist);
	r->hist = NULL;
}

void
repl_history_print(struct repl *r)
{
	History *h = r->hist;
	HistEvent ev;

	if (h == NULL || history(h, &ev, H_LAST) < 0)
		return;
	do {
		size_t len = strlen(ev.str);

		while (len > 0 && (ev.str[len - 1] == '\n' || ev.str[len - 1] == '\r'))
			len--;
		/* a line typed or read from the history file: ESC in it is shown */
		fprintf(r->s->out, "%5d  ", ev.num);
		term_put_text(r->s->out, ev.str, len);
		fputc('\n', r->s->out);
	} while (history(h, &ev, H_PREV) == 0);
}

/* ------------------------------------------------------------ the prompt */

static enum term_style
phase_style(enum rs_phase p)
{
	switch (p) {
	case PH_CLOSED:
		return TS_DIM;
	case PH_GRANTED:
	case PH_TUNNEL:
		return TS_SENT;
	case PH_BOUND:
		return TS_RECEIVED;
	default:
		return TS_WARN;
	}
}

static char *
prompt(EditLine *el)
{
	static char buf[HOST_MAX + 400];
	char proxy[HOST_MAX + 300];
	struct repl *r = NULL;
	bool color;

	el_get(el, EL_CLIENTDATA, &r);
	if (r == NULL)
		return (char *)"sockscope> ";
	color = r->s->vo.color;
	rs_proxy_text(r->s, proxy, sizeof(proxy));
	if (color)
		/* \1 ... \1 around what takes no room on the screen. */
		snprintf(buf, sizeof(buf), "sockscope \1%s\1%s\1%s\1 [\1%s\1%s\1%s\1]> ",
			 term_on(true, TS_FIELD), proxy, term_off(true),
			 term_on(true, phase_style(rs_phase(r->s))), rs_phase_name(rs_phase(r->s)),
			 term_off(true));
	else
		snprintf(buf, sizeof(buf), "sockscope %s [%s]> ", proxy, rs_phase_name(rs_phase(r->s)));
	return buf;
}

/* ------------------------------------------------------------ completion */

#define CANDS_MAX 512

struct cands {
	int n;
	char *v[CANDS_MAX];
};

static void
add_cand(void *ctx, const char *cand)
{
	struct cands *c = ctx;

	if (c->n == CANDS_MAX)
		return;
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->v[i], cand) == 0)
			return;
	if ((c->v[c->n] = strdup(cand)) != NULL)
		c->n++;
}

size_t
repl_quote_word(const char *word, char *out, size_t cap)
{
	size_t n = 0, need;
	bool plain = word[0] != '\0';

	for (const char *p = word; *p != '\0'; p++)
		if (strchr(" \t\r\n;#'\"\\", *p) != NULL)
			plain = false;
	if (plain) {
		need = strlen(word);
		if (need < cap)
			memcpy(out, word, need + 1);
		return need;
	}
#define PUT(c)                         \
	do {                           \
		if (n + 1 < cap)       \
			out[n] = (c);  \
		n++;                   \
	} while (0)
	PUT('\'');
	for (const char *p = word; *p != '\0'; p++) {
		if (*p == '\'') {
			/* Close the quote, a ' in double quotes, reopen. */
			PUT('\'');
			PUT('"');
			PUT('\'');
			PUT('"');
			PUT('\'');
		} else {
			PUT(*p);
		}
	}
	PUT('\'');
#undef PUT
	if (cap > 0)
		out[n < cap ? n : cap - 1] = '\0';
	return n;
}

int
repl_completion_words(const char *line, size_t cursor, char *buf, size_t cap,
		      const char **argv, int maxwords, int *argc, size_t *word_start)
{
	size_t n = 0, start = 0;
	bool in_word = false;
	char quote = 0;

	*argc = 0;
	*word_start = cursor;
	for (size_t i = 0; i < cursor; i++) {
		char c = line[i];

		if (quote == 0 && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' ||
				   (c == '#' && !in_word))) {
			if (in_word)
				buf[n++] = '\0';
			in_word = false;
			if (c == '#')
				return -1; /* a comment: nothing to complete */
			if (c == ';') {
				n = 0;
				*argc = 0;
			}
			continue;
		}
		if (!in_word) {
			if (*argc == maxwords || n + 1 >= cap)
				return -1;
			argv[(*argc)++] = buf + n;
			in_word = true;
			start = i;
		}
		if (n + 3 >= cap)
			return -1;
		if (quote != 0 && c == quote) {
			quote = 0;
			continue;
		}
		if (quote == 0 && (c == '\'' || c == '"')) {
			quote = c;
			continue;
		}
		/* A backslash stays, and keeps the next character in the word. */
		if (c == '\\' && quote != '\'' && i + 1 < cursor) {
			buf[n++] = c;
			c = line[++i];
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	if (in_word)
		*word_start = start;
	return in_word ? *argc - 1 : *argc;
}

static bool
ends_open(const char *s)
{
	size_t len = strlen(s);

	return len == 0 || s[len - 1] == '/' || s[len - 1] == '.' || s[len - 1] == ',' ||
	       (len >= 3 && strcmp(s + len - 3, "://") == 0);
}

/* Puts text, quoted as the REPL's line splitter reads it, in place of the
 * word under the cursor (which starts at word_start). */
static void
replace_word(EditLine *el, const LineInfo *li, size_t word_start, const char *text, bool space)
{
	char quoted[4200];
	size_t typed = (size_t)(li->cursor - li->buffer) - word_start;

	if (repl_quote_word(text, quoted, sizeof(quoted)) >= sizeof(quoted))
		return;
	el_deletestr(el, (int)typed);
	el_insertstr(el, quoted);
	if (space)
		el_insertstr(el, " ");
}

static void
list_cands(EditLine *el, const struct cands *c)
{
	int width = 0, cols = 80, per;

	el_get(el, EL_GETTC, "co", &cols);
	for (int i = 0; i < c->n; i++)
		if ((int)strlen(c->v[i]) > width)
			width = (int)strlen(c->v[i]);
	width += 2;
	per = cols / width > 0 ? cols / width : 1;
	fputc('\n', stdout);
	for (int i = 0; i < c->n; i++)
		fprintf(stdout, "%-*s%s", width, c->v[i], (i + 1) % per == 0 || i + 1 == c->n ? "\n" : "");
	fflush(stdout);
}

static unsigned char
complete(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	struct repl *r = NULL;
	struct cands c;
	static char words[LINE_MAX_BYTES];
	const char *argv[LINE_MAX_WORDS + 1];
	char prefix[1024];
	int argc, idx;
	size_t start;
	unsigned char rc;
	size_t lcp;

	(void)ch;
	el_get(el, EL_CLIENTDATA, &r);
	if (r == NULL)
		return CC_ERROR;
	/* Only the command under the cursor counts: after the last ';'. */
	idx = repl_completion_words(li->buffer, (size_t)(li->cursor - li->buffer), words,
				    sizeof(words), argv, LINE_MAX_WORDS, &argc, &start);
	if (idx < 0)
		return CC_REFRESH_BEEP;
	argv[argc] = NULL;
	snprintf(prefix, sizeof(prefix), "%s", idx < argc ? argv[idx] : "");
	c.n = 0;
	repl_complete_words(r, argc, argv, idx, prefix, add_cand, &c);
	if (c.n == 0) {
		rc = CC_REFRESH_BEEP;
	} else if (c.n == 1) {
		replace_word(el, li, start, c.v[0], !ends_open(c.v[0]));
		rc = CC_REFRESH;
	} else {
		lcp = strlen(c.v[0]);
		for (int i = 1; i < c.n; i++) {
			size_t k = 0;

			while (k < lcp && c.v[i][k] != '\0' &&
			       (c.v[i][k] | 0x20) == (c.v[0][k] | 0x20))
				k++;
			lcp = k;
		}
		if (lcp > strlen(prefix)) {
			char common[1024];

			snprintf(common, sizeof(common), "%.*s", (int)lcp, c.v[0]);
			replace_word(el, li, start, common, false);
			rc = CC_REFRESH;
		} else {
			list_cands(el, &c);
			rc = CC_REDISPLAY;
		}
	}
	for (int i = 0; i < c.n; i++)
		free(c.v[i]);
	return rc;
}

/* ------------------------------------------------------------ the loop */

int
repl_interactive(struct repl *r)
{
	static char buf[LINE_MAX_BYTES];
	EditLine *el;
	const char *line;
	int count;

	const char *why;

	if (edit_load(&why) < 0)
		return rs_fail(EXIT_USAGE, "cannot load the line editor (libedit): %s", why);
	el = el_init("sockscope", stdin, stdout, stderr);
	if (el == NULL)
		return rs_fail(EXIT_USAGE, "cannot start the line editor");
	el_set(el, EL_CLIENTDATA, r);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_SIGNAL, 1);
	el_set(el, EL_PROMPT_ESC, prompt, '\1');
	if (r->hist != NULL)
		el_set(el, EL_HIST, history, (History *)r->hist);
	el_set(el, EL_ADDFN, "sockscope-complete", "complete a command, field, value or file name",
	       complete);
	el_set(el, EL_BIND, "^I", "sockscope-complete", NULL);
	el_source(el, NULL);
	fprintf(stdout, "sockscope: `help` lists the commands; Tab completes; ^D leaves\n");
	for (;;) {
		size_t len;

		rs_interrupted = 0;
		errno = 0;
		line = el_gets(el, &count);
		if (line == NULL) {
			if (count < 0 && (errno == EINTR || rs_interrupted)) {
				fputc('\n', stdout);
				continue;
			}
			fputc('\n', stdout);
			break;
		}
		len = strlen(line);
		if (len < sizeof(buf))
			memcpy(buf, line, len + 1);
		/* The line may carry a password: libedit's copy (its conversion
		 * buffer, rewritten by every el_gets) goes now, ours after the run. */
		explicit_bzero((char *)line, len);
		if (len >= sizeof(buf)) {
			rs_fail(EXIT_USAGE, "line longer than %zu bytes", sizeof(buf) - 1);
			continue;
		}
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (len == 0)
			continue;
		if (!repl_line_sensitive(r, buf))
			repl_history_add(r, buf);
		repl_run_line(r, buf);
		explicit_bzero(buf, len);
		fflush(stdout);
		if (r->quit)
			break;
	}
	el_end(el);
	return EXIT_OK;
}
