/*
 * The REPL on a terminal, on libedit's native API: el_gets() for lines,
 * history(3) for the history (kept in $XDG_STATE_HOME/sockscope/history,
 * without lines that carry a password), tok_line() to find the word under
 * the cursor for completion, and a prompt that shows the proxy and the
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
		fprintf(r->s->out, "%5d  %.*s\n", ev.num, (int)len, ev.str);
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
			 term_on(true, phase_style(r->s->phase)), rs_phase_name(r->s->phase),
			 term_off(true));
	else
		snprintf(buf, sizeof(buf), "sockscope %s [%s]> ", proxy, rs_phase_name(r->s->phase));
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

static Tokenizer *tok;

/* Characters the word under the cursor takes in the buffer, if it is plain. */
static int
typed_length(const LineInfo *li, bool *plain)
{
	const char *p = li->cursor;

	*plain = true;
	while (p > li->buffer && p[-1] != ' ' && p[-1] != '\t' && p[-1] != ';') {
		if (p[-1] == '\'' || p[-1] == '"' || p[-1] == '\\')
			*plain = false;
		p--;
	}
	return (int)(li->cursor - p);
}

static bool
ends_open(const char *s)
{
	size_t len = strlen(s);

	return len == 0 || s[len - 1] == '/' || s[len - 1] == '.' || s[len - 1] == ',' ||
	       (len >= 3 && strcmp(s + len - 3, "://") == 0);
}

/* Puts text in place of the typed word (or appends what it adds). */
static void
replace_word(EditLine *el, const LineInfo *li, const char *prefix, const char *text, bool space)
{
	bool plain;
	int typed = typed_length(li, &plain);

	if (plain) {
		el_deletestr(el, typed);
		el_insertstr(el, text);
	} else if (strlen(text) > strlen(prefix)) {
		el_insertstr(el, text + strlen(prefix));
	}
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
	LineInfo sub;
	const char **argv;
	const char *start = li->buffer;
	char prefix[1024], quote = 0;
	int argc, cc = -1, co = 0, idx;
	unsigned char rc;
	size_t lcp;

	(void)ch;
	el_get(el, EL_CLIENTDATA, &r);
	if (r == NULL || tok == NULL)
		return CC_ERROR;
	/* Only the command under the cursor counts: after the last ';'. */
	for (const char *p = li->buffer; p < li->cursor; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == ';') {
			start = p + 1;
		}
	}
	sub.buffer = start;
	sub.cursor = li->cursor;
	sub.lastchar = li->cursor;
	tok_reset(tok);
	if (tok_line(tok, &sub, &argc, &argv, &cc, &co) != 0)
		return CC_ERROR;
	if (cc < 0 || cc >= argc) {
		idx = argc;
		prefix[0] = '\0';
	} else {
		idx = cc;
		snprintf(prefix, sizeof(prefix), "%.*s", co, argv[cc]);
	}
	c.n = 0;
	repl_complete_words(r, argc, argv, idx, prefix, add_cand, &c);
	if (c.n == 0) {
		rc = CC_REFRESH_BEEP;
	} else if (c.n == 1) {
		replace_word(el, li, prefix, c.v[0], !ends_open(c.v[0]));
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
			replace_word(el, li, prefix, common, false);
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
	tok = tok_init(NULL);
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
	tok_end(tok);
	tok = NULL;
	el_end(el);
	return EXIT_OK;
}
