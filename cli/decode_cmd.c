/*
 * `sockscope decode`: hex in, annotated messages out.
 *
 * The bytes are one direction of one connection, decoded in order as a
 * handshake: a client's greeting, its RFC 1929 or GSSAPI messages, then its
 * request; a server's method selection, its status, then its replies.  A
 * paste often starts mid-handshake (just a reply), so each place the stream
 * could start is tried and the reading that explains the bytes best is shown.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "decode_cmd.h"
#include "field.h"
#include "hexparse.h"
#include "hexview.h"
#include "json_out.h"
#include "msgtext.h"
#include "term.h"
#include "version.h"

/* The exit statuses of DESIGN.md that decode can end with. */
enum { DECODE_OK = 0, DECODE_USAGE = 2, DECODE_PROTOCOL = 4 };

#define INPUT_MAX (16u << 20) /* text on stdin; a handshake is a few hundred bytes */

struct decode_opts {
	bool server;
	int version; /* 4, 5, or 0 to guess */
	bool json;
	bool show_secrets;
	enum color_when color;
};

/* Where in a handshake the next message comes from. */
enum stage {
	ST_S4_REQUEST,
	ST_S4_REPLY,
	ST_GREETING,
	ST_AFTER_GREETING, /* RFC 1929, GSSAPI or the request, by what was offered */
	ST_AUTH_REQUEST,
	ST_REQUEST,
	ST_METHOD,
	ST_AFTER_METHOD, /* status, GSSAPI or the reply, by the method chosen */
	ST_AUTH_STATUS,
	ST_REPLY,
};

/* One reading of the stream, from a given stage. */
struct run {
	const uint8_t *p;
	size_t len;
	size_t off;
	enum stage start;
	enum stage stage;
	uint8_t offered[255];
	size_t noffered;
	bool know_offered;
	int chosen; /* method the server chose, or -1 */
	/* After a request, or a granted reply, bytes that start no message are
	 * the tunnel's (a BIND's second reply may still come). */
	bool tunnel_may_follow;
	/* The server's answer after which it must close: nothing may follow. */
	const char *closed_by;
	/* How it ended. */
	int status;        /* PROTO_OK when every byte was decoded */
	unsigned anomalies; /* over all its messages */
	size_t err_in_msg; /* malformed: where in its message */
	size_t err_at;     /* malformed: where in the stream */
	size_t tunnel;     /* bytes left to the tunnel, at err_at */
	bool after_close;  /* bytes came after closed_by */
};

/* Where the messages go; NULL in a dry run. */
struct output {
	const struct decode_opts *o;
	struct view_opts view;
	json_t *array; /* --json */
	bool out_of_memory;
};

static void
usage(FILE *fp)
{
	fputs("usage: sockscope decode [--client | --server] [-4 | -5] [--json]\n"
	      "                        [--show-secrets] [--color=WHEN] [HEX...]\n"
	      "\n"
	      "Decode SOCKS bytes offline and show every field.  HEX comes from the\n"
	      "arguments, joined, or from standard input: plain hex (05 01 00, 05:01:00,\n"
	      "0x05, \\x05), xxd -p, or a dump from tshark -x, xxd or hexdump -C.\n"
	      "\n"
	      "      --client        the bytes the client sent (the default)\n"
	      "      --server        the bytes the server sent\n"
	      "  -4, -5              SOCKS4(a) or SOCKS5 (default: from the first byte)\n"
	      "  -j, --json          one JSON array of the messages\n"
	      "      --show-secrets  show the RFC 1929 password instead of ********\n"
	      "      --color WHEN    auto, always or never (NO_COLOR honoured)\n"
	      "  -h, --help          this help\n"
	      "  -V, --version       the version\n"
	      "\n"
	      "exit status: 0 every byte decoded, 2 usage or bad hex,\n"
	      "4 malformed or truncated\n",
	      fp);
}

enum { OPT_CLIENT = 256, OPT_SERVER, OPT_SHOW_SECRETS, OPT_COLOR };

/* 0 to go on, or 1 + the exit status when done (help, version, error). */
static int
parse_options(int argc, char **argv, struct decode_opts *o, int *first)
{
	static const struct option longopts[] = {
		{"client", no_argument, NULL, OPT_CLIENT},
		{"server", no_argument, NULL, OPT_SERVER},
		{"json", no_argument, NULL, 'j'},
		{"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
		{"color", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->color = COLOR_AUTO;
	optind = 1;
	opterr = 0; /* our own messages, named sockscope, not "decode" */
	while ((c = getopt_long(argc, argv, ":45jhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CLIENT:
			o->server = false;
			break;
		case OPT_SERVER:
			o->server = true;
			break;
		case '4':
		case '5':
			o->version = c - '0';
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_SHOW_SECRETS:
			o->show_secrets = true;
			break;
		case OPT_COLOR:
			if (color_when_parse(optarg, &o->color) < 0) {
				fprintf(stderr, "sockscope: --color: '%s' is not auto, always "
						"or never\n", optarg);
				return 1 + DECODE_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 1 + DECODE_OK;
		case 'V':
			printf("sockscope %s\n", SOCKSCOPE_VERSION);
			return 1 + DECODE_OK;
		case ':':
			fprintf(stderr, "sockscope: decode: %s needs an argument\n",
				argv[optind - 1]);
			goto bad;
		default:
			if (optopt != 0)
				fprintf(stderr, "sockscope: decode: unknown option -%c\n", optopt);
			else
				fprintf(stderr, "sockscope: decode: unknown option %s\n",
					argv[optind - 1]);
			goto bad;
		}
	}
	*first = optind;
	return 0;
bad:
	fprintf(stderr, "usage: sockscope decode [--client|--server] [-4|-5] [--json] "
			"[--show-secrets] [--color=WHEN] [HEX...]\n");
	return 1 + DECODE_USAGE;
}

/* Frees a buffer that may hold a password, wiped first. */
static void
wipe_free(char *buf, size_t len)
{
	if (buf != NULL)
		explicit_bzero(buf, len);
	free(buf);
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
		if (n == cap) {
			if (cap >= INPUT_MAX) {
				fprintf(stderr, "sockscope: standard input is longer than "
						"%u MiB\n", INPUT_MAX >> 20);
				wipe_free(buf, n);
				return NULL;
			}
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
 * The handshake, one message at a time.
 */

static bool
was_offered(const struct run *r, uint8_t method)
{
	return r->know_offered && memchr(r->offered, method, r->noffered) != NULL;
}

static enum msg_type
next_type(const struct run *r)
{
	uint8_t first = r->p[r->off];

	switch (r->stage) {
	case ST_S4_REQUEST:
		return MSG_S4_REQUEST;
	case ST_S4_REPLY:
		return MSG_S4_REPLY;
	case ST_GREETING:
		return MSG_S5_GREETING;
	case ST_AFTER_GREETING:
		/* Both sub-negotiations start with version 0x01: what was offered
		 * tells them apart, RFC 1929 first as the common case, and also
		 * when neither was offered (a server may choose a method it was
		 * not offered; a request never starts with 0x01). */
		if (first == 0x01 && (was_offered(r, 0x02) || !was_offered(r, 0x01)))
			return MSG_S5_AUTH_REQUEST;
		if (first == 0x01 && was_offered(r, 0x01))
			return MSG_GSSAPI;
		return MSG_S5_REQUEST;
	case ST_AUTH_REQUEST:
		return MSG_S5_AUTH_REQUEST;
	case ST_REQUEST:
		return MSG_S5_REQUEST;
	case ST_METHOD:
		return MSG_S5_METHOD;
	case ST_AFTER_METHOD:
		if (r->chosen == 0x02)
			return MSG_S5_AUTH_STATUS;
		if (r->chosen == 0x01 && first == 0x01)
			return MSG_GSSAPI;
		return MSG_S5_REPLY;
	case ST_AUTH_STATUS:
		return MSG_S5_AUTH_STATUS;
	case ST_REPLY:
		return MSG_S5_REPLY;
	}
	return MSG_S5_REQUEST;
}

/* What a complete message tells about the ones after it. */
static void
advance(struct run *r, const struct msg *m)
{
	const struct field *f;

	switch (m->desc->type) {
	case MSG_S5_GREETING:
		f = msg_field(m, "METHODS");
		if (f != NULL) {
			r->noffered = f->len < sizeof(r->offered) ? f->len : sizeof(r->offered);
			memcpy(r->offered, f->bytes, r->noffered);
			r->know_offered = true;
		}
		r->stage = ST_AFTER_GREETING;
		break;
	case MSG_S5_AUTH_REQUEST:
		r->stage = ST_REQUEST;
		break;
	case MSG_S5_METHOD:
		f = msg_field(m, "METHOD");
		r->chosen = f != NULL ? (int)f->num : -1;
		r->stage = ST_AFTER_METHOD;
		break;
	case MSG_S5_AUTH_STATUS:
		r->stage = ST_REPLY;
		break;
	default:
		break; /* GSSAPI frames repeat; requests and replies may too (BIND) */
	}
	/* RFC 1928 3 and 6, RFC 1929 2: after these the server closes. */
	switch (m->desc->type) {
	case MSG_S5_REQUEST:
	case MSG_S4_REQUEST:
		r->tunnel_may_follow = true;
		break;
	case MSG_S5_METHOD:
		if (r->chosen == 0xff)
			r->closed_by = "METHOD 0xFF (no acceptable method)";
		break;
	case MSG_S5_AUTH_STATUS:
		f = msg_field(m, "STATUS");
		if (f != NULL && f->num != 0)
			r->closed_by = "a username/password STATUS of failure";
		break;
	case MSG_S5_REPLY:
	case MSG_S4_REPLY:
		f = msg_field(m, m->desc->type == MSG_S5_REPLY ? "REP" : "CD");
		if (f != NULL && f->num == (m->desc->type == MSG_S5_REPLY ? 0x00u : 0x5Au))
			r->tunnel_may_follow = true;
		else
			r->closed_by = "a reply that refused";
		break;
	default:
		break;
	}
}

static void
show(struct output *out, const struct msg *m, size_t stream_off)
{
	if (out->array == NULL) {
		hexview_print(stdout, m, &out->view);
		return;
	}
	json_t *j = msg_to_json(m, out->o->show_secrets ? MSG_JSON_SHOW_SECRETS : 0);
	if (j == NULL ||
	    json_object_set_new(j, "stream_offset", json_integer((json_int_t)stream_off)) != 0 ||
	    json_array_append_new(out->array, j) != 0)
		out->out_of_memory = true;
}

/* Says what stopped the decoding, on stderr; in the hex view, also shows
 * the bytes that were never reached. */
static void
report(struct output *out, const struct run *r, const struct msg *m)
{
	char title[128], problem[256];

	msg_title(m, title, sizeof(title));
	msg_problem(m, problem, sizeof(problem));
	fprintf(stderr, "sockscope: %s %s\n", title, problem);
	if (out->array != NULL || m->status >= 0)
		return;
	size_t extent = msg_extent(m);
	size_t left = r->len - r->off > extent ? r->len - r->off - extent : 0;
	if (left == 0)
		return;
	/* After a broken username/password request the rest is likely its
	 * password, which no field marks as one any more. */
	if (m->desc->type == MSG_S5_AUTH_REQUEST && !out->o->show_secrets) {
		printf("   %zu more byte%s not decoded, not shown: they may hold the password "
		       "(--show-secrets shows them)\n", left, left == 1 ? "" : "s");
		return;
	}
	printf("   %zu more byte%s not decoded:\n", left, left == 1 ? "" : "s");
	hexdump_print(stdout, r->p + r->off + extent, left, extent, &out->view);
}

/* The bytes after the messages: the tunnel's, or what came after an answer
 * the server must close after.  In the hex view, dumped; with --json, a
 * line on stderr (the array holds messages only). */
static void
report_rest(struct output *out, const struct run *r)
{
	size_t left = r->len - r->err_at;
	const char *s = left == 1 ? "" : "s";

	if (r->after_close)
		fprintf(stderr, "sockscope: %zu byte%s after %s, where the server must close "
			"the connection\n", left, s, r->closed_by);
	else if (out->array != NULL)
		fprintf(stderr, "sockscope: %zu byte%s of tunnel data after the handshake, "
			"not decoded\n", left, s);
	if (out->array != NULL)
		return;
	printf("   %zu byte%s %s:\n", left, s,
	       r->after_close ? "that should not be there" : "of tunnel data, not decoded");
	hexdump_print(stdout, r->p + r->err_at, left, r->err_at, &out->view);
}

static void
run_stream(struct run *r, struct output *out)
{
	while (r->off < r->len) {
		struct msg m;
		struct proto_ctx ctx = {r->offered, r->noffered};
		enum msg_type type = next_type(r);

		if (r->closed_by != NULL) {
			r->status = PROTO_E_LENGTH;
			r->after_close = true;
			r->err_at = r->off;
			if (out != NULL)
				report_rest(out, r);
			return;
		}
		proto_decode(type, r->p + r->off, r->len - r->off,
			     r->know_offered ? &ctx : NULL, &m);
		if (m.status < 0 && m.err_off == 0 && r->tunnel_may_follow) {
			r->tunnel = r->len - r->off;
			r->err_at = r->off;
			if (out != NULL)
				report_rest(out, r);
			break;
		}
		if (out != NULL)
			show(out, &m, r->off);
		r->anomalies += m.anomalies;
		if (m.status == PROTO_OK && m.len > 0) {
			advance(r, &m);
			r->off += m.len;
			continue;
		}
		/* A complete message of no bytes would loop for ever. */
		r->status = m.status == PROTO_OK ? PROTO_E_LENGTH : m.status;
		if (m.status < 0) {
			r->err_in_msg = m.err_off;
			r->err_at = r->off + m.err_off;
		}
		if (out != NULL)
			report(out, r, &m);
		return;
	}
	r->status = PROTO_OK;
}

static void
run_init(struct run *r, const uint8_t *p, size_t len, enum stage start)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->len = len;
	r->start = start;
	r->stage = start;
	r->chosen = -1;
}

/*
 * How well a reading explains the bytes.  Decoding everything beats running
 * out of bytes, and a clean reading beats one with anomalies.  A message
 * that broke past its version byte is a better story than one whose version
 * is wrong (the sign of a wrong guess), and better than a truncated reading
 * that needed anomalies to get there: "05 00" is a greeting offering no
 * method, not a request with command 0.
 */
static int
plausibility(const struct run *r)
{
	if (r->status == PROTO_OK)
		return r->anomalies == 0 ? 100 : 90;
	/* Clean messages, then bytes where the server had to close: the
	 * server's fault, not a wrong reading. */
	if (r->after_close && r->anomalies == 0)
		return 60;
	if (r->status == PROTO_NEED_MORE && r->anomalies == 0)
		return 80;
	if (r->status < 0 && r->err_in_msg > 0)
		return 50;
	if (r->status == PROTO_NEED_MORE)
		return 40;
	return 10;
}

/* Whether reading a is better than b; ties go to b, the earlier one.  Of
 * two broken readings, the one that explained more of the bytes wins: a
 * clean greeting followed by a broken message beats a request that broke
 * three bytes in. */
static bool
better(const struct run *a, const struct run *b)
{
	int pa = plausibility(a), pb = plausibility(b);

	if (pa != pb)
		return pa > pb;
	if (a->status >= 0)
		return false;
	if (a->err_at != b->err_at)
		return a->err_at > b->err_at;
	return a->err_in_msg > b->err_in_msg;
}

/* The stage to start from: a whole handshake first, then a paste of its
 * later part. */
static enum stage
choose_start(const uint8_t *p, size_t len, int version, bool server)
{
	static const enum stage client5[] = {ST_GREETING, ST_REQUEST, ST_AUTH_REQUEST};
	static const enum stage server5[] = {ST_METHOD, ST_REPLY, ST_AUTH_STATUS};

	if (version == 4)
		return server ? ST_S4_REPLY : ST_S4_REQUEST;
	const enum stage *starts = server ? server5 : client5;
	size_t n = sizeof(client5) / sizeof(client5[0]);
	struct run best, next;

	run_init(&best, p, len, starts[0]);
	run_stream(&best, NULL);
	for (size_t i = 1; i < n && plausibility(&best) < 100; i++) {
		run_init(&next, p, len, starts[i]);
		run_stream(&next, NULL);
		if (better(&next, &best))
			best = next;
	}
	return best.start;
}

/* The version the first byte suggests: a SOCKS4 request starts with 04, its
 * reply with 00 (or 04); SOCKS5 messages with 05, RFC 1929 ones with 01.
 * 0 when the byte is none of those. */
static int
guess_version(uint8_t first, bool server)
{
	if (first == 0x05 || first == 0x01)
		return 5;
	if (first == 0x04 || (server && first == 0x00))
		return 4;
	return 0;
}

static int
decode_bytes(const uint8_t *p, size_t len, const struct decode_opts *o)
{
	struct output out = {.o = o};
	int version = o->version;

	out.view.color = term_wants_color(o->color, stdout);
	out.view.show_secrets = o->show_secrets;
	/* The user said who sent the bytes; GSSAPI frames cannot say it. */
	out.view.dir = o->server ? VIEW_DIR_RECEIVED : VIEW_DIR_SENT;
	if (version == 0) {
		version = guess_version(p[0], o->server);
		if (!o->json && version != 0)
			printf("(guessed SOCKS%d from the first byte)\n", version);
		else if (!o->json)
			printf("(the first byte 0x%02x starts no SOCKS message; decoding "
			       "as SOCKS5)\n", p[0]);
		if (version == 0)
			version = 5;
	}
	if (o->json && (out.array = json_array()) == NULL) {
		fprintf(stderr, "sockscope: out of memory\n");
		return DECODE_USAGE;
	}

	struct run r;
	run_init(&r, p, len, choose_start(p, len, version, o->server));
	run_stream(&r, &out);

	if (out.array != NULL) {
		if (out.out_of_memory)
			fprintf(stderr, "sockscope: out of memory building JSON\n");
		json_dumpf(out.array, stdout, JSON_INDENT(2) | SOCKSCOPE_JSON_FLAGS);
		putchar('\n');
		json_decref(out.array);
	}
	return r.status == PROTO_OK ? DECODE_OK : DECODE_PROTOCOL;
}

int
decode_main(int argc, char **argv)
{
	struct decode_opts o;
	struct hexparse_error herr;
	int first, done;
	size_t textlen, len;
	uint8_t *bytes;

	if ((done = parse_options(argc, argv, &o, &first)) != 0)
		return done - 1;
	char *text = first < argc ? join_args(argc - first, argv + first, &textlen)
				  : read_stdin(&textlen);
	/* The hex may hold a password: out of the process arguments at once. */
	for (int i = first; i < argc; i++)
		explicit_bzero(argv[i], strlen(argv[i]));
	if (text == NULL)
		return DECODE_USAGE;
	int rc = hex_parse(text, textlen, &bytes, &len, &herr);
	wipe_free(text, textlen);
	if (rc < 0) {
		char why[128];
		hexparse_strerror(&herr, why, sizeof(why));
		fprintf(stderr, "sockscope: %s\n", why);
		return DECODE_USAGE;
	}
	if (len == 0) {
		fprintf(stderr, "sockscope: no bytes to decode\n");
		return DECODE_USAGE;
	}
	int status = decode_bytes(bytes, len, &o);
	explicit_bzero(bytes, len);
	free(bytes);
	if (fflush(stdout) != 0 && errno != EPIPE)
		fprintf(stderr, "sockscope: standard output: %s\n", strerror(errno));
	return status;
}
