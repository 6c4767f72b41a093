/*
 * Text read whole from a descriptor, bounded, for the hex and text dumps
 * decode reads (its standard input, a text dump given to decode -r); and
 * the magic numbers that tell a capture file from text.
 */
#ifndef SOCKSCOPE_CLI_TEXTREAD_H
#define SOCKSCOPE_CLI_TEXTREAD_H

#include <stddef.h>
#include <stdint.h>

#define TEXT_INPUT_MAX (16u << 20) /* a handshake is a few hundred bytes */

/*
 * head[0..headlen) (bytes already read from fd), then the rest of fd, at
 * most TEXT_INPUT_MAX in all.  Returns a malloc'd buffer (free it with
 * text_free()) and *len, or NULL after a message naming `name` (more than
 * the bound, a read error, no memory).  The text may hold an RFC 1929
 * request: it is read with read(2), not through stdio's buffer, and a
 * buffer that grows is copied and wiped, not realloc()ed.
 */
char *text_read_fd(int fd, const char *name, const uint8_t *head, size_t headlen, size_t *len);

/* Wipes and frees a buffer text_read_fd() returned. */
void text_free(char *buf, size_t len);

/* "pcap" or "pcapng" when p starts as a capture file does (its magic
 * number, either byte order, micro- or nanoseconds), else NULL. */
const char *capture_magic_kind(const uint8_t *p, size_t n);

#endif
