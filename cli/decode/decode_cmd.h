/*
 * `sockscope decode`: decode SOCKS bytes offline, for teaching and for
 * pasted captures.  No socket is opened.
 */
#ifndef SOCKSCOPE_CLI_DECODE_CMD_H
#define SOCKSCOPE_CLI_DECODE_CMD_H

/* argv[0] is "decode".  Returns the exit status: 0 every byte decoded,
 * 2 usage or bad hex, 4 malformed or truncated, 7 standard output failed. */
int decode_main(int argc, char **argv);

#endif
