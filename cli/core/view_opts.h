/*
 * How a message is to be shown: colour, secrets, a label after the arrow,
 * and which way it went.  Every view (hexview.h, traceline.h) and the text
 * it is made of (fieldtext.h, msgtext.h) takes one; NULL means all defaults.
 */
#ifndef SOCKSCOPE_CLI_VIEW_OPTS_H
#define SOCKSCOPE_CLI_VIEW_OPTS_H

#include <stdbool.h>

/* Who sent a message, when its descriptor cannot say: GSSAPI frames and UDP
 * datagrams travel both ways.  A datagram received from the relay carries
 * its source in DST.ADDR and DST.PORT, and the views say so. */
enum view_dir { VIEW_DIR_AUTO = 0, VIEW_DIR_SENT, VIEW_DIR_RECEIVED };

/* Which of a command's replies a reply is, when its bytes cannot say:
 * BIND's two replies have one layout and different meanings.  The views
 * title a reply by its role and say what its address is. */
enum view_role {
	VIEW_ROLE_NONE = 0,    /* a reply as it stands: "SOCKS5 reply" */
	VIEW_ROLE_BIND_FIRST,  /* BIND's first reply: where the server listens */
	VIEW_ROLE_BIND_SECOND, /* BIND's second reply: the peer that connected */
};

struct view_opts {
	bool color;          /* decided by term_wants_color() */
	bool show_secrets;   /* --show-secrets: PASSWD in clear */
	const char *label;   /* after the arrow, e.g. "hop 2"; NULL for none */
	enum view_dir dir;   /* VIEW_DIR_AUTO: as the message's descriptor says */
	enum view_role role; /* replies only; VIEW_ROLE_NONE for other messages */
};

#endif
