/*
 * `sockscope decode -r FILE` and `sockscope decode -i IFACE [FILTER]`:
 * every SOCKS session in a pcap or pcapng file, or on a live interface,
 * read through libpcap.
 */
#ifndef SOCKSCOPE_CLI_CAPTURE_H
#define SOCKSCOPE_CLI_CAPTURE_H

#include <stdbool.h>

#include "hexparse.h"
#include "term.h"

/* Whether decode's arguments (argv[0] is "decode") ask for a capture: -r
 * or -i among its options. */
bool capture_wanted(int argc, char **argv);

/* decode --help (argv[0] is "decode") answered with status rc: the
 * options of -r and -i follow its help.  Returns the exit status. */
int capture_help_after(int argc, char **argv, int rc);

/*
 * argv[0] is "decode".  Exit status: 0 the capture was read to its end (or
 * to -c, or to a signal), whatever its sessions' outcomes; 2 usage, or a
 * file or interface that cannot be read (no such file, no capture, cut
 * short or corrupt, a link type it does not know, no permission to
 * capture, a filter that does not compile); 7 standard output failed.
 */
int capture_main(int argc, char **argv);

/*
 * A tshark text dump that decode read (from its arguments or standard
 * input, no -r): its sessions shown as a capture file's are by default,
 * from the SOCKS ports or any port whose client's first bytes are SOCKS
 * (the dump is what the user chose to show).  json: one JSON object per
 * session.  Exit status as capture_main()'s.
 */
int capture_text_main(const struct hex_input *in, bool json, bool show_secrets,
		      enum color_when color);

#endif
