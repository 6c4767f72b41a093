/*
 * The field model: every SOCKS message is one table of field descriptors.
 *
 * A message descriptor (struct msg_desc) lists its fields in wire order.
 * The generic encoder (encode.c) and the incremental decoder (decode.c) both
 * walk that one table, so the bytes, the names in the hex view, the JSON
 * keys, the REPL's `set FIELD` names and their completion cannot disagree.
 *
 * proto/ is pure: no sockets, no stdio, no allocation, no global state.
 */
#ifndef SOCKSCOPE_PROTO_FIELD_H
#define SOCKSCOPE_PROTO_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"

/* Upper bounds that make every buffer in proto/ fixed-size; what each means
 * for the protocol's own limits: doc/PROTOCOL.md, "Limits". */
#define PROTO_MAX_FIELDS 12   /* fields in one message descriptor */
#define PROTO_MAX_BYTES 1024  /* one variable-length field (USERID, name, token) */
#define PROTO_MAX_CSTR 1024   /* a NUL-terminated field, without its NUL */
#define PROTO_WHY_MAX 96      /* the reason a decode failed, in words */

enum proto_status {
	PROTO_OK = 0,
	PROTO_NEED_MORE = 1,
	PROTO_E_VERSION = -1,      /* wrong version byte */
	PROTO_E_ATYP = -2,         /* unknown address type: no length to trust */
	PROTO_E_LENGTH = -3,       /* a length or count of 0 where 1..N is required */
	PROTO_E_TOO_LONG = -4,     /* data longer than its length field can say */
	PROTO_E_EMPTY = -5,        /* empty where at least one byte is required */
	PROTO_E_NUL = -6,          /* a 0x00 inside a NUL-terminated field */
	PROTO_E_RANGE = -7,        /* a number too large for its field */
	PROTO_E_FAMILY = -8,       /* an address the message cannot carry */
	PROTO_E_SPACE = -9,        /* the output buffer is too small */
	PROTO_E_UNTERMINATED = -10, /* no 0x00 within PROTO_MAX_CSTR bytes */
	PROTO_E_NOFIELD = -11,     /* no field of that name in this message */
	PROTO_E_KIND = -12,        /* a value of the wrong kind for the field */
};

const char *proto_strerror(int status);

enum field_kind {
	FK_U8,    /* one byte */
	FK_U16,   /* two bytes, big-endian */
	FK_IPV4,  /* four bytes */
	FK_COUNT, /* one byte: the number of items in the FK_LIST it names (derived) */
	FK_LEN8,  /* one byte: the length of the field it names (derived) */
	FK_LEN16, /* two bytes: the length of the field it names (derived) */
	FK_LIST,  /* COUNT one-byte codes */
	FK_BYTES, /* as many bytes as its length field says */
	FK_CSTR,  /* bytes up to, not including, a 0x00 */
	FK_NUL,   /* the 0x00 that ends the FK_CSTR before it (derived) */
	FK_ATYP,  /* address type: chooses the form of the FK_ADDR it names (derived) */
	FK_ADDR,  /* 4 bytes (IPv4), 16 bytes (IPv6), or a name whose FK_LEN8 precedes it */
	FK_REST,  /* every remaining byte (a UDP datagram's payload) */
};

/*
 * How a field's value is best shown to a person: a number in decimal, a
 * code in hex (0x5a), text (quoted, escaped), an address, a payload that is
 * often text (a preview, quoted), or opaque bytes (a GSS-API token: hex).
 */
enum field_format { FMT_DEC, FMT_HEX, FMT_TEXT, FMT_ADDR, FMT_BLOB, FMT_OPAQUE };

/* When a field is on the wire at all. */
enum field_presence {
	PRESENT_ALWAYS,
	PRESENT_IF_DOMAIN,   /* ATYP is 03 */
	PRESENT_IF_SOCKS4A,  /* DSTIP is 0.0.0.x with x != 0 */
	PRESENT_IF_NOT_ABORT, /* GSSAPI MTYP is not FF */
};

/* Whether a SOCKS4 request's DSTIP is SOCKS4a's marker, 0.0.0.x with
 * x != 0: a host name for the server to resolve follows the USERID
 * (doc/PROTOCOL.md, "SOCKS4a request"). */
bool proto_socks4a_marker(const uint8_t ip[4]);

/* Descriptor flags (struct field_desc.flags). */
#define FD_SECRET 0x01u   /* masked in every view unless --show-secrets */
#define FD_RESERVED 0x02u /* must be zero: anything else is an anomaly */
#define FD_DERIVED 0x04u  /* computed from another field unless overridden */
#define FD_NONZERO 0x08u  /* 0 is malformed (NMETHODS, ULEN, a name's length) */
#define FD_METHOD 0x10u   /* a chosen method, checked against those offered */

struct field_desc {
	const char *name;  /* as in the hex view and `set FIELD`: "DSTPORT" */
	enum field_kind kind;
	enum field_format format;
	enum field_presence presence;
	unsigned flags;
	int ref;                      /* index of the field a derived field describes, or -1 */
	const struct name_table *names; /* code meanings, or NULL */
	int expect;                   /* the only valid value (a version), or -1 */
	int tolerate;                 /* another value accepted with an anomaly, or -1 */
	uint32_t dflt;                /* a draft's starting value for numbers */
	const char *help;             /* one line, for `help set` and the man page */
};

enum msg_type {
	MSG_S4_REQUEST,
	MSG_S4_REPLY,
	MSG_S5_GREETING,
	MSG_S5_METHOD,
	MSG_S5_AUTH_REQUEST,
	MSG_S5_AUTH_STATUS,
	MSG_S5_REQUEST,
	MSG_S5_REPLY,
	MSG_S5_UDP,
	MSG_GSSAPI,
	MSG_TYPE_COUNT
};

enum msg_dir { DIR_CLIENT, DIR_SERVER }; /* who sends it */

struct msg_desc {
	enum msg_type type;
	const char *key;   /* short, for the REPL and JSON: "request" */
	const char *title; /* for people: "SOCKS5 request" */
	enum msg_dir dir;
	size_t nfields;
	const struct field_desc *fields;
};

const struct msg_desc *proto_msg_desc(enum msg_type type);
/* Bytes a field of this kind always takes (1, 2 or 4), or 0 when its size varies. */
size_t field_kind_size(enum field_kind kind);
/* Whether the kind holds one number (its bytes big-endian). */
bool field_kind_numeric(enum field_kind kind);
/* -1 when the message has no field of that name (case-insensitive). */
int proto_field_index(const struct msg_desc *desc, const char *name);

/* Instance flags (struct field.flags). */
#define FF_DERIVED 0x01u    /* value computed by the encoder */
#define FF_OVERRIDE 0x02u   /* a derived field the user set by hand */
#define FF_ANOMALY 0x04u    /* legal to parse but wrong: see note */
#define FF_UNASSIGNED 0x08u /* a code no standard assigns */
#define FF_TRUNCATED 0x10u  /* the message ended inside this field */
#define FF_BAD 0x20u        /* decoding broke in this field */

/* One field as it is on the wire: bytes point into the caller's buffer. */
struct field {
	const struct field_desc *desc;
	int index;            /* position in desc's table */
	size_t off;           /* offset of its first byte in the message */
	size_t len;           /* bytes present (fewer than expected if truncated) */
	uint32_t num;         /* the number, for numeric kinds */
	const uint8_t *bytes; /* its bytes in the buffer */
	unsigned flags;       /* FF_* */
	const char *note;     /* what is odd about it, in words; static */
};

/* A decoded or encoded message: a list of fields over one buffer. */
struct msg {
	const struct msg_desc *desc;
	const uint8_t *buf;
	size_t len;      /* bytes the fields cover: consumed when complete */
	size_t nfields;
	struct field fields[PROTO_MAX_FIELDS];
	int status;      /* PROTO_OK, PROTO_NEED_MORE or PROTO_E_* */
	size_t need;     /* PROTO_NEED_MORE: total bytes known to be required */
	bool need_exact; /* PROTO_NEED_MORE: need is the whole message, not a lower bound */
	size_t err_off;  /* PROTO_E_*: offset of the offending byte */
	int err_field;   /* PROTO_E_*: index into fields[], or -1 */
	char why[PROTO_WHY_MAX]; /* PROTO_E_*: "expected 0x05, got 0x04" */
	unsigned anomalies; /* how many fields carry FF_ANOMALY or FF_UNASSIGNED */
};

/* What the decoder knows from earlier messages of the same handshake. */
struct proto_ctx {
	const uint8_t *offered; /* methods the greeting offered, or NULL */
	size_t noffered;
};

/*
 * Decode the bytes received so far.  Returns msg->status:
 *   PROTO_OK         complete; msg->len bytes consumed, the rest is not ours
 *   PROTO_NEED_MORE  msg->need is the total known to be required so far
 *   PROTO_E_*        malformed: msg->err_off, msg->err_field, msg->why;
 *                    fields[] describe the bytes up to the fault
 * ctx may be NULL.
 */
int proto_decode(enum msg_type type, const uint8_t *p, size_t len,
		 const struct proto_ctx *ctx, struct msg *msg);

/* A field lookup in a decoded message: NULL when absent. */
const struct field *msg_field(const struct msg *msg, const char *name);

/* Bytes the message covers: m->len, or the end of its last field. */
size_t msg_extent(const struct msg *m);

/*
 * For a truncated message, the total length it is known to need: at least
 * m->need, and more when the fields after the one cut short have sizes
 * already known (a SOCKS5 reply cut in BND.ADDR needs BND.PORT too).
 * *open_ended is set when the total is only a lower bound (a string whose
 * 0x00 has not arrived).
 */
size_t msg_known_total(const struct msg *m, bool *open_ended);

/* The field where a malformed or truncated message stopped, or NULL:
 * the field that broke, the one cut short, or the next one expected. */
const char *msg_stop_field(const struct msg *m);

/*
 * What is wrong with m, for people, without the title:
 *   "malformed at offset 0x0003 in ATYP: unknown address type 0x07"
 *   "truncated after 7 of 10 bytes (in BND.ADDR)"
 * "" (and 0) when m->status is PROTO_OK.  Safe to print: bytes outside
 * printable ASCII are escaped.  Returns the length of the whole text, as
 * snprintf does (cut to cap - 1 in buf).
 */
size_t msg_problem(const struct msg *m, char *buf, size_t cap);

/*
 * A draft: the values a person (or the client) wants in a message.  Derived
 * fields follow the data unless `set`; a set derived field is an override,
 * sent exactly as given.
 */
struct draft_value {
	bool set;        /* given explicitly (an override, for derived fields) */
	uint32_t num;    /* numbers; for FK_ADDR, its address type (1, 3, 4) */
	size_t len;      /* bytes for FK_LIST, FK_BYTES, FK_CSTR, FK_ADDR, FK_REST */
	uint8_t bytes[PROTO_MAX_BYTES];
};

struct draft {
	const struct msg_desc *desc;
	struct draft_value v[PROTO_MAX_FIELDS];
};

void draft_init(struct draft *d, enum msg_type type);
/* Setters name the field; they return PROTO_OK or PROTO_E_NOFIELD / _KIND / _RANGE / _TOO_LONG. */
int draft_set_num(struct draft *d, const char *field, uint32_t value);
int draft_set_bytes(struct draft *d, const char *field, const uint8_t *p, size_t len);
/* Sets an FK_ADDR field and, through it, its derived ATYP (and length byte). */
int draft_set_ipv4(struct draft *d, const char *field, const uint8_t addr[4]);
int draft_set_ipv6(struct draft *d, const char *field, const uint8_t addr[16]);
int draft_set_name(struct draft *d, const char *field, const char *text, size_t len);
/* Back to derived or default. */
int draft_unset(struct draft *d, const char *field);

/* Why an encode was refused: the field and the reason. */
struct proto_error {
	int status;
	const char *field; /* descriptor name, or NULL */
	char why[PROTO_WHY_MAX];
};

/*
 * Build the bytes of a draft into out[0..cap).  On success *outlen is the
 * length and, if msg is not NULL, msg describes the bytes (with FF_DERIVED and
 * FF_OVERRIDE marked) over out.  What cannot be encoded is refused with
 * err naming the field; nothing is written past cap.
 */
int proto_encode(const struct draft *d, uint8_t *out, size_t cap, size_t *outlen,
		 struct msg *msg, struct proto_error *err);

#endif
