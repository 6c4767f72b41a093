/*
 * Name tables: what each code means.  A table belongs to a field, not to a
 * byte value: 0xF0 is RESOLVE in a command and an onion-service error in a
 * reply.
 */
#ifndef SOCKSCOPE_PROTO_NAMES_H
#define SOCKSCOPE_PROTO_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define NE_UNASSIGNED 0x01u /* no standard gives this code a meaning */
#define NE_PRIVATE 0x02u    /* a range set aside for private use */

struct name_entry {
	uint16_t lo, hi;   /* inclusive range of codes */
	const char *key;   /* short token a person can type: "connect", or NULL */
	const char *name;  /* meaning in words: "request granted" */
	unsigned flags;    /* NE_* */
};

struct name_table {
	const char *label; /* what the codes are: "SOCKS5 reply code" */
	size_t n;
	const struct name_entry *entries;
};

extern const struct name_table names_s4_version;
extern const struct name_table names_s4_reply_version;
extern const struct name_table names_s4_command;
extern const struct name_table names_s4_reply;
extern const struct name_table names_s5_version;
extern const struct name_table names_s5_method;
extern const struct name_table names_s5_command;
extern const struct name_table names_s5_reply;
extern const struct name_table names_s5_atyp;
extern const struct name_table names_auth_version;
extern const struct name_table names_auth_status;
extern const struct name_table names_gssapi_mtyp;

/* The entry covering code, or NULL when the table has none. */
const struct name_entry *names_find(const struct name_table *t, uint32_t code);
/* The code a key names ("connect", "userpass"; case-insensitive), or -1. */
long names_lookup_key(const struct name_table *t, const char *key);

#endif
