/*
 * Where `sockscope decode` gets its bytes: the arguments or standard input,
 * as hex in any pasted form; and, from a capture's dump, which of them are
 * SOCKS.
 *
 * A dump of whole frames (tshark -x) carries link, IP and TCP headers and
 * both sides of connections; tshark's follow output carries both sides,
 * the second indented.  Both sides are a capture's: the dump goes to the
 * capture front end (decode_main()'s hook), which reassembles and shows
 * each session.  The side --client or --server asks for (the client's with
 * -4, -5 or --udp) is decoded here as one side's bytes: the headers
 * skipped, retransmissions dropped, and the user told so.
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
#include "textread.h"

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

/* All of standard input, bounded; NULL with a message on failure. */
static char *
read_stdin(size_t *len)
{
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "sockscope: reading hex from standard input "
				"(end with Ctrl-D)\n");
	return text_read_fd(STDIN_FILENO, "standard input", NULL, 0, len);
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
 * One side of a dump of whole frames.
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
	size_t nframes, other_conn, retransmitted, not_frames, datagrams;
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

/* Appends n bytes from p to side s of src. */
static void
src_add(struct decode_src *src, int s, const uint8_t *p, size_t n)
{
	memcpy(src->side[s] + src->len[s], p, n);
	src->len[s] += n;
}

/* Side want's payloads into src (as large as the input); false when no
 * segment is a frame. */
static bool
frames_side(const struct hex_input *in, int want, struct frames *fr, struct decode_src *src)
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
		if (f.ipproto != IPPROTO_NUMBER_TCP) {
			fr->datagrams++;
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
		/* a frame cut by the snap length: what it holds, and a gap */
		size_t have = f.payload_cap > skip ? f.payload_cap - skip : 0;
		if (skip < f.payload_len && have < f.payload_len - skip) {
			fr->side[s].gaps++;
			fr->side[s].bytes -= f.payload_len - skip - have;
		}
		if (s == want)
			src_add(src, s, p + f.payload_off + skip, have);
	}
	return fr->nframes > 0;
}

static const char *const side_name[2] = {"client", "server"};

static void
frames_notes(const struct frames *fr, int want, const struct decode_opts *o)
{
	char a[64], b[64];
	const struct side *sd = &fr->side[want], *other = &fr->side[1 - want];

	decode_note(o, "%zu captured frame%s: %s, IPv%d and TCP headers skipped", fr->nframes,
		    fr->nframes == 1 ? "" : "s", link_type_name(fr->link), fr->ip_version);
	end_text(&sd->end, a, sizeof(a));
	end_text(&other->end, b, sizeof(b));
	decode_note(o, "the %s's side, %s to %s: %zu byte%s in %zu frame%s; --%s for the %s's "
		    "%zu", side_name[want], a, b, sd->bytes, sd->bytes == 1 ? "" : "s", sd->frames,
		    sd->frames == 1 ? "" : "s", side_name[1 - want], side_name[1 - want],
		    other->bytes);
	if (fr->other_conn > 0)
		decode_note(o, "%zu frame%s of other TCP connections skipped: one side of one "
			    "connection is read (without --client or --server, all of them)",
			    fr->other_conn, fr->other_conn == 1 ? "" : "s");
	if (fr->datagrams > 0)
		decode_note(o, "%zu UDP datagram%s skipped: one side of one TCP connection is "
			    "read (without --client or --server, the datagrams too)", fr->datagrams,
			    fr->datagrams == 1 ? "" : "s");
	if (fr->retransmitted > 0)
		decode_note(o, "%zu retransmitted frame%s skipped", fr->retransmitted,
			    fr->retransmitted == 1 ? "" : "s");
	if (sd->gaps > 0)
		decode_note(o, "%zu gap%s in the %s's side: the capture missed bytes there",
			    sd->gaps, sd->gaps == 1 ? "" : "s", side_name[want]);
	if (fr->not_frames > 0)
		decode_note(o, "%zu block%s that %s no TCP or UDP frame skipped (such as tshark's "
			    "reassembled data)", fr->not_frames, fr->not_frames == 1 ? "" : "s",
			    fr->not_frames == 1 ? "is" : "are");
}

/* Side want of follow output's first connection into src. */
static void
follow_side(const struct hex_input *in, int want, const struct decode_opts *o,
	    struct decode_src *src)
{
	size_t other = 0, others = 0;
	unsigned first = in->nsegs > 0 ? in->segs[0].block : 0, last = first;

	for (size_t i = 0; i < in->nsegs; i++) {
		const struct hex_segment *sg = &in->segs[i];
		if (sg->block != first) {
			others += sg->block != last;
			last = sg->block;
		} else if ((int)sg->indented == want) {
			src_add(src, want, in->bytes + sg->off, sg->len);
		} else {
			other += sg->len;
		}
	}
	decode_note(o, "tshark follow output: the %s's side (%s lines), %zu bytes; --%s for the "
		    "%s's %zu", side_name[want], want ? "indented" : "unindented", src->len[want],
		    side_name[1 - want], side_name[1 - want], other);
	if (others > 0)
		decode_note(o, "%zu other connection%s of the follow output skipped: one side of "
			    "one connection is read (without --client or --server, all of them)",
			    others, others == 1 ? "" : "s");
}

void
decode_src_free(struct decode_src *src)
{
	for (int s = 0; s < 2; s++) {
		if (src->side[s] != NULL)
			explicit_bzero(src->side[s], src->len[s]);
		free(src->side[s]);
	}
	memset(src, 0, sizeof(*src));
}

/* Whether in is a dump of both sides of connections: follow output, or
 * a dump in which some block is a frame (xxd or hexdump -C of bytes
 * alone is one side's). */
static bool
two_sided(const struct hex_input *in)
{
	struct tcp_frame f;

	if (in->shape == HEX_SHAPE_FOLLOW)
		return true;
	for (size_t i = 0; in->shape == HEX_SHAPE_DUMP && i < in->nsegs; i++)
		if (frame_parse(in->bytes + in->segs[i].off, in->segs[i].len, &f) &&
		    f.ipproto == IPPROTO_NUMBER_TCP)
			return true;
	return false;
}

/* The payload of the first UDP frame of a dump into src (a SOCKS5 UDP
 * datagram: decode shows one); false when the dump holds none. */
static bool
first_datagram(const struct hex_input *in, int want, const struct decode_opts *o,
	       struct decode_src *src)
{
	size_t n = 0, first = 0;
	struct tcp_frame f, got;

	for (size_t i = 0; in->shape == HEX_SHAPE_DUMP && i < in->nsegs; i++)
		if (frame_parse(in->bytes + in->segs[i].off, in->segs[i].len, &f) &&
		    f.ipproto == IPPROTO_NUMBER_UDP && n++ == 0) {
			got = f;
			first = i;
		}
	if (n == 0)
		return false;
	src_add(src, want, in->bytes + in->segs[first].off + got.payload_off, got.payload_cap);
	decode_note(o, "a UDP datagram in a captured frame: %s, IPv%d and UDP headers skipped%s%s",
		    link_type_name(got.link), got.ip_version,
		    got.payload_cap < got.payload_len ? "; cut by the snap length" : "",
		    n > 1 ? "; the first of the dump's datagrams (decode -r - links each to its "
			    "session)" : "");
	return true;
}

/* in's bytes, or one side of a capture's dump, into src. */
static int
choose_bytes(const struct hex_input *in, const struct decode_opts *o, struct decode_src *src)
{
	int want = o->server ? 1 : 0;
	struct frames fr;

	memset(src, 0, sizeof(*src));
	src->only = want;
	if ((src->side[want] = malloc(in->len)) == NULL) {
		fprintf(stderr, "sockscope: out of memory\n");
		return DECODE_USAGE;
	}
	if (in->shape == HEX_SHAPE_FOLLOW)
		follow_side(in, want, o, src);
	else if (o->udp && first_datagram(in, want, o, src))
		;
	else if (in->shape == HEX_SHAPE_DUMP && frames_side(in, want, &fr, src))
		frames_notes(&fr, want, o);
	else if (!first_datagram(in, want, o, src))
		src_add(src, want, in->bytes, in->len); /* plain hex: --server says whose */
	if (src->len[want] == 0) {
		fprintf(stderr, "sockscope: no bytes to decode from the %s's side\n",
			side_name[want]);
		decode_src_free(src);
		return DECODE_USAGE;
	}
	return 0;
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
		kind = capture_magic_kind(head, sizeof(head));
	fclose(fp);
	if (kind != NULL)
		snprintf(name, cap, "%s", argv[first]);
	return kind;
}

int
decode_input(int argc, char **argv, int first, const struct decode_opts *o,
	     struct decode_src *src, struct hex_input *dump)
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
	const char *stdin_kind = first < argc ? NULL : capture_magic_kind((const uint8_t *)text, textlen);
	int rc = hex_parse_input(text, textlen, &in, &herr);
	text_free(text, textlen);
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
	if (dump != NULL && two_sided(&in) && !o->side_given && !o->udp && o->version == 0) {
		*dump = in; /* the capture front end's, freed by decode_main() */
		return DECODE_DUMP;
	}
	rc = choose_bytes(&in, o, src);
	hex_input_free(&in);
	return rc;
}
