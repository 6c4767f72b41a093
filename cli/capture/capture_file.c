/*
 * The file decode -r names (or standard input): a capture file for
 * libpcap, or a tshark text dump for capture_text.c.  Its first bytes are
 * peeked to tell which; libpcap is given a stream that yields them again,
 * as a pipe cannot be rewound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_text.h"
#include "term.h"
#include "textread.h"

struct peeked {
	int fd;
	uint8_t head[4];
	size_t n, at;
};

static ssize_t
peeked_read(void *cookie, char *buf, size_t size)
{
	struct peeked *pk = cookie;
	ssize_t got;

	if (pk->at < pk->n) {
		size_t k = size < pk->n - pk->at ? size : pk->n - pk->at;
		memcpy(buf, pk->head + pk->at, k);
		pk->at += k;
		return (ssize_t)k;
	}
	while ((got = read(pk->fd, buf, size)) < 0 && errno == EINTR)
		;
	return got;
}

static int
peeked_close(void *cookie)
{
	struct peeked *pk = cookie;
	int rc = pk->fd != STDIN_FILENO ? close(pk->fd) : 0;

	free(pk);
	return rc;
}

/* A text dump read whole from pk->fd (its head already read) into *in;
 * -1 after a message naming the file when it is no dump. */
static int
read_dump(const char *name, struct peeked *pk, struct hex_input *in)
{
	struct hexparse_error herr;
	struct cap_text t;
	char why[128];
	size_t len;
	char *text = text_read_fd(pk->fd, name, pk->head, pk->n, &len);

	if (text == NULL)
		return -1;
	int rc = hex_parse_input(text, len, in, &herr);
	text_free(text, len);
	if (rc == 0 && cap_text_scan(in, &t))
		return 0;
	if (rc == 0)
		snprintf(why, sizeof(why), "%s", "no TCP or UDP frame, no follow output");
	else
		hexparse_strerror(&herr, why, sizeof(why));
	term_say("sockscope", "%s: neither a capture file (pcap, pcapng) nor a tshark text dump "
		 "(tshark -x, tshark -z follow,tcp,hex): %s", name, why);
	hex_input_free(in);
	return -1;
}

int
cap_open_file(const char *file, const char *name, FILE **fp, struct hex_input *in)
{
	static const cookie_io_functions_t io = {.read = peeked_read, .close = peeked_close};
	struct peeked *pk = calloc(1, sizeof(*pk));
	ssize_t got = 1;

	if (pk == NULL) {
		fprintf(stderr, "sockscope: out of memory\n");
		return -1;
	}
	pk->fd = strcmp(file, "-") == 0 ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
	if (pk->fd < 0) {
		term_say("sockscope", "%s: %s", name, strerror(errno));
		free(pk);
		return -1;
	}
	while (pk->n < sizeof(pk->head) && (got = read(pk->fd, pk->head + pk->n,
						       sizeof(pk->head) - pk->n)) != 0)
		if (got > 0)
			pk->n += (size_t)got;
		else if (errno != EINTR)
			break;
	/* too short to tell: libpcap says what is wrong with it */
	if (got >= 0 && pk->n == sizeof(pk->head) && capture_magic_kind(pk->head, pk->n) == NULL) {
		int rc = read_dump(name, pk, in);
		peeked_close(pk);
		return rc < 0 ? -1 : 1;
	}
	if (got < 0 || (*fp = fopencookie(pk, "r", io)) == NULL) {
		term_say("sockscope", "%s: %s", name, strerror(errno));
		peeked_close(pk);
		return -1;
	}
	return 0;
}
