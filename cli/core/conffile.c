/* Reading the user's files: bounded, private when they hold a password, in words. */
#include "conffile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "why.h"

/* Up to CONF_FILE_MAX + 1 bytes of fd: one more than allowed says "too large". */
static ssize_t
read_bounded(int fd, char *buf)
{
	size_t got = 0;

	while (got <= CONF_FILE_MAX) {
		ssize_t n = read(fd, buf + got, CONF_FILE_MAX + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * Not only regular files: `--netrc-file <(pass show netrc)` is a pipe.
 * Whatever it is, no more than CONF_FILE_MAX bytes are read, and nothing
 * waits for someone else: the open does not block (a FIFO no one writes to
 * would block it forever), and only a FIFO or pipe is then read blocking,
 * where a writer that was never there or has gone is an end of file.  A
 * terminal or other device stays non-blocking: nothing waits for typing.
 */
int
conf_read(const char *path, char **text, size_t *len, mode_t *mode, char *why, size_t whylen)
{
	struct stat st;
	char *buf;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), e;

	*text = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? 1 : refuse(why, whylen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		e = S_ISDIR(st.st_mode) ? EISDIR : errno;
		close(fd);
		return refuse(why, whylen, "%s: %s", path, strerror(e));
	}
	/* As ssh its config: whoever owns the file names the proxy and the
	   credentials, so it is the user's, or root's (a system-wide file). */
	if (st.st_uid != getuid() && st.st_uid != 0) {
		close(fd);
		return refuse(why, whylen, "%s: owned by uid %u, neither you (uid %u) nor root: refused",
			      path, (unsigned)st.st_uid, (unsigned)getuid());
	}
	if (S_ISFIFO(st.st_mode) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		e = errno;
		close(fd);
		return refuse(why, whylen, "%s: %s", path, strerror(e));
	}
	if ((buf = malloc(CONF_FILE_MAX + 2)) == NULL) {
		close(fd);
		return refuse(why, whylen, "%s: out of memory", path);
	}
	got = read_bounded(fd, buf);
	e = errno;
	close(fd);
	if (got < 0 || got > CONF_FILE_MAX) {
		free(buf);
		return got < 0 ? refuse(why, whylen, "%s: %s", path, strerror(e))
			       : refuse(why, whylen, "%s: larger than %d bytes", path, CONF_FILE_MAX);
	}
	buf[got] = '\0';
	*text = buf;
	*len = (size_t)got;
	*mode = st.st_mode & 07777;
	return 0;
}

int
conf_private(const char *path, mode_t mode, char *why, size_t whylen)
{
	if ((mode & 077) == 0)
		return 0;
	return refuse(why, whylen,
		      "%s: mode %04o lets others read the password it holds: refused "
		      "(chmod 600 %s)", path, (unsigned)mode, path);
}

int
conf_words_init(struct conf_words *w, const char *text, size_t len, const char *path, char *why,
		size_t whylen)
{
	unsigned line = 1;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] == '\0')
			return refuse(why, whylen, "%s:%u: a NUL byte (column %zu)", path, line,
				      i - start + 1);
		if (i == len || text[i] == '\n') {
			if (i - start > CONF_LINE_MAX)
				return refuse(why, whylen, "%s:%u: line longer than %d bytes", path,
					      line, CONF_LINE_MAX);
			line++;
			start = i + 1;
		}
	}
	w->p = text;
	w->end = text + len;
	w->path = path;
	w->line = 1;
	w->line_start = true;
	return 0;
}

void
conf_skip_line(struct conf_words *w)
{
	while (w->p < w->end && *w->p != '\n')
		w->p++;
}

void
conf_skip_paragraph(struct conf_words *w)
{
	conf_skip_line(w);
	while (w->p < w->end) {
		const char *q = w->p + 1; /* after the '\n' */

		w->p = q;
		w->line++;
		while (w->p < w->end && *w->p == '\r')
			w->p++;
		if (w->p == w->end || *w->p == '\n')
			return; /* an empty line ends it; its '\n' ends a line as usual */
		conf_skip_line(w);
	}
}

static char
unescape(char c)
{
	return c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
}

/* A "quoted" word; w->p is after the opening quote. */
static int
quoted_word(struct conf_words *w, char *out, size_t cap, size_t *len, char *why, size_t whylen)
{
	size_t n = 0;

	while (w->p < w->end && *w->p != '"' && *w->p != '\n') {
		char c = *w->p++;

		if (c == '\\') {
			if (w->p == w->end || *w->p == '\n')
				break;
			c = unescape(*w->p++);
		}
		if (n + 1 >= cap)
			return refuse(why, whylen, "%s:%u: a word longer than %zu bytes", w->path,
				      w->line, cap - 1);
		out[n++] = c;
	}
	if (w->p == w->end || *w->p != '"')
		return refuse(why, whylen, "%s:%u: unterminated quote", w->path, w->line);
	w->p++;
	if (w->p < w->end && !strchr(" \t\r\n", *w->p))
		return refuse(why, whylen, "%s:%u: text right after a closing quote", w->path,
			      w->line);
	out[n] = '\0';
	*len = n;
	return 1;
}

int
conf_word(struct conf_words *w, char *out, size_t cap, size_t *len, unsigned *line, bool *first,
	  char *why, size_t whylen)
{
	static const char blanks[] = " \t\r";
	const char *start;

	for (;;) {
		while (w->p < w->end && strchr(blanks, *w->p) != NULL)
			w->p++;
		if (w->p < w->end && *w->p == '#')
			conf_skip_line(w);
		if (w->p == w->end)
			return 0;
		if (*w->p != '\n')
			break;
		w->p++;
		w->line++;
		w->line_start = true;
	}
	*line = w->line;
	*first = w->line_start;
	w->line_start = false;
	if (*w->p == '"') {
		w->p++;
		return quoted_word(w, out, cap, len, why, whylen);
	}
	start = w->p;
	while (w->p < w->end && strchr(" \t\r\n", *w->p) == NULL)
		w->p++;
	if ((size_t)(w->p - start) >= cap)
		return refuse(why, whylen, "%s:%u: a word longer than %zu bytes", w->path, w->line,
			      cap - 1);
	memcpy(out, start, (size_t)(w->p - start));
	out[w->p - start] = '\0';
	*len = (size_t)(w->p - start);
	return 1;
}

int
conf_user_path(const char *name, char *out, size_t cap)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	/* The XDG spec: a relative $XDG_CONFIG_HOME is invalid and ignored. */
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, cap, "%s/sockscope/%s", xdg, name);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(out, cap, "%s/.config/sockscope/%s", home, name);
	else
		return -1;
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}
