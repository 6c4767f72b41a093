/*
 * Where `sockscope decode` gets its bytes: the arguments or standard input,
 * as hex in any pasted form; and, from a capture's dump, which of them are
 * SOCKS.
 *
 * A dump of whole frames (tshark -x) carries link, IP and TCP headers and
 * both sides of a connection; tshark's follow output carries both sides,
 * the second indented.  decode reads one connection: the headers are
 * skipped, and both sides are kept in the order the dump holds them (a
 * conversation), or only the side --client or --server asks for; the user
 * is told so.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode_internal.h"
#include "frames.h"
#include "hexparse.h"

#define INPUT_MAX (16u << 20) /* text on stdin; a handshake is a few hundred bytes */

void
decode_note(const struct decode_opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs(o->json ? "sockscope: " : "(", o->json ? stderr : stdout);
	vfprintf(o->json ? stderr : stdout, fmt, ap);
	fputs(o->json ? "\n" : ")\n", o->json ? stderr : stdout);
	va_end(ap);
}

/* Frees a buffer that may hold a password, wiped first. */
static void
wipe_free(char *buf, size_t len)
{
	if (buf != NULL)
		explicit_bzero(buf, len);
	free(buf);
}

/* Whether standard input has more after a full buffer: one byte read. */
static int
more_input(void)
{
	char c;
	ssize_t got;

	while ((got = read(STDIN_FILENO, &c, 1)) < 0 && errno == EINTR)
		;
	explicit_bzero(&c, 1);
	return got < 0 ? -1 : got > 0;
}

/*
 * All of standard input, bounded; NULL with a message on failure.  The
 * text may hold an RFC 1929 request, so it is read with read(2), not
 * through stdio's buffer, and a buffer that grows is copied and wiped, not
 * realloc()ed (which would leave the old copy behind).
 */
static char *
read_stdin(size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	if (buf == NULL) {
		fprintf(stderr, "sockscope: out of memory\n");
		return NULL;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "sockscope: reading hex from standard input "
				"(end with Ctrl-D)\n");
	for (;;) {
		if (n == cap && cap >= INPUT_MAX) {
			int more = more_input();
			if (more == 0)
				break;
			if (more > 0)
				fprintf(stderr, "sockscope: standard input holds more than "
						"%u MiB of text, the most decode reads\n",
					INPUT_MAX >> 20);
			else
				fprintf(stderr, "sockscope: standard input: %s\n",
					strerror(errno));
			wipe_free(buf, n);
			return NULL;
		}
		if (n == cap) {
			char *bigger = malloc(cap * 2);
			if (bigger == NULL) {
				fprintf(stderr, "sockscope: out of memory\n");
				wipe_free(buf, n);
				return NULL;
			}
			memcpy(bigger, buf, n);
			wipe_free(buf, n);
			buf = bigger;
			cap *= 2;
		}
		ssize_t got = read(STDIN_FILENO, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fprintf(stderr, "sockscope: standard input: %s\n", strerror(errno));
			wipe_free(buf, n);
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*len = n;
	return buf;
}

/* The arguments joined by spaces, so positions in errors count across them. */
static char *
join_args(int argc, char **argv, size_t *len)
{
	size_t total = 0;

	for (int i = 0; i < argc; i++)
		total += strlen(argv[i]) + 1;
	char *text = malloc(total + 1);
	if (text == NULL) {
		fprintf(stderr, "sockscope: out of memory\n");
		return NULL;
	}
	size_t n = 0;
	for (int i = 0; i < argc; i++) {
		size_t k = strlen(argv[i]);
		if (i > 0)
			text[n++] = ' ';
		memcpy(text + n, argv[i], k);
		n += k;
	}
	text[n] = '\0';
	*len = n;
	return text;
}

/*
 * A dump of whole frames.
 */

/* One side of the connection, as its frames arrive. */
struct side {
	struct tcp_end end; /* the sender */
	uint32_t next_seq;  /* after the last byte taken */
	bool started;
	size_t bytes, frames, gaps;
};

struct frames {
	struct side side[2]; /* [0] the client, [1] the server */
	bool known;          /* the connection: from a SYN or the first payload */
	size_t nframes, other_conn, retransmitted, not_frames;
	enum link_type link;
	int ip_version;
};

static void
end_text(const struct tcp_end *e, char *buf, size_t cap)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(e->alen == 4 ? AF_INET : AF_INET6, e->addr, addr, sizeof(addr));
	snprintf(buf, cap, e->alen == 4 ? "%s:%u" : "[%s]:%u", addr, e->port);
}

/* Which side sent f: 0 the client, 1 the server, -1 another connection. */
static int
side_of(struct frames *fr, const struct tcp_frame *f)
{
	if (!fr->known) {
		if (!f->syn_only && f->payload_len == 0)
			return -1; /* an ACK says nothing of who connected */
		fr->side[0].end = f->src;
		fr->side[1].end = f->dst;
		fr->known = true;
	}
	for (int s = 0; s < 2; s++)
		if (tcp_end_equal(&fr->side[s].end, &f->src) &&
		    tcp_end_equal(&fr->side[1 - s].end, &f->dst))
			return s;
	return -1;
}

/* The new part of f's payload, by sequence number: a retransmission adds
 * nothing; a jump forward is a gap the capture missed. */
static void
take_payload(struct frames *fr, struct side *sd, const struct tcp_frame *f,
	     size_t *skip)
{
	*skip = 0;
	if (sd->started) {
		int32_t ahead = (int32_t)(f->seq - sd->next_seq);
		if (ahead < 0 && (size_t)-(int64_t)ahead >= f->payload_len) {
			fr->retransmitted++;
			*skip = f->payload_len;
			return;
		}
		if (ahead < 0)
			*skip = (size_t)-(int64_t)ahead;
		else if (ahead > 0)
			sd->gaps++;
	}
	sd->started = true;
	sd->next_seq = f->seq + (uint32_t)f->payload_len;
	sd->frames++;
	sd->bytes += f->payload_len - *skip;
}

/* Appends n bytes from p to side s of src, and to its turns when both
 * sides are kept (a turn goes on while the same side sends). */
static void
src_add(struct decode_src *src, int s, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(src->side[s] + src->len[s], p, n);
	src->len[s] += n;
	if (src->turns == NULL)
		return;
	if (src->nturns > 0 && src->turns[src->nturns - 1].side == s)
		src->turns[src->nturns - 1].len += n;
	else
		src->turns[src->nturns++] = (struct decode_turn){s, n};
}

/* The payloads of the connection's sides into src (each side as large as
 * the input); false when no segment is a frame. */
static bool
frames_sides(const struct hex_input *in, struct frames *fr, struct decode_src *src)
{
	memset(fr, 0, sizeof(*fr));
	for (size_t i = 0; i < in->nsegs; i++) {
		const struct hex_segment *sg = &in->segs[i];
		const uint8_t *p = in->bytes + sg->off;
		struct tcp_frame f;
		size_t skip;

		if (!frame_parse(p, sg->len, &f)) {
			fr->not_frames++;
			continue;
		}
		if (fr->nframes++ == 0) {
			fr->link = f.link;
			fr->ip_version = f.ip_version;
		}
		int s = side_of(fr, &f);
		if (s < 0) {
			fr->other_conn += f.payload_len > 0 || f.syn_only;
			continue;
		}
		if (f.payload_len == 0)
			continue;
		take_payload(fr, &fr->side[s], &f, &skip);
		src_add(src, s, p + f.payload_off + skip, f.payload_len - skip);
	}
	return fr->nframes > 0;
}

static const char *const side_name[2] = {"client", "server"};

static void
side_note(const struct frames *fr, int s, const struct decode_opts *o)
{
	char a[64], b[64];
	const struct side *sd = &fr->side[s], *other = &fr->side[1 - s];

	end_text(&sd->end, a, sizeof(a));
	end_text(&other->end, b, sizeof(b));
	if (o->side_given)
		decode_note(o, "the %s's side, %s to %s: %zu byte%s in %zu frame%s; --%s for the "
			    "%s's %zu", side_name[s], a, b, sd->bytes, sd->bytes == 1 ? "" : "s",
			    sd->frames, sd->frames == 1 ? "" : "s", side_name[1 - s],
			    side_name[1 - s], other->bytes);
	else
		decode_note(o, "the %s's side, %s to %s: %zu byte%s in %zu frame%s", side_name[s],
			    a, b, sd->bytes, sd->bytes == 1 ? "" : "s", sd->frames,
			    sd->frames == 1 ? "" : "s");
}

static void
frames_notes(const struct frames *fr, const struct decode_opts *o)
{
	int want = o->server ? 1 : 0;

	decode_note(o, "%zu captured frame%s: %s, IPv%d and TCP headers skipped", fr->nframes,
		    fr->nframes == 1 ? "" : "s", link_type_name(fr->link), fr->ip_version);
	for (int s = 0; s < 2; s++)
		if (!o->side_given || s == want)
			side_note(fr, s, o);
	if (fr->other_conn > 0)
		decode_note(o, "%zu frame%s of other TCP connections skipped: decode reads one "
			    "(tshark -Y tcp.stream==N picks one)", fr->other_conn,
			    fr->other_conn == 1 ? "" : "s");
	if (fr->retransmitted > 0)
		decode_note(o, "%zu retransmitted frame%s skipped", fr->retransmitted,
			    fr->retransmitted == 1 ? "" : "s");
	for (int s = 0; s < 2; s++)
		if (fr->side[s].gaps > 0 && (!o->side_given || s == want))
			decode_note(o, "%zu gap%s in the %s's side: the capture missed bytes there",
				    fr->side[s].gaps, fr->side[s].gaps == 1 ? "" : "s",
				    side_name[s]);
	if (fr->not_frames > 0)
		decode_note(o, "%zu block%s that %s no TCP frame skipped (such as tshark's "
			    "reassembled data)", fr->not_frames, fr->not_frames == 1 ? "" : "s",
			    fr->not_frames == 1 ? "is" : "are");
}

/* The turns of follow output into src. */
static void
follow_sides(const struct hex_input *in, const struct decode_opts *o, struct decode_src *src)
{
	int want = o->server ? 1 : 0;

	for (size_t i = 0; i < in->nsegs; i++) {
		const struct hex_segment *sg = &in->segs[i];
		src_add(src, sg->indented, in->bytes + sg->off, sg->len);
	}
	if (o->side_given)
		decode_note(o, "tshark follow output: the %s's side (%s lines), %zu bytes; "
			    "--%s for the %s's %zu", side_name[want],
			    want ? "indented" : "unindented", src->len[want], side_name[1 - want],
			    side_name[1 - want], src->len[1 - want]);
	else
		decode_note(o, "tshark follow output: the client's side (unindented lines), %zu "
			    "bytes, and the server's (indented lines), %zu", src->len[0],
			    src->len[1]);
}

void
decode_src_free(struct decode_src *src)
{
	for (int s = 0; s < 2; s++) {
		if (src->side[s] != NULL)
			explicit_bzero(src->side[s], src->len[s]);
		free(src->side[s]);
	}
	free(src->turns);
	memset(src, 0, sizeof(*src));
}

/* One side only: the other is dropped (wiped), and so are the turns. */
static void
keep_one(struct decode_src *src, int s)
{
	if (src->side[1 - s] != NULL)
		explicit_bzero(src->side[1 - s], src->len[1 - s]);
	free(src->side[1 - s]);
	src->side[1 - s] = NULL;
	src->len[1 - s] = 0;
	free(src->turns);
	src->turns = NULL;
	src->nturns = 0;
	src->both = false;
	src->only = s;
}

/* in's bytes, or the sides of a capture's dump, into src. */
static int
choose_bytes(const struct hex_input *in, const struct decode_opts *o, struct decode_src *src)
{
	int want = o->server ? 1 : 0;
	bool capture = in->shape == HEX_SHAPE_FOLLOW || in->shape == HEX_SHAPE_DUMP;
	struct frames fr;

	memset(src, 0, sizeof(*src));
	src->side[0] = malloc(in->len);
	src->side[1] = capture ? malloc(in->len) : NULL;
	src->turns = capture ? calloc(in->nsegs + 1, sizeof(*src->turns)) : NULL;
	if (src->side[0] == NULL || (capture && (src->side[1] == NULL || src->turns == NULL))) {
		fprintf(stderr, "sockscope: out of memory\n");
		decode_src_free(src);
		return DECODE_USAGE;
	}
	src->both = true;
	if (in->shape == HEX_SHAPE_FOLLOW) {
		follow_sides(in, o, src);
	} else if (in->shape == HEX_SHAPE_DUMP && frames_sides(in, &fr, src)) {
		frames_notes(&fr, o);
	} else {
		memset(src->len, 0, sizeof(src->len));
		src->nturns = 0;
		memcpy(src->side[0], in->bytes, in->len);
		src->len[0] = in->len;
		keep_one(src, 0);
		if (want == 1) { /* the bytes are the server's */
			src->side[1] = src->side[0];
			src->len[1] = src->len[0];
			src->side[0] = NULL;
			src->len[0] = 0;
			src->only = 1;
		}
	}
	/* A capture of one side only (or one side asked for) is decoded as one. */
	if (src->both && (o->side_given || o->udp)) /* a datagram is one side's */
		keep_one(src, want);
	else if (src->both && src->len[1] == 0)
		keep_one(src, 0);
	else if (src->both && src->len[0] == 0)
		keep_one(src, 1);
	if (src->len[src->only] == 0 && !src->both) {
		fprintf(stderr, "sockscope: no bytes to decode from the %s's side\n",
			side_name[src->only]);
		decode_src_free(src);
		return DECODE_USAGE;
	}
	return 0;
}

/* "pcap" or "pcapng" when p starts as a capture file does (its magic
 * number, either byte order, micro- or nanoseconds), else NULL: a capture
 * given to decode without -r is said to be one, not "bad hex". */
static const char *
capture_kind(const uint8_t *p, size_t n)
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

/* The one operand, when it names a capture file: its kind, and its name
 * copied (the operands are wiped). */
static const char *
operand_capture(int argc, char **argv, int first, char *name, size_t cap)
{
	uint8_t head[4];
	const char *kind = NULL;

	struct stat st;

	/* a regular file only: a FIFO or a terminal would wait */
	if (first + 1 != argc || strlen(argv[first]) >= cap || stat(argv[first], &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return NULL;
	FILE *fp = fopen(argv[first], "rb");
	if (fp == NULL)
		return NULL;
	if (fread(head, 1, sizeof(head), fp) == sizeof(head))
		kind = capture_kind(head, sizeof(head));
	fclose(fp);
	if (kind != NULL)
		snprintf(name, cap, "%s", argv[first]);
	return kind;
}

int
decode_input(int argc, char **argv, int first, const struct decode_opts *o,
	     struct decode_src *src)
{
	struct hexparse_error herr;
	struct hex_input in;
	size_t textlen;
	char file[4096];
	const char *file_kind = operand_capture(argc, argv, first, file, sizeof(file));

	char *text = first < argc ? join_args(argc - first, argv + first, &textlen)
				  : read_stdin(&textlen);
	/* The hex may hold a password: out of the process arguments at once. */
	for (int i = first; i < argc; i++)
		explicit_bzero(argv[i], strlen(argv[i]));
	if (text == NULL)
		return DECODE_USAGE;
	const char *stdin_kind = first < argc ? NULL : capture_kind((const uint8_t *)text, textlen);
	int rc = hex_parse_input(text, textlen, &in, &herr);
	wipe_free(text, textlen);
	if (rc < 0) {
		char why[128];
		hexparse_strerror(&herr, why, sizeof(why));
		if (stdin_kind != NULL)
			fprintf(stderr, "sockscope: standard input is a capture file (%s), not hex: "
				"read it with decode -r -\n", stdin_kind);
		else if (file_kind != NULL)
			fprintf(stderr, "sockscope: %s is a capture file (%s), not hex: read it with "
				"decode -r %s\n", file, file_kind, file);
		else
			fprintf(stderr, "sockscope: %s\n", why);
		return DECODE_USAGE;
	}
	if (in.len == 0) {
		fprintf(stderr, "sockscope: no bytes to decode\n");
		hex_input_free(&in);
		return DECODE_USAGE;
	}
	rc = choose_bytes(&in, o, src);
	hex_input_free(&in);
	return rc;
}
