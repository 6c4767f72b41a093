/* Proxy URLs and targets, parsed strictly: what is refused is named. */
#ifndef SOCKSCOPE_URL_H
#define SOCKSCOPE_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "versions.h"

#define HOST_MAX 1024 /* longer than any protocol can carry, so we can refuse it by name */
#define CRED_MAX 255  /* RFC 1929: one length byte */


enum host_kind { HOST_NAME, HOST_IPV4, HOST_IPV6 };

struct host {
	enum host_kind kind;
	char name[HOST_MAX + 1]; /* as given (without brackets) */
	size_t namelen;
	uint8_t addr[16];        /* HOST_IPV4: 4 bytes, HOST_IPV6: 16 */
	uint16_t port;
};

/* A user name and a password, each optional: RFC 1929's, or SOCKS4's USERID. */
struct credentials {
	bool has_user, has_pass;
	char user[CRED_MAX + 1];
	size_t userlen;
	char pass[CRED_MAX + 1];
	size_t passlen;
};

struct proxy {
	enum socks_version version;
	struct host host;
	struct credentials cred;
};

/* Each returns 0, or -1 with why[] saying what was wrong, naming the input. */
int parse_port(const char *s, uint16_t *port, char *why, size_t whylen);
int parse_host(const char *s, size_t len, struct host *h, char *why, size_t whylen);
int parse_proxy_url(const char *url, struct proxy *p, char *why, size_t whylen);
/* HOST PORT (port != NULL), or HOST:PORT / [V6]:PORT in one argument. */
int parse_target(const char *host, const char *port, struct host *h, char *why, size_t whylen);
/* USER[:PASS] as -U takes it, percent-decoded. */
int parse_credentials(const char *s, struct credentials *c, char *why, size_t whylen);

const char *socks_version_scheme(enum socks_version v);
/* "host:port" or "[v6]:port", for messages; never holds a password. */
void host_format(const struct host *h, char *out, size_t outlen);
/* "host:port" ("[v6]:port") as host_format() writes it, with a name's bytes
 * escaped: for a host a server named.  Returns out. */
char *host_shown(const struct host *h, char *out, size_t outlen);

#endif
