/* Asking for a password on the terminal, without echo. */
#ifndef SOCKSCOPE_PASSWORD_H
#define SOCKSCOPE_PASSWORD_H

#include <stddef.h>

enum password_status {
	PASSWORD_OK = 0,
	PASSWORD_NO_TERMINAL = -1, /* no /dev/tty, or it is no terminal */
	PASSWORD_NO_ECHO_OFF = -2, /* the terminal would not stop echoing */
	PASSWORD_READ_FAILED = -3,
};

/*
 * Writes prompt to /dev/tty, reads one line with echo off into out (at most
 * cap - 1 bytes, NUL-terminated; the rest of a longer line is read and
 * dropped), and restores the terminal.  Every copy of a typed byte it made
 * is wiped.
 */
int password_prompt(const char *prompt, char *out, size_t cap, size_t *len);

#endif
