/*
 * The shared libraries sockscope opens at run time with dlopen(), by their
 * SONAME: libedit for the REPL (edit_dl.c), jansson for JSON output
 * (jansson_dl.c).  The binary does not link them, so its dynamic section
 * does not name them; the Debian package computes its dependency on them
 * from this file (debian/dlopen-depends reads the DL_SONAME lines).  Keep
 * one library a line, in this form.
 */
#ifndef SOCKSCOPE_DL_SONAMES_H
#define SOCKSCOPE_DL_SONAMES_H

#define EDIT_SONAME "libedit.so.2"       /* DL_SONAME */
#define JANSSON_SONAME "libjansson.so.4" /* DL_SONAME */

#endif
