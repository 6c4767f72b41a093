/* Text read whole, bounded (textread.h). */
#include "textread.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
text_free(char *buf, size_t len)
{
	if (buf != NULL)
		explicit_bzero(buf, len);
	free(buf);
}

/* Whether fd has more after a full buffer: one byte read. */
static int
more_input(int fd)
{
	char c;
	ssize_t got;

	while ((got = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	explicit_bzero(&c, 1);
	return got < 0 ? -1 : got > 0;
}

/* buf grown to twice its capacity: copied, the old one wiped. */
static char *
grow(char *buf, size_t n, size_t *cap)
{
	char *bigger = malloc(*cap * 2);

	if (bigger != NULL)
		memcpy(bigger, buf, n);
	text_free(buf, n);
	*cap *= 2;
	return bigger;
}

char *
text_read_fd(int fd, const char *name, const uint8_t *head, size_t headlen, size_t *len)
{
	size_t cap = 4096, n = headlen;
	char *buf = malloc(cap);

	if (buf == NULL)
		goto oom;
	if (headlen > 0)
		memcpy(buf, head, headlen); /* a few bytes, < cap */
	for (;;) {
		if (n == cap && cap >= TEXT_INPUT_MAX) {
			int more = more_input(fd);
			if (more == 0)
				break;
			if (more > 0)
				fprintf(stderr, "sockscope: %s holds more than %u MiB of text, the "
						"most decode reads\n", name, TEXT_INPUT_MAX >> 20);
			else
				fprintf(stderr, "sockscope: %s: %s\n", name, strerror(errno));
			text_free(buf, n);
			return NULL;
		}
		if (n == cap && (buf = grow(buf, n, &cap)) == NULL)
			goto oom;
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fprintf(stderr, "sockscope: %s: %s\n", name, strerror(errno));
			text_free(buf, n);
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*len = n;
	return buf;
oom:
	fprintf(stderr, "sockscope: out of memory\n");
	return NULL;
}

const char *
capture_magic_kind(const uint8_t *p, size_t n)
{
	static const uint8_t magic[][4] = {
		{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},
		{0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
	};

	if (n < 4)
		return NULL;
	if (memcmp(p, "\x0a\x0d\x0d\x0a", 4) == 0)
		return "pcapng";
	for (size_t i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if (memcmp(p, magic[i], 4) == 0)
			return "pcap";
	return NULL;
}
