/*
 * Passwords on the command line and in REPL lines: where one may sit in a
 * proxy URL of any shape, how it is masked for display and blanked in
 * place, whether a text may hold one, and keeping it out of core files.
 *
 * None of this parses a URL: a URL too malformed for url.c to read still
 * has its password found, masked and blanked.  The rule: a URL's user part
 * starts after a leading SCHEME:// (when the text starts with one) and
 * ends at its last '@'; the password is what follows the first ':' of the
 * user part.  url.c splits a URL the same way, so what it reads as the
 * password is always within what this masks.
 */
#ifndef SOCKSCOPE_SECRETS_H
#define SOCKSCOPE_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_MASK "********"

/* Whether url has a password by the rule above (an empty one counts). */
bool secret_url_has_password(const char *url);

/*
 * url for display: its password, if any, replaced by SECRET_MASK (however
 * long or empty it was); the rest as given.  out is NUL-terminated within
 * cap (cap > 0), cut if need be; the cut never shows part of a password.
 */
void secret_url_mask(const char *url, char *out, size_t cap);

/*
 * An argument of any kind as a message quotes it: masked as a URL (a
 * password given where something else was expected is still a password),
 * then cut as quote_cut() cuts and escaped as quote_shown() escapes (why.h),
 * for a message printed as it is.  Returns buf.
 */
const char *secret_quote(const char *arg, char *buf, size_t cap);

/* Overwrites url's password in place with '*', keeping its length: for the
 * process arguments, which ps and /proc/PID/cmdline show. */
void secret_url_blank(char *url);

/* The same for -U's USER:PASS: what follows the first ':'. */
void secret_userpass_blank(char *userpass);

/*
 * Whether a text (an argument, a variable, a REPL line) may hold a
 * password, decided conservatively: an '@' anywhere (a URL's user part,
 * whatever its shape) or "pass" in any case (`set pass`, PASSWD, a
 * .passwd file).  A wrong "yes" only costs a core file.
 */
bool secret_text_may_hold(const char *text);

/*
 * Whether the process may hold a password from its start, before any mode
 * has parsed (and blanked) its arguments: SOCKSCOPE_PASSWORD set, `decode`
 * (its hex may hold an RFC 1929 request), -U in any spelling (alone, in a
 * cluster of short options, --proxy-user or an abbreviation of it), or an
 * argument for which secret_text_may_hold() says yes.
 */
bool secret_args_may_hold(int argc, char *const argv[]);

/* No core file, and no ptrace or /proc/PID/mem for other processes of the
 * same user, while a password may be in memory.  For good: neither the
 * limit nor the flag is raised again. */
void secret_keep_in(void);

#endif
