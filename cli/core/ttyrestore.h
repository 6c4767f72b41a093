/*
 * Terminal state that must outlive us: a descriptor's file status flags (the
 * tunnel sets O_NONBLOCK on a terminal it shares with the shell) and a
 * terminal's settings (the password prompt turns echo off).  What is kept
 * here is put back on the way out, and also when SIGINT, SIGTERM, SIGHUP or SIGQUIT
 * would end the process: the handler restores, then the signal is raised
 * again with its default action, so the exit status still names it.
 */
#ifndef SOCKSCOPE_TTYRESTORE_H
#define SOCKSCOPE_TTYRESTORE_H

#include <termios.h>

/* Keeps fd's current file status flags; returns them, or -1 (nothing kept). */
int ttyrestore_keep_flags(int fd);

/* Keeps t as the settings to put back on terminal fd. */
void ttyrestore_keep_termios(int fd, const struct termios *t);

/*
 * From now on, SIGINT, SIGTERM, SIGHUP and SIGQUIT, where their action is the default
 * one (the process ends), first put back what was kept.  A signal that has a
 * handler of its own (the REPL's SIGINT) or is ignored is left alone.
 */
void ttyrestore_arm(void);

/* Puts back what was kept, forgets it, and gives the signals their previous
 * actions. */
void ttyrestore_restore(void);

#endif
