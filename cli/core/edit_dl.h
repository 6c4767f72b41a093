/*
 * libedit, loaded only when the REPL needs it.  One-shot modes never map it
 * (nor libtinfo, libbsd and libmd behind it): a netcat-sized process stays
 * netcat-sized.  Include after <histedit.h>; the macros below turn the
 * library's calls into calls through the table that edit_load() fills.
 */
#ifndef SOCKSCOPE_EDIT_DL_H
#define SOCKSCOPE_EDIT_DL_H

#include <histedit.h>
#include <stdio.h>

struct edit_api {
	EditLine *(*el_init)(const char *, FILE *, FILE *, FILE *);
	void (*el_end)(EditLine *);
	const char *(*el_gets)(EditLine *, int *);
	int (*el_set)(EditLine *, int, ...);
	int (*el_get)(EditLine *, int, ...);
	int (*el_source)(EditLine *, const char *);
	const LineInfo *(*el_line)(EditLine *);
	int (*el_insertstr)(EditLine *, const char *);
	void (*el_deletestr)(EditLine *, int);
	History *(*history_init)(void);
	void (*history_end)(History *);
	int (*history)(History *, HistEvent *, int, ...);
	Tokenizer *(*tok_init)(const char *);
	void (*tok_end)(Tokenizer *);
	void (*tok_reset)(Tokenizer *);
	int (*tok_line)(Tokenizer *, const LineInfo *, int *, const char ***, int *, int *);
};

extern struct edit_api edit_api;

/* 0 when libedit is loaded (once); -1 with a reason from dlerror(). */
int edit_load(const char **why);

#ifndef EDIT_DL_NO_MACROS
#define el_init (edit_api.el_init)
#define el_end (edit_api.el_end)
#define el_gets (edit_api.el_gets)
#define el_set (edit_api.el_set)
#define el_get (edit_api.el_get)
#define el_source (edit_api.el_source)
#define el_line (edit_api.el_line)
#define el_insertstr (edit_api.el_insertstr)
#define el_deletestr (edit_api.el_deletestr)
#define history_init (edit_api.history_init)
#define history_end (edit_api.history_end)
#define history (edit_api.history)
#define tok_init (edit_api.tok_init)
#define tok_end (edit_api.tok_end)
#define tok_reset (edit_api.tok_reset)
#define tok_line (edit_api.tok_line)
#endif

#endif
