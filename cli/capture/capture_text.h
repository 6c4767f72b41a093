/*
 * A tshark text dump as a capture's packets (decode -r on a text file, or
 * a dump given to decode): the frames of `tshark -x`, each read as
 * frames.c reads a captured frame, or the turns of `tshark -z
 * follow,tcp,hex`, made into the TCP segments of one connection (a SYN
 * from node 0 first, so the engine knows who connected, then each turn
 * with the next sequence numbers).  The engine reassembles, finds the
 * sessions and shows them as it does a pcap's.  A dump holds no times:
 * every packet is at time 0, and the view is told to show none.
 */
#ifndef SOCKSCOPE_CLI_CAPTURE_TEXT_H
#define SOCKSCOPE_CLI_CAPTURE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "capture_engine.h"
#include "frames.h"
#include "hexparse.h"

/* What a dump holds. */
struct cap_text {
	enum hex_shape shape;
	/* HEX_SHAPE_DUMP */
	size_t frames;         /* blocks that are TCP or UDP frames */
	size_t udp;            /* of those, UDP (a UDP ASSOCIATE's datagrams) */
	size_t not_frames;     /* blocks that are none (tshark's reassembled data) */
	enum link_type link;   /* of the first frame */
	int ip_version;
	/* the ports the first data of a connection without its SYN in the
	 * dump went to, when the data opens as a SOCKS client does: */
	uint16_t opened[CAP_PORTS_MAX];
	size_t nopened;
	/* HEX_SHAPE_FOLLOW: the connections that hold bytes (tshark prints
	 * an empty block for a stream it does not have) */
	size_t conns;
	unsigned block[HEX_FOLLOW_MAX];        /* each one's hex_segment.block */
	struct tcp_end end[HEX_FOLLOW_MAX][2]; /* node 0 (unindented lines, the
						 client), node 1 */
	size_t placeholders;   /* connections without Node lines that name both
				  ends: stand-ins (client ports counted up) */
	size_t turns[2];       /* of each node, over all the connections */
	size_t bytes[2];
};

/* The stand-in ends of a follow dump without Node lines (RFC 5737's
 * documentation addresses, and the SOCKS port; the Nth connection without
 * them has client port 50000 + N). */
#define CAP_TEXT_CLIENT "192.0.2.1:50000"
#define CAP_TEXT_SERVER "192.0.2.2:1080"

/* Whether in is a dump this source reads (follow output, or a dump with at
 * least one TCP or UDP frame), with t filled. */
bool cap_text_scan(const struct hex_input *in, struct cap_text *t);

/*
 * A follow dump is the connections the user picked, on whatever port:
 * their servers' ports become cfg's SOCKS ports, and sessions still
 * open at its end ended by "the dump's end".  A frame dump the
 * user gave to decode (cfg->sniff) is what they chose to show too: a
 * connection without its SYN in it (tshark -Y tcp.len>0) is taken to be
 * opened by the first to send, when that data opens as a SOCKS client's
 * (0x04 or 0x05): the port it went to becomes a SOCKS port (sniffing
 * alone guesses the client by the higher port).
 */
void cap_text_config(const struct cap_text *t, struct cap_config *cfg);

/* What the dump holds, in words for the user (no newline). */
void cap_text_describe(const struct cap_text *t, char *buf, size_t cap);

/* in's packets into e, all at time 0; false when memory ran out. */
bool cap_text_feed(struct cap_engine *e, const struct hex_input *in, const struct cap_text *t);

/*
 * decode -r FILE ("-" for standard input; name: how messages call it):
 * a capture file, open as *fp for libpcap (0); a text dump, read whole
 * (at most TEXT_INPUT_MAX) into *in (1); or -1 after a message naming it
 * (it cannot be opened, or it is neither).  A file too short to tell is
 * given to libpcap, which says what is wrong with it.
 */
int cap_open_file(const char *file, const char *name, FILE **fp, struct hex_input *in);

#endif
