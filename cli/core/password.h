/* Where a password comes from when the URL or -U gives none: the
 * environment, or the terminal, without echo. */
#ifndef SOCKSCOPE_PASSWORD_H
#define SOCKSCOPE_PASSWORD_H

#include <stddef.h>

#include "url.h"

enum password_status {
	PASSWORD_OK = 0,
	PASSWORD_NO_TERMINAL = -1, /* no /dev/tty, or it is no terminal */
	PASSWORD_NO_ECHO_OFF = -2, /* the terminal would not stop echoing */
	PASSWORD_READ_FAILED = -3,
	PASSWORD_CANCELLED = -4,   /* end of file (Ctrl-D) before anything was typed */
	PASSWORD_EMPTY = -5,       /* an empty line: RFC 1929 needs 1 to 255 bytes */
};

/*
 * Writes prompt to /dev/tty, reads one line with echo off into out (at most
 * cap - 1 bytes, NUL-terminated; the rest of a longer line is read and
 * dropped), and restores the terminal.  Every copy of a typed byte it made
 * is wiped.  End of file with nothing typed is PASSWORD_CANCELLED and an
 * empty line PASSWORD_EMPTY, out left empty: neither is a password.
 */
int password_prompt(const char *prompt, char *out, size_t cap, size_t *len);

/* Why password_prompt did not give a password, in words ("cancelled at the
 * prompt (end of file)"); NULL for PASSWORD_OK. */
const char *password_strerror(int status);

/*
 * SOCKSCOPE_PASSWORD as c's password, for a user that has none yet: 1 when
 * it was taken, 0 when there is nothing to do (unset, no user, or a password
 * already), -1 when it is longer than CRED_MAX (c unchanged).
 */
int password_from_env(struct credentials *c);

#endif
