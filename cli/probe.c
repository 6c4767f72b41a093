/*
 * sockscope probe: for each server, a series of steps, each on a fresh TCP
 * connection and bounded by -w; many servers at once on one poll() loop.
 *
 * Steps, in order (a step is skipped when an earlier one makes it moot):
 *
 *   tcp               TCP connect only
 *   s5-noauth         SOCKS5 greeting offering 00 alone: the method chosen
 *   s5-gssapi         ... offering 01 alone
 *   s5-userpass       ... offering 02 alone
 *   s5-all            ... offering 00 01 02
 *   s5-auth           greeting 02, then RFC 1929 with the credentials (if any)
 *   s5-connect        CONNECT to the target by address (IPv4, or IPv6 target)
 *   s5-connect-domain CONNECT to the target by name (ATYP 03)
 *   s5-bind           BIND (only with --commands bind)
 *   s5-udp            UDP ASSOCIATE (only with --commands udp)
 *   s4-connect        SOCKS4 CONNECT to the target's IPv4 address
 *   s4a-connect       SOCKS4a CONNECT to the target's name
 *   http-sniff        only when nothing answered as SOCKS: "HEAD / HTTP/1.0"
 *
 * --steps LIST runs only the steps named (step names as above, "connect" for
 * s5-connect); the others are not run and have no entry in "steps".  Without
 * the tcp step, the first step that connects stands for it (reachability,
 * tcp_ms).  Naming s5-bind or s5-udp asks for it as --commands would.
 *
 * JSON lines (-j): one object per server, written when it is done:
 *
 *   {"server": "127.0.0.1:1080",        host:port as given (no credentials)
 *    "input": 3,                        1-based position in the input
 *    "target": "127.0.0.1:1080",        what CONNECT asked for
 *    "verdict": "socks",                socks | unreachable | not-socks | error
 *                                       | broken (only malformed SOCKS replies)
 *    "peer": "http",                    only with not-socks: http, tls, ssh,
 *                                       silent, closes, other
 *    "summary": "SOCKS4 and SOCKS5",    the verdict in words
 *    "notes": ["SOCKS4 but not 4a", ...],
 *    "socks5": true,                    a valid SOCKS5 method selection
 *    "socks4": true,                    a valid SOCKS4 reply (granted or not)
 *    "socks4_connect": "ok",            the s4-connect step's status
 *    "socks4a": false,                  a SOCKS4a CONNECT was granted
 *    "methods": ["noauth", "userpass"], methods chosen when offered alone
 *    "auth": "ok",                      ok | failed | none (no credentials)
 *                                       | error
 *    "connect": "ok",                   ok | refused | failed | skipped
 *    "tcp_ms": 0.12,                    TCP connect time
 *    "expect": {"met": false, "failed": ["socks4a"]},   only with --expect
 *    "ok": true,                        probed (and met --expect)
 *    "steps": [{"step": "s5-noauth",
 *               "status": "ok",         ok | refused | timeout | closed | reset
 *                                       | malformed | not-socks | unreachable
 *                                       | skipped | error | other-version (a
 *                                       SOCKS4 request answered as SOCKS5, or
 *                                       the reverse)
 *               "connect_ms": 0.1,      absent when no connection was made
 *               "ms": 0.4,              from connect() to the step's end
 *               "code": 0,              METHOD, STATUS, REP or CD, if any
 *               "meaning": "NO AUTHENTICATION REQUIRED",
 *               "detail": "...",        what happened, in words
 *               "anomalies": ["RSV: ..."]}, ...]}
 *
 * "error" (with "detail") is for a server line that could not be parsed or
 * resolved; such an object has no steps.  (With --steps, a server for which
 * every chosen step was skipped is also an "error", with its steps.)
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "field.h"
#include "handshake.h"
#include "json_out.h"
#include "names.h"
#include "net.h"
#include "options.h"
#include "probe.h"
#include "url.h"

#define PROBE_DEFAULT_PARALLEL 32
#define PROBE_MAX_PARALLEL 4096
#define LINE_MAX_LEN 4096
#define NANOM 4

enum step_id {
	ST_TCP,
	ST_S5_NOAUTH,
	ST_S5_GSSAPI,
	ST_S5_USERPASS,
	ST_S5_ALL,
	ST_S5_AUTH,
	ST_S5_CONNECT,
	ST_S5_DOMAIN,
	ST_S5_BIND,
	ST_S5_UDP,
	ST_S4,
	ST_S4A,
	ST_SNIFF,
	ST_COUNT
};

static const char *const step_names[ST_COUNT] = {
	"tcp", "s5-noauth", "s5-gssapi", "s5-userpass", "s5-all", "s5-auth",
	"s5-connect", "s5-connect-domain", "s5-bind", "s5-udp", "s4-connect",
	"s4a-connect", "http-sniff",
};

enum outcome {
	OC_NOT_RUN,
	OC_SKIPPED,
	OC_OK,
	OC_REFUSED,
	OC_TIMEOUT,
	OC_CLOSED,
	OC_RESET,
	OC_MALFORMED,
	OC_NOT_SOCKS,
	OC_UNREACHABLE,
	OC_ERROR,
	OC_OTHER_VERSION,
};

static const char *const outcome_names[] = {
	"not-run", "skipped", "ok", "refused", "timeout", "closed",
	"reset", "malformed", "not-socks", "unreachable", "error", "other-version",
};

enum peer { PEER_NONE, PEER_HTTP, PEER_TLS, PEER_SSH, PEER_OTHER };
static const char *const peer_names[] = { "", "http", "tls", "ssh", "other" };
static const char *const peer_words[] = { "", "an HTTP server", "a TLS server",
					   "an SSH server", "not SOCKS" };

struct step_res {
	enum outcome oc;
	bool connected;
	double connect_ms, ms;
	int code; /* -1: none */
	const char *meaning;
	enum peer peer;
	bool socksish; /* malformed, but in SOCKS's own shape (its version byte) */
	char detail[200];
	int nanom;
	char anom[NANOM][128];
};

struct server {
	unsigned long input;
	char label[HOST_MAX + 16];
	char tlabel[HOST_MAX + 16];
	char error[300]; /* non-empty: could not be probed at all */
	struct proxy p;
	struct host target;
	bool target_v4; /* target.addr holds an IPv4 address */
	struct sockaddr_storage sa;
	socklen_t salen;
	struct step_res r[ST_COUNT];
};

struct slot {
	struct server *s; /* NULL: free */
	int step;
	int fd;
	bool connecting;
	int phase;            /* which message we wait for */
	enum msg_type expect; /* its type */
	bool raw;             /* http-sniff: no decoding */
	int64_t t0_us, deadline_us;
	uint8_t out[1200];
	size_t outlen, outoff;
	uint8_t in[1024];
	size_t have;
	uint8_t offered[3];
	size_t noffered;
};

struct config {
	const char *file;
	int parallel;
	const char *target;
	bool bind, udp;
	unsigned steps; /* with --steps: bit 1 << ST_x for each step to run */
	char expect[512];
	bool expect_given;
};

/* Probe options the global parser handed over (probe_take_option). */
static struct config given = { .parallel = 0 };

struct run {
	struct config cfg;
	struct options *o;
	bool have_target;
	struct host target;
	struct proxy cred; /* from -U */
	bool have_cred;
	/* input */
	char **ops;
	int nops, opi;
	FILE *fp;
	bool fp_is_stdin;
	unsigned long ninput;
	char *line;
	size_t linecap;
	/* engine */
	struct slot *slots;
	int nslots, active;
	bool all_ok;
	bool header_done;
};

/* ------------------------------------------------------------ small helpers */

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double
ms_since(int64_t t0)
{
	return (double)(now_us() - t0) / 1000.0;
}

static void
hexprefix(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && i < 16 && o + 4 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%02x", i ? " " : "", p[i]);
	if (n > 16 && o + 5 < outlen)
		snprintf(out + o, outlen - o, " ...");
}

__attribute__((format(printf, 2, 3))) static void
add_anomaly(struct step_res *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nanom >= NANOM)
		return;
	va_start(ap, fmt);
	vsnprintf(r->anom[r->nanom++], sizeof(r->anom[0]), fmt, ap);
	va_end(ap);
}

/* What the first bytes say about a peer that is not SOCKS. */
static enum peer
classify(const uint8_t *p, size_t n)
{
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		return PEER_HTTP;
	if (n >= 2 && (p[0] == 0x15 || p[0] == 0x16) && p[1] == 0x03)
		return PEER_TLS;
	if (n >= 4 && memcmp(p, "SSH-", 4) == 0)
		return PEER_SSH;
	return PEER_NONE;
}

static bool
has_cred(const struct server *s)
{
	return s->p.has_user;
}

/* ------------------------------------------------------------ options */

__attribute__((format(printf, 1, 2))) static int
usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sockscope probe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: sockscope [OPTIONS] probe [--parallel N] [--target HOST:PORT]\n"
			"       [--commands bind,udp] [--steps LIST] [--expect LIST] [-f FILE] [PROXY...]\n");
	return -1;
}

static const char *const expect_tokens[] = {
	"reachable", "socks5", "socks4", "socks4a", "noauth", "gssapi",
	"userpass", "auth", "connect", "bind", "udp", NULL,
};

static int
check_expect_list(const char *list)
{
	char buf[512], *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return usage("--expect: the list is too long");
	strcpy(buf, list);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		const char *name = t;
		bool found = false;

		if (name[0] == '!')
			name++;
		else if (strncmp(name, "no-", 3) == 0)
			name += 3;
		for (int i = 0; expect_tokens[i] != NULL; i++)
			if (strcmp(name, expect_tokens[i]) == 0)
				found = true;
		if (!found)
			return usage("--expect: unknown '%s' (known: reachable, socks5, socks4, "
				     "socks4a, noauth, gssapi, userpass, auth, connect, bind, udp; "
				     "prefix ! or no- to negate)",
				     t);
	}
	return 0;
}

static int
set_option(struct config *c, const char *name, const char *arg)
{
	if (strcmp(name, "parallel") == 0) {
		char *end;
		long v;

		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > PROBE_MAX_PARALLEL)
			return usage("--parallel: '%s' is not a number from 1 to %d", arg,
				     PROBE_MAX_PARALLEL);
		c->parallel = (int)v;
	} else if (strcmp(name, "target") == 0) {
		c->target = arg;
	} else if (strcmp(name, "commands") == 0) {
		char buf[128], *save = NULL;

		if (strlen(arg) >= sizeof(buf))
			return usage("--commands: the list is too long");
		strcpy(buf, arg);
		for (char *t = strtok_r(buf, ",", &save); t != NULL;
		     t = strtok_r(NULL, ",", &save)) {
			if (strcmp(t, "bind") == 0)
				c->bind = true;
			else if (strcmp(t, "udp") == 0)
				c->udp = true;
			else if (strcmp(t, "connect") != 0)
				return usage("--commands: unknown '%s' (known: connect, bind, udp)", t);
		}
	} else if (strcmp(name, "steps") == 0) {
		char buf[256], *save = NULL;

		if (strlen(arg) >= sizeof(buf))
			return usage("--steps: the list is too long");
		strcpy(buf, arg);
		for (char *t = strtok_r(buf, ",", &save); t != NULL;
		     t = strtok_r(NULL, ",", &save)) {
			int st = strcmp(t, "connect") == 0 ? ST_S5_CONNECT : -1;

			for (int i = 0; i < ST_COUNT && st < 0; i++)
				if (strcmp(t, step_names[i]) == 0)
					st = i;
			if (st < 0)
				return usage("--steps: unknown '%s' (known: tcp, s5-noauth, s5-gssapi, "
					     "s5-userpass, s5-all, s5-auth, s5-connect or connect, "
					     "s5-connect-domain, s5-bind, s5-udp, s4-connect, "
					     "s4a-connect, http-sniff)",
					     t);
			c->steps |= 1u << st;
			if (st == ST_S5_BIND)
				c->bind = true;
			if (st == ST_S5_UDP)
				c->udp = true;
		}
		if (c->steps == 0)
			return usage("--steps: no step named");
	} else if (strcmp(name, "expect") == 0) {
		if (check_expect_list(arg) < 0)
			return -1;
		if (strlen(c->expect) + strlen(arg) + 2 > sizeof(c->expect))
			return usage("--expect: the list is too long");
		if (c->expect[0] != '\0')
			strcat(c->expect, ",");
		strcat(c->expect, arg);
		c->expect_given = true;
	} else if (strcmp(name, "file") == 0) {
		if (c->file != NULL)
			return usage("-f given twice");
		c->file = arg;
	} else {
		return usage("unknown option --%s", name);
	}
	return 0;
}

int
probe_take_option(const char *name, const char *arg)
{
	return set_option(&given, name, arg);
}

/* Probe options among the operands; what is left are the proxies. */
static int
parse_operands(struct run *R, int argc, char **argv)
{
	static const char *const longs[] = { "parallel", "target", "commands", "steps", "expect",
					     "file" };
	bool dashdash = false;

	R->ops = calloc((size_t)argc + 1, sizeof(char *));
	if (R->ops == NULL)
		return usage("out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool matched = false;

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			R->ops[R->nops++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (strcmp(a, "-f") == 0) {
			if (i + 1 >= argc)
				return usage("-f needs a FILE");
			if (set_option(&R->cfg, "file", argv[++i]) < 0)
				return -1;
			continue;
		}
		if (strncmp(a, "-f", 2) == 0 && a[2] != '-') {
			if (set_option(&R->cfg, "file", a + 2) < 0)
				return -1;
			continue;
		}
		for (size_t k = 0; k < sizeof(longs) / sizeof(longs[0]) && !matched; k++) {
			size_t n = strlen(longs[k]);

			if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, longs[k], n) != 0)
				continue;
			if (a[2 + n] == '=') {
				if (set_option(&R->cfg, longs[k], a + 3 + n) < 0)
					return -1;
				matched = true;
			} else if (a[2 + n] == '\0') {
				if (i + 1 >= argc)
					return usage("--%s needs a value", longs[k]);
				if (set_option(&R->cfg, longs[k], argv[++i]) < 0)
					return -1;
				matched = true;
			}
		}
		if (!matched)
			return usage("unknown option '%s'", a);
	}
	return 0;
}

/* ------------------------------------------------------------ servers in */

static void
apply_password_env(struct proxy *p)
{
	const char *env = getenv("SOCKSCOPE_PASSWORD");

	if (p->has_user && !p->has_pass && env != NULL && strlen(env) <= CRED_MAX) {
		memcpy(p->pass, env, strlen(env) + 1);
		p->passlen = strlen(env);
		p->has_pass = true;
	}
}

/* Fills s from a URL; on failure s->error says why. */
static void
server_setup(struct run *R, struct server *s, const char *url)
{
	char why[256];
	struct host h;

	if (parse_proxy_url(url, &s->p, why, sizeof(why)) < 0) {
		snprintf(s->label, sizeof(s->label), "%.60s", url);
		for (char *c = s->label; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
		snprintf(s->error, sizeof(s->error), "%s", why);
		return;
	}
	host_format(&s->p.host, s->label, sizeof(s->label));
	if (!s->p.has_user && R->have_cred) {
		s->p.has_user = R->cred.has_user;
		s->p.has_pass = R->cred.has_pass;
		memcpy(s->p.user, R->cred.user, sizeof(s->p.user));
		memcpy(s->p.pass, R->cred.pass, sizeof(s->p.pass));
		s->p.userlen = R->cred.userlen;
		s->p.passlen = R->cred.passlen;
	}
	apply_password_env(&s->p);
	if (s->p.has_user && !s->p.has_pass) {
		s->p.has_pass = true; /* an empty password: no prompt for a fleet */
		s->p.passlen = 0;
		s->p.pass[0] = '\0';
	}
	h = s->p.host;
	if (h.kind == HOST_NAME && net_resolve(&h, R->o->family, why, sizeof(why)) < 0) {
		snprintf(s->error, sizeof(s->error), "%s", why);
		return;
	}
	memset(&s->sa, 0, sizeof(s->sa));
	if (h.kind == HOST_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&s->sa;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(h.port);
		memcpy(&sin->sin_addr, h.addr, 4);
		s->salen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&s->sa;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(h.port);
		memcpy(&sin6->sin6_addr, h.addr, 16);
		s->salen = sizeof(*sin6);
	}
	if (R->have_target)
		s->target = R->target;
	else
		s->target = h; /* the server's own address: nothing leaves the server */
	s->target_v4 = s->target.kind == HOST_IPV4;
	host_format(&s->target, s->tlabel, sizeof(s->tlabel));
}

/* The next server URL, or NULL at the end of the input. */
static const char *
next_url(struct run *R)
{
	if (R->opi < R->nops)
		return R->ops[R->opi++];
	while (R->fp != NULL) {
		ssize_t n = getline(&R->line, &R->linecap, R->fp);
		char *p, *e;

		if (n < 0) {
			if (!R->fp_is_stdin)
				fclose(R->fp);
			R->fp = NULL;
			return NULL;
		}
		p = R->line;
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		if (strlen(p) > LINE_MAX_LEN)
			p[LINE_MAX_LEN] = '\0'; /* parse_proxy_url will refuse it by name */
		return p;
	}
	return NULL;
}

/* ------------------------------------------------------------ results out */

static bool
ran(const struct step_res *r)
{
	return r->oc != OC_NOT_RUN && r->oc != OC_SKIPPED;
}

/* A valid SOCKS5 method selection; when --steps left out every method step,
   a valid answer in any SOCKS5 step. */
static bool
speaks5(const struct server *s)
{
	bool methods_ran = false;

	for (int i = ST_S5_NOAUTH; i <= ST_S5_ALL; i++) {
		if (s->r[i].oc == OC_OK || s->r[i].oc == OC_REFUSED)
			return true;
		methods_ran |= ran(&s->r[i]);
	}
	if (!methods_ran)
		for (int i = ST_S5_AUTH; i <= ST_S5_UDP; i++)
			if (s->r[i].oc == OC_OK || s->r[i].oc == OC_REFUSED)
				return true;
	return false;
}

/* How the TCP connect went: the tcp step, or when --steps left it out, the
   first step that ran.  NULL when nothing has run (yet). */
static const struct step_res *
tcp_res(const struct server *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (ran(&s->r[i]))
			return &s->r[i];
	return NULL;
}

/* The server took a TCP connection, or nothing has tried yet. */
static bool
reachable(const struct server *s)
{
	const struct step_res *t = tcp_res(s);

	return t == NULL || t->connected;
}

/* A valid SOCKS4 reply, granted or not. */
static bool
speaks4(const struct server *s)
{
	return s->r[ST_S4].oc == OC_OK || s->r[ST_S4].oc == OC_REFUSED;
}

static bool
chose(const struct server *s, int st, int method)
{
	return s->r[st].oc == OC_OK && s->r[st].code == method;
}

static enum peer
identified_peer(const struct server *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (s->r[i].oc == OC_NOT_SOCKS && s->r[i].peer != PEER_NONE)
			return s->r[i].peer;
	return PEER_NONE;
}

static bool
any_socksish(const struct server *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (s->r[i].oc == OC_MALFORMED && s->r[i].socksish)
			return true;
	return false;
}

static bool
any_socks_answer(const struct server *s)
{
	return speaks5(s) || s->r[ST_S4].oc == OC_OK || s->r[ST_S4].oc == OC_REFUSED ||
	       s->r[ST_S4A].oc == OC_OK || s->r[ST_S4A].oc == OC_REFUSED;
}

static bool
expect_holds(const struct server *s, const char *tok)
{
	if (strcmp(tok, "reachable") == 0)
		return tcp_res(s) != NULL && reachable(s);
	if (strcmp(tok, "socks5") == 0)
		return speaks5(s);
	if (strcmp(tok, "socks4") == 0)
		return s->r[ST_S4].oc == OC_OK;
	if (strcmp(tok, "socks4a") == 0)
		return s->r[ST_S4A].oc == OC_OK;
	if (strcmp(tok, "noauth") == 0)
		return chose(s, ST_S5_NOAUTH, 0x00);
	if (strcmp(tok, "gssapi") == 0)
		return chose(s, ST_S5_GSSAPI, 0x01);
	if (strcmp(tok, "userpass") == 0)
		return chose(s, ST_S5_USERPASS, 0x02);
	if (strcmp(tok, "auth") == 0)
		return s->r[ST_S5_AUTH].oc == OC_OK;
	if (strcmp(tok, "connect") == 0)
		return s->r[ST_S5_CONNECT].oc == OC_OK || s->r[ST_S4].oc == OC_OK;
	if (strcmp(tok, "bind") == 0)
		return s->r[ST_S5_BIND].oc == OC_OK;
	if (strcmp(tok, "udp") == 0)
		return s->r[ST_S5_UDP].oc == OC_OK;
	return false;
}

struct verdict {
	const char *kind; /* socks, unreachable, not-socks, error */
	const char *peer; /* with not-socks */
	char summary[160];
	char notes[8][96];
	int nnotes;
	char failed[512]; /* --expect tokens not met, comma-separated */
	bool ok;
};

__attribute__((format(printf, 2, 3))) static void
note(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->nnotes >= 8)
		return;
	va_start(ap, fmt);
	vsnprintf(v->notes[v->nnotes++], sizeof(v->notes[0]), fmt, ap);
	va_end(ap);
}

static void
judge(const struct run *R, const struct server *s, struct verdict *v)
{
	const struct step_res *tcp = tcp_res(s);
	enum peer peer;
	int nanom = 0, nbad = 0;

	memset(v, 0, sizeof(*v));
	v->ok = true;
	if (s->error[0] != '\0') {
		v->kind = "error";
		snprintf(v->summary, sizeof(v->summary), "error: %s", s->error);
		v->ok = false;
		return;
	}
	if (tcp == NULL) {
		const char *why = "";

		for (int i = 0; i < ST_COUNT && why[0] == '\0'; i++)
			if (s->r[i].oc == OC_SKIPPED)
				why = s->r[i].detail;
		v->kind = "error";
		snprintf(v->summary, sizeof(v->summary), "error: no step ran: %s", why);
		v->ok = false;
	} else if (!tcp->connected) {
		v->kind = "unreachable";
		snprintf(v->summary, sizeof(v->summary), "unreachable: %s", tcp->detail);
		v->ok = false;
	} else if ((peer = identified_peer(s)) != PEER_NONE) {
		v->kind = "not-socks";
		v->peer = peer_names[peer];
		snprintf(v->summary, sizeof(v->summary), "not SOCKS: %s", peer_words[peer]);
		v->ok = false;
	} else if (!any_socks_answer(s) && any_socksish(s)) {
		v->kind = "broken";
		snprintf(v->summary, sizeof(v->summary), "broken SOCKS: only malformed replies");
		v->ok = false;
	} else if (!any_socks_answer(s)) {
		v->kind = "not-socks";
		if (s->r[ST_SNIFF].oc == OC_TIMEOUT) {
			v->peer = "silent";
			snprintf(v->summary, sizeof(v->summary), "not SOCKS: silent");
		} else if (s->r[ST_SNIFF].oc == OC_CLOSED) {
			v->peer = "closes";
			snprintf(v->summary, sizeof(v->summary),
				 "not SOCKS: closes without answering");
		} else {
			v->peer = "other";
			snprintf(v->summary, sizeof(v->summary), "not SOCKS");
		}
		v->ok = false;
	} else {
		bool s5 = speaks5(s), s4 = speaks4(s);

		v->kind = "socks";
		snprintf(v->summary, sizeof(v->summary), "%s",
			 s5 && s4 ? "SOCKS4 and SOCKS5" : s5 ? "SOCKS5" : "SOCKS4");
		if (s->r[ST_S4].oc == OC_OK && s->r[ST_S4A].oc != OC_OK)
			note(v, "SOCKS4 but not 4a");
		if (s->r[ST_S4].oc == OC_REFUSED)
			note(v, "SOCKS4 CONNECT refused (0x%02x)", (unsigned)s->r[ST_S4].code);
		for (int i = ST_S5_NOAUTH; i <= ST_S5_ALL; i++)
			for (int k = 0; k < s->r[i].nanom; k++)
				if (strstr(s->r[i].anom[k], "not offered") != NULL) {
					note(v, "chose method 0x%02x, which was not offered (%s)",
					     (unsigned)s->r[i].code, step_names[i]);
					k = s->r[i].nanom;
				}
		if (s->r[ST_S5_AUTH].oc == OC_REFUSED)
			note(v, "credentials rejected");
		if (s5 && !chose(s, ST_S5_NOAUTH, 0) && chose(s, ST_S5_USERPASS, 2) && !has_cred(s))
			note(v, "requires username/password: give -U or USER:PASS@");
		if (s->r[ST_S5_CONNECT].oc == OC_REFUSED)
			note(v, "CONNECT refused (0x%02x)", (unsigned)s->r[ST_S5_CONNECT].code);
		else if (s5 && s->r[ST_S5_CONNECT].oc > OC_REFUSED &&
			 s->r[ST_S5_CONNECT].oc != OC_OTHER_VERSION)
			note(v, "CONNECT: %s", outcome_names[s->r[ST_S5_CONNECT].oc]);
	}
	for (int i = 0; i < ST_COUNT; i++) {
		nanom += s->r[i].nanom;
		if (s->r[i].oc == OC_MALFORMED && s->r[i].socksish)
			nbad++;
	}
	if (nbad > 0)
		note(v, "%d malformed repl%s", nbad, nbad == 1 ? "y" : "ies");
	if (nanom > 0)
		note(v, "%d anomal%s (see the steps)", nanom, nanom == 1 ? "y" : "ies");
	if (R->cfg.expect_given && s->error[0] == '\0') {
		char buf[512], *save = NULL;

		strcpy(buf, R->cfg.expect);
		for (char *t = strtok_r(buf, ",", &save); t != NULL;
		     t = strtok_r(NULL, ",", &save)) {
			bool neg = false;
			const char *name = t;

			if (name[0] == '!')
				neg = true, name++;
			else if (strncmp(name, "no-", 3) == 0)
				neg = true, name += 3;
			if (expect_holds(s, name) == neg) {
				size_t n = strlen(v->failed);

				snprintf(v->failed + n, sizeof(v->failed) - n, "%s%s", n ? "," : "", t);
			}
		}
		if (v->failed[0] != '\0') {
			v->ok = false;
			note(v, "expected %s", v->failed);
		}
	}
}

static const char *
yn_step(const struct step_res *r, char *buf, size_t len, const char *okword)
{
	switch (r->oc) {
	case OC_OK:
		return okword;
	case OC_REFUSED:
		if (r->code >= 0)
			snprintf(buf, len, "no(%02x)", (unsigned)r->code);
		else
			snprintf(buf, len, "no");
		return buf;
	case OC_SKIPPED:
	case OC_NOT_RUN:
		return "-";
	default:
		return "no";
	}
}

static void
print_row(struct run *R, const struct server *s, const struct verdict *v)
{
	char methods[64] = "", b1[16], b2[16], b3[16], lat[24], verdict[1200];
	const struct step_res *tcp = tcp_res(s);
	const char *auth, *s5;
	size_t n = 0;

	if (!R->header_done) {
		printf("%-22s %-3s %-16s %-6s %-9s %-7s %-7s %9s  %s\n", "SERVER", "S5", "METHODS",
		       "AUTH", "CONNECT", "SOCKS4", "SOCKS4A", "TCP_MS", "VERDICT");
		R->header_done = true;
	}
	if (chose(s, ST_S5_NOAUTH, 0))
		n += (size_t)snprintf(methods + n, sizeof(methods) - n, "noauth");
	if (chose(s, ST_S5_GSSAPI, 1))
		n += (size_t)snprintf(methods + n, sizeof(methods) - n, "%sgssapi", n ? "," : "");
	if (chose(s, ST_S5_USERPASS, 2))
		n += (size_t)snprintf(methods + n, sizeof(methods) - n, "%suserpass", n ? "," : "");
	if (n == 0)
		snprintf(methods, sizeof(methods), "-");
	s5 = s->error[0] || tcp == NULL || !tcp->connected ? "-" : speaks5(s) ? "yes" : "no";
	if (!has_cred(s))
		auth = "-";
	else
		auth = s->r[ST_S5_AUTH].oc == OC_OK ? "ok" :
		       s->r[ST_S5_AUTH].oc == OC_REFUSED ? "fail" : "-";
	if (tcp != NULL && tcp->connected)
		snprintf(lat, sizeof(lat), "%.2f", tcp->connect_ms);
	else
		snprintf(lat, sizeof(lat), "-");
	n = (size_t)snprintf(verdict, sizeof(verdict), "%s", v->summary);
	for (int i = 0; i < v->nnotes && n < sizeof(verdict); i++)
		n += (size_t)snprintf(verdict + n, sizeof(verdict) - n, "; %s", v->notes[i]);
	printf("%-22s %-3s %-16s %-6s %-9s %-7s %-7s %9s  %s\n", s->label, s5, methods, auth,
	       speaks5(s) ? yn_step(&s->r[ST_S5_CONNECT], b1, sizeof(b1), "ok") : "-",
	       yn_step(&s->r[ST_S4], b2, sizeof(b2), "yes"),
	       yn_step(&s->r[ST_S4A], b3, sizeof(b3), "yes"), lat, verdict);
	fflush(stdout);
}

static json_t *
jnum_ms(double ms)
{
	return json_real((double)(int64_t)(ms * 1000.0 + 0.5) / 1000.0);
}

static void
print_json(struct run *R, const struct server *s, const struct verdict *v)
{
	json_t *o = json_object(), *a, *steps;
	const struct step_res *tcp = tcp_res(s);
	char *text;

	if (o == NULL)
		return;
	json_object_set_new(o, "server", json_string(s->label));
	json_object_set_new(o, "input", json_integer((json_int_t)s->input));
	if (s->error[0] != '\0') {
		json_object_set_new(o, "verdict", json_string("error"));
		json_object_set_new(o, "detail", json_string(s->error));
		json_object_set_new(o, "ok", json_false());
		goto out;
	}
	json_object_set_new(o, "target", json_string(s->tlabel));
	json_object_set_new(o, "verdict", json_string(v->kind));
	if (v->peer != NULL)
		json_object_set_new(o, "peer", json_string(v->peer));
	json_object_set_new(o, "summary", json_string(v->summary));
	a = json_array();
	for (int i = 0; i < v->nnotes; i++)
		json_array_append_new(a, json_string(v->notes[i]));
	json_object_set_new(o, "notes", a);
	json_object_set_new(o, "socks5", json_boolean(speaks5(s)));
	json_object_set_new(o, "socks4", json_boolean(speaks4(s)));
	json_object_set_new(o, "socks4_connect", json_string(outcome_names[s->r[ST_S4].oc]));
	json_object_set_new(o, "socks4a", json_boolean(s->r[ST_S4A].oc == OC_OK));
	a = json_array();
	if (chose(s, ST_S5_NOAUTH, 0))
		json_array_append_new(a, json_string("noauth"));
	if (chose(s, ST_S5_GSSAPI, 1))
		json_array_append_new(a, json_string("gssapi"));
	if (chose(s, ST_S5_USERPASS, 2))
		json_array_append_new(a, json_string("userpass"));
	json_object_set_new(o, "methods", a);
	json_object_set_new(o, "auth",
			    json_string(!has_cred(s) ? "none" :
					s->r[ST_S5_AUTH].oc == OC_OK ? "ok" :
					s->r[ST_S5_AUTH].oc == OC_REFUSED ? "failed" : "error"));
	json_object_set_new(o, "connect",
			    json_string(s->r[ST_S5_CONNECT].oc == OC_OK ? "ok" :
					s->r[ST_S5_CONNECT].oc == OC_REFUSED ? "refused" :
					s->r[ST_S5_CONNECT].oc == OC_SKIPPED ? "skipped" : "failed"));
	if (tcp != NULL && tcp->connected)
		json_object_set_new(o, "tcp_ms", jnum_ms(tcp->connect_ms));
	else
		json_object_set_new(o, "tcp_ms", json_null());
	if (R->cfg.expect_given) {
		json_t *e = json_object(), *f = json_array();
		char buf[512], *save = NULL;

		strcpy(buf, v->failed);
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			json_array_append_new(f, json_string(t));
		json_object_set_new(e, "met", json_boolean(v->failed[0] == '\0'));
		json_object_set_new(e, "failed", f);
		json_object_set_new(o, "expect", e);
	}
	json_object_set_new(o, "ok", json_boolean(v->ok));
	steps = json_array();
	for (int i = 0; i < ST_COUNT; i++) {
		const struct step_res *r = &s->r[i];
		json_t *st;

		if (r->oc == OC_NOT_RUN)
			continue;
		st = json_object();
		json_object_set_new(st, "step", json_string(step_names[i]));
		json_object_set_new(st, "status", json_string(outcome_names[r->oc]));
		if (r->connected)
			json_object_set_new(st, "connect_ms", jnum_ms(r->connect_ms));
		if (r->oc != OC_SKIPPED)
			json_object_set_new(st, "ms", jnum_ms(r->ms));
		if (r->code >= 0)
			json_object_set_new(st, "code", json_integer(r->code));
		if (r->meaning != NULL)
			json_object_set_new(st, "meaning", json_string(r->meaning));
		if (r->peer != PEER_NONE)
			json_object_set_new(st, "peer", json_string(peer_names[r->peer]));
		if (r->detail[0] != '\0')
			json_object_set_new(st, "detail", json_string(r->detail));
		if (r->nanom > 0) {
			a = json_array();
			for (int k = 0; k < r->nanom; k++)
				json_array_append_new(a, json_string(r->anom[k]));
			json_object_set_new(st, "anomalies", a);
		}
		json_array_append_new(steps, st);
	}
	json_object_set_new(o, "steps", steps);
out:
	text = json_dumps(o, SOCKSCOPE_JSON_FLAGS | JSON_COMPACT | JSON_REAL_PRECISION(9));
	if (text != NULL) {
		printf("%s\n", text);
		free(text);
	}
	fflush(stdout);
	json_decref(o);
}

static void
report(struct run *R, struct server *s)
{
	struct verdict v;

	judge(R, s, &v);
	if (!v.ok)
		R->all_ok = false;
	if (R->o->json)
		print_json(R, s, &v);
	else
		print_row(R, s, &v);
}

/* ------------------------------------------------------------ the engine */

static void advance(struct run *R, struct slot *sl);

static void
close_fd(struct slot *sl)
{
	if (sl->fd >= 0)
		close(sl->fd);
	sl->fd = -1;
}

static struct step_res *
cur(struct slot *sl)
{
	return &sl->s->r[sl->step];
}

__attribute__((format(printf, 4, 5))) static void
finish(struct run *R, struct slot *sl, enum outcome oc, const char *fmt, ...)
{
	struct step_res *r = cur(sl);
	va_list ap;

	r->oc = oc;
	r->ms = ms_since(sl->t0_us);
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
		va_end(ap);
	}
	close_fd(sl);
	sl->step++;
	advance(R, sl);
}

/* Why a step is not run, or NULL to run it. */
static const char *
skip_reason(const struct run *R, const struct server *s, int st)
{
	enum outcome n5 = s->r[ST_S5_NOAUTH].oc, s4 = s->r[ST_S4].oc;

	if (st == ST_TCP)
		return NULL;
	if (!reachable(s))
		return "TCP connect failed";
	if (identified_peer(s) != PEER_NONE)
		return "not a SOCKS server";
	switch (st) {
	case ST_S5_NOAUTH:
		return NULL;
	case ST_S5_GSSAPI:
	case ST_S5_USERPASS:
	case ST_S5_ALL:
	case ST_S5_AUTH:
	case ST_S5_CONNECT:
	case ST_S5_DOMAIN:
	case ST_S5_BIND:
	case ST_S5_UDP:
		if (n5 == OC_TIMEOUT || n5 == OC_NOT_SOCKS || n5 == OC_OTHER_VERSION)
			return "no SOCKS5 answer to the first greeting";
		if (st == ST_S5_AUTH && !has_cred(s))
			return "no credentials given";
		if (st >= ST_S5_CONNECT && !chose(s, ST_S5_NOAUTH, 0) && !has_cred(s) &&
		    n5 == OC_REFUSED)
			return "no acceptable method without credentials";
		if (st == ST_S5_CONNECT && !s->target_v4 && s->target.kind != HOST_IPV6)
			return "the target has no address";
		if (st == ST_S5_BIND && !R->cfg.bind)
			return "not asked for (--commands bind)";
		if (st == ST_S5_UDP && !R->cfg.udp)
			return "not asked for (--commands udp)";
		return NULL;
	case ST_S4:
		if (!s->target_v4)
			return "SOCKS4 carries only IPv4 addresses";
		return NULL;
	case ST_S4A:
		if (s4 == OC_TIMEOUT || s4 == OC_NOT_SOCKS)
			return "no SOCKS4 answer";
		return NULL;
	case ST_SNIFF:
		if (any_socks_answer(s))
			return "the server answered as SOCKS";
		return NULL;
	default:
		return NULL;
	}
}

static bool
encode(struct slot *sl, const struct draft *d)
{
	struct proto_error err;
	size_t len = 0;

	if (proto_encode(d, sl->out, sizeof(sl->out), &len, NULL, &err) != PROTO_OK) {
		snprintf(cur(sl)->detail, sizeof(cur(sl)->detail), "cannot encode %s: %s",
			 err.field ? err.field : "message", err.why);
		return false;
	}
	sl->outlen = len;
	sl->outoff = 0;
	return true;
}

static void
want(struct slot *sl, enum msg_type type, int phase)
{
	sl->expect = type;
	sl->phase = phase;
	sl->have = 0;
}

static bool
send_greeting(struct slot *sl, const uint8_t *methods, size_t n)
{
	struct draft d;

	draft_init(&d, MSG_S5_GREETING);
	draft_set_bytes(&d, "METHODS", methods, n);
	memcpy(sl->offered, methods, n);
	sl->noffered = n;
	want(sl, MSG_S5_METHOD, 1);
	return encode(sl, &d);
}

static bool
send_auth(struct slot *sl)
{
	const struct proxy *p = &sl->s->p;
	struct draft d;

	draft_init(&d, MSG_S5_AUTH_REQUEST);
	draft_set_bytes(&d, "UNAME", (const uint8_t *)p->user, p->userlen);
	draft_set_bytes(&d, "PASSWD", (const uint8_t *)p->pass, p->passlen);
	want(sl, MSG_S5_AUTH_STATUS, 2);
	return encode(sl, &d);
}

static bool
send_request5(struct slot *sl)
{
	const struct host *t = &sl->s->target;
	struct draft d;
	static const uint8_t any[4] = { 0, 0, 0, 0 };

	draft_init(&d, MSG_S5_REQUEST);
	if (sl->step == ST_S5_UDP) {
		draft_set_num(&d, "CMD", 3);
		draft_set_ipv4(&d, "DST.ADDR", any);
		draft_set_num(&d, "DST.PORT", 0);
	} else {
		draft_set_num(&d, "CMD", sl->step == ST_S5_BIND ? 2 : 1);
		draft_set_num(&d, "DST.PORT", t->port);
		if (sl->step == ST_S5_DOMAIN)
			draft_set_name(&d, "DST.ADDR", t->name, t->namelen);
		else if (t->kind == HOST_IPV6)
			draft_set_ipv6(&d, "DST.ADDR", t->addr);
		else
			draft_set_ipv4(&d, "DST.ADDR", t->addr);
	}
	want(sl, MSG_S5_REPLY, 3);
	return encode(sl, &d);
}

static bool
send_request4(struct slot *sl)
{
	const struct server *s = sl->s;
	struct draft d;

	draft_init(&d, MSG_S4_REQUEST);
	draft_set_num(&d, "DSTPORT", s->target.port);
	if (sl->step == ST_S4A)
		draft_set_name(&d, "HOSTNAME", s->target.name, s->target.namelen);
	else
		draft_set_ipv4(&d, "DSTIP", s->target.addr);
	if (s->p.has_user)
		draft_set_bytes(&d, "USERID", (const uint8_t *)s->p.user, s->p.userlen);
	want(sl, MSG_S4_REPLY, 4);
	return encode(sl, &d);
}

/* The connection is up: the first message of the step. */
static void
begin_exchange(struct run *R, struct slot *sl)
{
	static const uint8_t m00[] = { 0x00 }, m01[] = { 0x01 }, m02[] = { 0x02 },
			     mall[] = { 0x00, 0x01, 0x02 }, m0002[] = { 0x00, 0x02 };
	static const char head[] = "HEAD / HTTP/1.0\r\n\r\n";
	bool ok = true;

	sl->raw = false;
	switch (sl->step) {
	case ST_TCP:
		finish(R, sl, OC_OK, "connected in %.2f ms", cur(sl)->connect_ms);
		return;
	case ST_S5_NOAUTH:
		ok = send_greeting(sl, m00, 1);
		break;
	case ST_S5_GSSAPI:
		ok = send_greeting(sl, m01, 1);
		break;
	case ST_S5_USERPASS:
	case ST_S5_AUTH:
		ok = send_greeting(sl, m02, 1);
		break;
	case ST_S5_ALL:
		ok = send_greeting(sl, mall, 3);
		break;
	case ST_S5_CONNECT:
	case ST_S5_DOMAIN:
	case ST_S5_BIND:
	case ST_S5_UDP:
		ok = has_cred(sl->s) ? send_greeting(sl, m0002, 2) : send_greeting(sl, m00, 1);
		break;
	case ST_S4:
	case ST_S4A:
		ok = send_request4(sl);
		break;
	case ST_SNIFF:
		memcpy(sl->out, head, sizeof(head) - 1);
		sl->outlen = sizeof(head) - 1;
		sl->outoff = 0;
		sl->raw = true;
		sl->have = 0;
		break;
	default:
		break;
	}
	if (!ok)
		finish(R, sl, OC_ERROR, NULL);
}

static void
start_step(struct run *R, struct slot *sl)
{
	struct server *s = sl->s;
	struct step_res *r = cur(sl);
	int fd, one = 1;

	r->code = -1;
	sl->t0_us = now_us();
	sl->deadline_us = sl->t0_us + (int64_t)R->o->timeout_ms * 1000;
	sl->have = 0;
	sl->outlen = sl->outoff = 0;
	fd = socket(s->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		finish(R, sl, OC_ERROR, "socket: %s", strerror(errno));
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sl->fd = fd;
	if (connect(fd, (const struct sockaddr *)&s->sa, s->salen) == 0) {
		r->connected = true;
		r->connect_ms = ms_since(sl->t0_us);
		sl->connecting = false;
		begin_exchange(R, sl);
		return;
	}
	if (errno != EINPROGRESS) {
		finish(R, sl, OC_UNREACHABLE, "connect: %s", strerror(errno));
		return;
	}
	sl->connecting = true;
}

/* Runs or skips steps until one waits on a connection, or the server is done. */
static void
advance(struct run *R, struct slot *sl)
{
	while (sl->step < ST_COUNT) {
		const char *why;

		if (R->cfg.steps != 0 && !(R->cfg.steps & (1u << sl->step))) {
			sl->step++; /* not chosen (--steps): not run, not reported */
			continue;
		}
		why = skip_reason(R, sl->s, sl->step);

		if (why == NULL) {
			start_step(R, sl);
			return;
		}
		cur(sl)->oc = OC_SKIPPED;
		cur(sl)->code = -1;
		snprintf(cur(sl)->detail, sizeof(cur(sl)->detail), "%s", why);
		sl->step++;
	}
	report(R, sl->s);
	explicit_bzero(&sl->s->p, sizeof(sl->s->p));
	free(sl->s);
	sl->s = NULL;
	R->active--;
}

static void
collect_anomalies(struct step_res *r, const struct msg *m)
{
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		if (f->flags & (FF_ANOMALY | FF_UNASSIGNED))
			add_anomaly(r, "%s: %s (0x%x)", f->desc->name,
				    f->note ? f->note : "unassigned code", (unsigned)f->num);
	}
}

static const char *
meaning_of(const struct field *f)
{
	const struct name_entry *e;

	if (f == NULL || f->desc->names == NULL)
		return NULL;
	e = names_find(f->desc->names, f->num);
	return e != NULL ? e->name : NULL;
}

/* A complete message arrived. */
static void
on_message(struct run *R, struct slot *sl, const struct msg *m)
{
	struct step_res *r = cur(sl);
	const struct field *f;
	int st = sl->step;
	bool ok = true;

	collect_anomalies(r, m);
	switch (sl->expect) {
	case MSG_S5_METHOD:
		f = msg_field(m, "METHOD");
		r->code = f ? (int)f->num : -1;
		r->meaning = meaning_of(f);
		if (st <= ST_S5_ALL) {
			bool offered = false;

			for (size_t i = 0; i < sl->noffered; i++)
				if (sl->offered[i] == r->code)
					offered = true;
			if (r->code != 0xff && !offered && r->nanom == 0)
				add_anomaly(r, "METHOD: this method was not offered (0x%x)",
					    (unsigned)r->code);
			if (r->code == 0xff)
				finish(R, sl, OC_REFUSED, "no acceptable method");
			else
				finish(R, sl, OC_OK, "chose method 0x%02x%s", (unsigned)r->code,
				       offered ? "" : ", which was not offered");
			return;
		}
		if (r->code == 0xff) {
			finish(R, sl, OC_REFUSED, "no acceptable method");
			return;
		}
		if (r->code == 0x02 && has_cred(sl->s))
			ok = send_auth(sl);
		else if (r->code == 0x00 && st != ST_S5_AUTH)
			ok = send_request5(sl);
		else {
			finish(R, sl, OC_MALFORMED, "chose method 0x%02x, which was not offered",
			       (unsigned)r->code);
			return;
		}
		break;
	case MSG_S5_AUTH_STATUS:
		f = msg_field(m, "STATUS");
		r->code = f ? (int)f->num : -1;
		r->meaning = meaning_of(f);
		if (r->code != 0) {
			finish(R, sl, OC_REFUSED, "authentication failed (STATUS 0x%02x)",
			       (unsigned)r->code);
			return;
		}
		if (st == ST_S5_AUTH) {
			finish(R, sl, OC_OK, "credentials accepted");
			return;
		}
		ok = send_request5(sl);
		break;
	case MSG_S5_REPLY:
		f = msg_field(m, "REP");
		r->code = f ? (int)f->num : -1;
		r->meaning = meaning_of(f);
		if (r->code == 0)
			finish(R, sl, OC_OK, "granted");
		else
			finish(R, sl, OC_REFUSED, "REP 0x%02x %s", (unsigned)r->code,
			       r->meaning ? r->meaning : "");
		return;
	case MSG_S4_REPLY:
		f = msg_field(m, "CD");
		r->code = f ? (int)f->num : -1;
		r->meaning = meaning_of(f);
		if (r->code == 0x5a)
			finish(R, sl, OC_OK, "granted");
		else
			finish(R, sl, OC_REFUSED, "CD 0x%02x %s", (unsigned)r->code,
			       r->meaning ? r->meaning : "");
		return;
	default:
		finish(R, sl, OC_ERROR, "unexpected message");
		return;
	}
	if (!ok)
		finish(R, sl, OC_ERROR, NULL);
}

/* Bytes arrived or the peer closed: decide what they are. eof: no more come. */
static void
on_input(struct run *R, struct slot *sl, bool eof, int err)
{
	struct step_res *r = cur(sl);
	struct proto_ctx ctx = { sl->offered, sl->noffered };
	struct msg m;
	enum peer peer = classify(sl->in, sl->have);
	char hex[80];
	int rc;

	hexprefix(sl->in, sl->have, hex, sizeof(hex));
	if (sl->raw) {
		if (peer != PEER_NONE || sl->have >= 5) {
			r->peer = peer != PEER_NONE ? peer : PEER_OTHER;
			finish(R, sl, OC_NOT_SOCKS, "answered %s", hex);
		} else if (eof) {
			if (sl->have == 0)
				finish(R, sl, err ? OC_RESET : OC_CLOSED, "%s without answering",
				       err ? "reset" : "closed");
			else {
				r->peer = PEER_OTHER;
				finish(R, sl, OC_NOT_SOCKS, "answered %s", hex);
			}
		}
		return;
	}
	for (;;) {
		if (sl->have == 0) {
			if (eof)
				finish(R, sl, err ? OC_RESET : OC_CLOSED, "%s without a reply",
				       err ? "connection reset" : "closed");
			return;
		}
		rc = proto_decode(sl->expect, sl->in, sl->have, &ctx, &m);
		if (rc == PROTO_NEED_MORE) {
			if (!eof && sl->have < sizeof(sl->in))
				return;
			if (peer != PEER_NONE) {
				r->peer = peer;
				finish(R, sl, OC_NOT_SOCKS, "%s: %s", peer_words[peer], hex);
				return;
			}
			add_anomaly(r, "short reply: %zu of %zu bytes", sl->have, m.need);
			finish(R, sl, err ? OC_RESET : OC_CLOSED, "short %s: %zu of %zu bytes (%s)",
			       proto_msg_desc(sl->expect)->title, sl->have, m.need, hex);
			return;
		}
		if (rc != PROTO_OK) {
			if (peer != PEER_NONE) {
				r->peer = peer;
				finish(R, sl, OC_NOT_SOCKS, "%s: %s", peer_words[peer], hex);
				return;
			}
			if (sl->expect == MSG_S4_REPLY && sl->in[0] == 0x05) {
				finish(R, sl, OC_OTHER_VERSION, "answered as SOCKS5 (%s): no SOCKS4", hex);
				return;
			}
			if (sl->expect != MSG_S4_REPLY && sl->in[0] == 0x00 && sl->have >= 2 &&
			    sl->in[1] >= 0x5a && sl->in[1] <= 0x5d) {
				finish(R, sl, OC_OTHER_VERSION, "answered as SOCKS4 (%s): no SOCKS5", hex);
				return;
			}
			collect_anomalies(r, &m);
			r->socksish = sl->expect == MSG_S4_REPLY ? sl->in[0] == 0x00 || sl->in[0] == 0x04 :
								    sl->in[0] == 0x05 || sl->in[0] == 0x04;
			finish(R, sl, OC_MALFORMED, "%s malformed at offset %zu%s%s: %s (%s)",
			       proto_msg_desc(sl->expect)->title, m.err_off,
			       m.err_field >= 0 ? " in " : "",
			       m.err_field >= 0 ? m.fields[m.err_field].desc->name : "", m.why, hex);
			return;
		}
		{
			size_t used = m.len;
			int step = sl->step, phase = sl->phase;
			uint8_t rest[sizeof(sl->in)];
			size_t nrest = sl->have - used;

			memcpy(rest, sl->in + used, nrest);
			on_message(R, sl, &m);
			if (sl->s == NULL || sl->step != step || sl->phase == phase)
				return; /* the step is over (the slot may hold the next one) */
			/* the next message of the same step: keep any bytes that came early */
			memcpy(sl->in, rest, nrest);
			sl->have = nrest;
			if (nrest > 0)
				add_anomaly(r, "%zu bytes arrived before the request was sent", nrest);
			return;
		}
	}
}

static void
on_event(struct run *R, struct slot *sl, short revents)
{
	struct step_res *r = cur(sl);

	if (sl->connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == 0 && !(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		if (err != 0) {
			finish(R, sl, OC_UNREACHABLE, "connect: %s", strerror(err));
			return;
		}
		sl->connecting = false;
		r->connected = true;
		r->connect_ms = ms_since(sl->t0_us);
		begin_exchange(R, sl);
		return;
	}
	if (sl->outoff < sl->outlen && (revents & POLLOUT)) {
		ssize_t n = send(sl->fd, sl->out + sl->outoff, sl->outlen - sl->outoff,
				 MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			finish(R, sl, errno == ECONNRESET ? OC_RESET : OC_ERROR, "send: %s",
			       strerror(errno));
			return;
		}
		if (n > 0)
			sl->outoff += (size_t)n;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		ssize_t n;

		if (sl->have >= sizeof(sl->in)) {
			on_input(R, sl, true, 0);
			return;
		}
		n = recv(sl->fd, sl->in + sl->have, sizeof(sl->in) - sl->have, 0);
		if (n > 0) {
			sl->have += (size_t)n;
			on_input(R, sl, false, 0);
		} else if (n == 0) {
			on_input(R, sl, true, 0);
		} else if (errno != EAGAIN && errno != EINTR) {
			on_input(R, sl, true, errno);
		}
	}
}

static void
on_timeout(struct run *R, struct slot *sl)
{
	double secs = R->o->timeout_ms / 1000.0;

	if (sl->connecting) {
		finish(R, sl, OC_UNREACHABLE, "connect timed out after %.1f s", secs);
		return;
	}
	if (sl->have > 0) {
		enum peer peer = classify(sl->in, sl->have);
		char hex[80];

		hexprefix(sl->in, sl->have, hex, sizeof(hex));
		if (peer != PEER_NONE || sl->raw) {
			cur(sl)->peer = peer != PEER_NONE ? peer : PEER_OTHER;
			finish(R, sl, OC_NOT_SOCKS, "answered %s", hex);
		} else {
			add_anomaly(cur(sl), "short reply: %zu bytes, then silence", sl->have);
			finish(R, sl, OC_TIMEOUT, "only %zu bytes (%s) within %.1f s", sl->have, hex,
			       secs);
		}
		return;
	}
	finish(R, sl, OC_TIMEOUT, "no reply within %.1f s", secs);
}

static void
start_server(struct run *R, struct slot *sl, const char *url)
{
	struct server *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		fprintf(stderr, "sockscope probe: out of memory\n");
		R->all_ok = false;
		return;
	}
	s->input = ++R->ninput;
	server_setup(R, s, url);
	if (s->error[0] != '\0') {
		report(R, s);
		explicit_bzero(&s->p, sizeof(s->p));
		free(s);
		return;
	}
	sl->s = s;
	sl->step = ST_TCP;
	sl->fd = -1;
	R->active++;
	advance(R, sl);
}

static void
run_loop(struct run *R)
{
	struct pollfd *pfd = calloc((size_t)R->nslots, sizeof(*pfd));
	int *map = calloc((size_t)R->nslots, sizeof(int));
	bool input_done = false;

	if (pfd == NULL || map == NULL) {
		fprintf(stderr, "sockscope probe: out of memory\n");
		R->all_ok = false;
		free(pfd);
		free(map);
		return;
	}
	for (;;) {
		int np = 0, tmo;
		int64_t now, next = INT64_MAX;

		for (int i = 0; i < R->nslots && !input_done; i++) {
			while (R->slots[i].s == NULL && !input_done) {
				const char *url = next_url(R);

				if (url == NULL)
					input_done = true;
				else
					start_server(R, &R->slots[i], url);
			}
		}
		if (R->active == 0 && input_done)
			break;
		for (int i = 0; i < R->nslots; i++) {
			struct slot *sl = &R->slots[i];

			if (sl->s == NULL || sl->fd < 0)
				continue;
			pfd[np].fd = sl->fd;
			pfd[np].events = sl->connecting ? POLLOUT :
					 (short)(POLLIN | (sl->outoff < sl->outlen ? POLLOUT : 0));
			pfd[np].revents = 0;
			map[np++] = i;
			if (sl->deadline_us < next)
				next = sl->deadline_us;
		}
		if (np == 0)
			continue; /* slots were freed: fill them */
		now = now_us();
		tmo = next <= now ? 0 : (int)((next - now + 999) / 1000);
		if (poll(pfd, (nfds_t)np, tmo) < 0 && errno != EINTR) {
			fprintf(stderr, "sockscope probe: poll: %s\n", strerror(errno));
			R->all_ok = false;
			break;
		}
		now = now_us();
		for (int k = 0; k < np; k++) {
			struct slot *sl = &R->slots[map[k]];

			/* the slot may have moved on to another step or server already */
			if (sl->s == NULL || sl->fd != pfd[k].fd)
				continue;
			if (pfd[k].revents != 0)
				on_event(R, sl, pfd[k].revents);
			if (sl->s != NULL && sl->fd == pfd[k].fd && now_us() >= sl->deadline_us)
				on_timeout(R, sl);
		}
	}
	free(pfd);
	free(map);
}

/* ------------------------------------------------------------ entry */

int
probe_main(struct options *o, int argc, char **argv)
{
	struct run R;
	char why[256];
	int rc = EXIT_USAGE;

	memset(&R, 0, sizeof(R));
	R.cfg = given;
	R.o = o;
	R.all_ok = true;
	if (parse_operands(&R, argc, argv) < 0)
		goto out;
	if (R.cfg.parallel == 0)
		R.cfg.parallel = PROBE_DEFAULT_PARALLEL;
	if (o->nproxies > 0) {
		usage("-x does not apply to probe: give the servers as operands");
		goto out;
	}
	if (R.nops == 0 && R.cfg.file == NULL) {
		usage("no servers: give PROXY... or -f FILE");
		goto out;
	}
	/* Every operand is checked before anything is sent. */
	for (int i = 0; i < R.nops; i++) {
		struct proxy p;

		if (parse_proxy_url(R.ops[i], &p, why, sizeof(why)) < 0) {
			usage("%s", why);
			goto out;
		}
	}
	if (o->user != NULL) {
		if (parse_credentials(o->user, &R.cred, why, sizeof(why)) < 0) {
			usage("-U: %s", why);
			goto out;
		}
		R.have_cred = true;
	}
	if (R.cfg.target != NULL) {
		if (parse_target(R.cfg.target, NULL, &R.target, why, sizeof(why)) < 0) {
			usage("--target: %s", why);
			goto out;
		}
		if (R.target.kind == HOST_NAME &&
		    net_resolve(&R.target, AF_INET, why, sizeof(why)) < 0 &&
		    net_resolve(&R.target, AF_UNSPEC, why, sizeof(why)) < 0) {
			usage("--target: %s", why);
			goto out;
		}
		R.have_target = true;
	}
	if (R.cfg.file != NULL) {
		if (strcmp(R.cfg.file, "-") == 0) {
			R.fp = stdin;
			R.fp_is_stdin = true;
		} else if ((R.fp = fopen(R.cfg.file, "r")) == NULL) {
			usage("-f %s: %s", R.cfg.file, strerror(errno));
			goto out;
		}
	}
	R.nslots = R.cfg.parallel;
	{
		/* one descriptor per slot, and some to spare for stdio and the resolver */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    (rlim_t)R.nslots + 32 > rl.rlim_cur) {
			rlim_t fit = rl.rlim_cur > 64 ? rl.rlim_cur - 32 : 8;

			if (rl.rlim_max == RLIM_INFINITY || (rlim_t)R.nslots + 32 <= rl.rlim_max) {
				rl.rlim_cur = (rlim_t)R.nslots + 32;
				if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
					fit = (rlim_t)R.nslots;
			}
			if ((rlim_t)R.nslots > fit) {
				fprintf(stderr, "sockscope probe: --parallel %d is more than the open "
						"file limit allows; using %d\n",
					R.nslots, (int)fit);
				R.nslots = (int)fit;
			}
		}
	}
	R.slots = calloc((size_t)R.nslots, sizeof(*R.slots));
	if (R.slots == NULL) {
		usage("out of memory");
		goto out;
	}
	for (int i = 0; i < R.nslots; i++)
		R.slots[i].fd = -1;
	run_loop(&R);
	if (!o->json && !R.header_done)
		fprintf(stderr, "sockscope probe: no servers in the input\n");
	rc = R.all_ok && R.ninput > 0 ? EXIT_OK : 1;
out:
	if (R.fp != NULL && !R.fp_is_stdin)
		fclose(R.fp);
	free(R.line);
	free(R.slots);
	free(R.ops);
	explicit_bzero(&R.cred, sizeof(R.cred));
	return rc;
}
