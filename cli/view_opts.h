/*
 * How a message is to be shown: colour, secrets, a label after the arrow,
 * and which way it went.  Every view (hexview.h, traceline.h) and the text
 * it is made of (fieldtext.h, msgtext.h) takes one; NULL means all defaults.
 */
#ifndef SOCKSCOPE_CLI_VIEW_OPTS_H
#define SOCKSCOPE_CLI_VIEW_OPTS_H

#include <stdbool.h>

/* Who sent a message, when its descriptor cannot say: GSSAPI frames and UDP
 * datagrams travel both ways. */
enum view_dir { VIEW_DIR_AUTO = 0, VIEW_DIR_SENT, VIEW_DIR_RECEIVED };

struct view_opts {
	bool color;        /* decided by term_wants_color() */
	bool show_secrets; /* --show-secrets: PASSWD in clear */
	const char *label; /* after the arrow, e.g. "hop 2"; NULL for none */
	enum view_dir dir; /* VIEW_DIR_AUTO: as the message's descriptor says */
};

#endif
