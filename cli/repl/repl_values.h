/*
 * A VALUE typed at the REPL, read the way its field wants it: numbers in
 * decimal, 0x hex or by name from the field's name table ("connect",
 * "userpass"); addresses as dotted quads, [v6] or names; lists of codes
 * ("noauth,userpass", "0 2"); text with \xNN escapes for any byte.
 *
 * Parsing is separate from storing, so a test can check what a string
 * means without a draft, and a bad value is refused before it is stored.
 */
#ifndef SOCKSCOPE_CLI_REPL_VALUES_H
#define SOCKSCOPE_CLI_REPL_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "field.h"

#define VALUE_WHY_MAX 300

enum value_kind {
	VAL_NUM,   /* a number, for the one- and two-byte kinds */
	VAL_BYTES, /* a list, text or payload */
	VAL_IPV4,  /* 4 bytes */
	VAL_IPV6,  /* 16 bytes */
	VAL_NAME,  /* a host name for an FK_ADDR field */
};

struct field_value {
	enum value_kind kind;
	uint32_t num;
	size_t len;
	uint8_t bytes[PROTO_MAX_BYTES];
};

/*
 * Each returns 0, or -1 with why[] saying what was wrong (naming the input
 * and what would have been accepted).
 */

/* Decimal, 0x hex, or a key of names (may be NULL); at most max. */
int value_parse_number(const char *s, const struct name_table *names, uint32_t max,
		       uint32_t *out, char *why, size_t whylen);

/* Text with escapes \xNN \\ \n \r \t \0 \e \" \' into out[0..cap). */
int value_parse_text(const char *s, uint8_t *out, size_t cap, size_t *len, char *why,
		     size_t whylen);

/* One-byte codes separated by commas or blanks, each a number or a key of
 * names; "" is the empty list. */
int value_parse_list(const char *s, const struct name_table *names, uint8_t *out, size_t cap,
		     size_t *len, char *why, size_t whylen);

/* What s means for a field of descriptor fd. */
int value_parse(const struct field_desc *fd, const char *s, struct field_value *v, char *why,
		size_t whylen);

/* Stores a parsed value into the draft's field fd (which must belong to d). */
int value_store(struct draft *d, const struct field_desc *fd, const struct field_value *v,
		char *why, size_t whylen);

/* The largest number a numeric field holds, or 0 when fd is not numeric. */
uint32_t value_max(const struct field_desc *fd);

/* What the user typed, escaped as a server's name is (term_escape) and
   cut to fit buf with "...": for echoing it in a message, since a line can
   hold ESC or any other byte.  Returns buf. */
const char *value_shown(const char *s, char *buf, size_t cap);

/* "connect, bind, udp" from a name table's keys, for messages. */
void value_keys(const struct name_table *names, char *buf, size_t cap);

#endif
