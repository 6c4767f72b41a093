/*
 * A number of seconds as people type it for -w, -q, --idle-timeout,
 * watch's -w and the REPL's recv: decimal, with one optional fraction.
 */
#ifndef SOCKSCOPE_SECONDS_H
#define SOCKSCOPE_SECONDS_H

/* s as milliseconds in *ms, 0 to max_secs; -1 for anything else (hex,
 * exponents, signs, "inf", "nan", blanks, more than max_secs). */
int seconds_parse(const char *s, double max_secs, int *ms);

#endif
