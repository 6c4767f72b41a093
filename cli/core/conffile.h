/*
 * What the config file and netrc share: reading a file of bounded size,
 * refusing one that others may read when it holds a password (as ssh
 * refuses a private key), and cutting its text into words, with the
 * file:line of each for messages.
 *
 * A word is a run of bytes up to a blank, or a "double-quoted" string
 * (\" \\ \n \r \t escaped, on one line).  # at the start of a word starts a
 * comment to the end of the line.  The whole text is checked first: a NUL
 * byte or a line longer than CONF_LINE_MAX is refused with its line.
 */
#ifndef SOCKSCOPE_CONFFILE_H
#define SOCKSCOPE_CONFFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CONF_FILE_MAX (256 * 1024)
#define CONF_LINE_MAX 4096
#define CONF_WORD_MAX 1100 /* a URL with the longest host and credentials */

struct conf_words {
	const char *p, *end;
	const char *path;  /* for messages */
	unsigned line;     /* of the next byte */
	bool line_start;   /* no word yet on this line */
};

/*
 * Reads path (at most CONF_FILE_MAX bytes) into a NUL-terminated heap copy.
 * 0; 1 when the file does not exist (nothing allocated); -1 with why,
 * also when it is owned by neither the user nor root.
 * *mode: its permission bits.
 */
int conf_read(const char *path, char **text, size_t *len, mode_t *mode, char *why, size_t whylen);

/* -1 with why naming the file and its mode when group or others have any
 * access to a file that holds a password; else 0. */
int conf_private(const char *path, mode_t mode, char *why, size_t whylen);

/* Checks text as a whole (NUL, line lengths) and sets w up; 0 or -1 with why. */
int conf_words_init(struct conf_words *w, const char *text, size_t len, const char *path,
		    char *why, size_t whylen);

/*
 * The next word into out[0..cap) (NUL-terminated; *len without the NUL),
 * *line its line and *first whether it is the first word of its line.
 * 1: a word; 0: the end of the text; -1 with why ("PATH:LINE: ...").
 */
int conf_word(struct conf_words *w, char *out, size_t cap, size_t *len, unsigned *line,
	      bool *first, char *why, size_t whylen);

/* Skips to the end of the current line. */
void conf_skip_line(struct conf_words *w);

/* Skips lines up to and including the next empty one (netrc's macdef body). */
void conf_skip_paragraph(struct conf_words *w);

/* $XDG_CONFIG_HOME/sockscope/NAME, else $HOME/.config/sockscope/NAME; -1
 * when neither is set (or the path would not fit). */
int conf_user_path(const char *name, char *out, size_t cap);

#endif
