/*
 * sockscope probe, internal: what every probe module shares.  A server's
 * results (one step_res per step), the slot that runs one step of one server
 * at a time on the poll loop, and the run that holds the options, the input
 * and the slots.  The steps and the JSON schema are described at the top of
 * probe.c.
 *
 *   probe.c         the command line, probe_main
 *   probe_input.c   the server list: operands, -f FILE, credentials
 *   probe_engine.c  the poll loop: slots, deadlines, which step runs next
 *   probe_steps.c   each step's messages, fed to the step's flow
 *   probe_flow.c    what the flow and its hints say: the step's result
 *   probe_verdict.c what the results add up to, --expect
 *   probe_report.c  the table and the JSON lines
 *   probe_sink.c    the default target of servers on loopback
 *   probe_progress.c the progress line on a terminal's stderr
 */
#ifndef SOCKSCOPE_CLI_PROBE_TYPES_H
#define SOCKSCOPE_CLI_PROBE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "field.h"
#include "options.h"
#include "url.h"

#define PROBE_DEFAULT_PARALLEL 32
#define PROBE_MAX_PARALLEL 4096
#define LINE_MAX_LEN 8191 /* bytes in a line of -f FILE, without its newline */
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

/* "tcp", "s5-noauth", ...: the names in "steps" and --steps (probe_report.c). */
extern const char *const probe_step_names[ST_COUNT];

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

/* "not-run", "skipped", "ok", ...: a step's "status" (probe_report.c). */
extern const char *const probe_outcome_names[];

enum peer { PEER_NONE, PEER_HTTP, PEER_TLS, PEER_SSH, PEER_OTHER, PEER_ECHO };

struct step_res {
	enum outcome oc;
	bool connected;
	double connect_ms, ms;
	int64_t start_us; /* when the step began, since the server's first (--timeline) */
	int code; /* -1: none */
	const char *meaning;
	enum peer peer;
	bool socksish; /* malformed, but in SOCKS's own shape (its version byte) */
	char detail[200];
	int phase;    /* the phase the step ended in (slot.phase): 1 method
			 selection, 2 RFC 1929, 3 SOCKS5 request, 4 SOCKS4;
			 0 before any message */
	bool s5_seen; /* a valid SOCKS5 method selection arrived */
	bool unoffered; /* the method selection chose a method not offered */
	bool authed;  /* RFC 1929 credentials were accepted in this step */
	int nanom;
	char anom[NANOM][128];
};

struct server {
	unsigned long input;
	int64_t start_us; /* when its first step began (CLOCK_MONOTONIC) */
	char label[HOST_MAX + 16];
	char tlabel[HOST_MAX + 16];
	char error[480]; /* non-empty: could not be probed at all */
	bool local_error; /* a step failed on this side (socket: the open file
			     limit, ...): the verdict is "error", not the server's */
	char local_detail[200];
	struct proxy p;
	struct host target;
	bool target_v4; /* target.addr holds an IPv4 address */
	bool target_self; /* the target is the server's own address and port */
	struct sockaddr_storage sa;
	socklen_t salen;
	struct step_res r[ST_COUNT];
};

struct step_flow; /* probe_flow.h */

struct slot {
	struct server *s; /* NULL: free */
	struct run *run;  /* for the flow's callbacks (-v, -X) */
	int step;
	int fd;
	unsigned gen; /* counts the slot's connections: tells a poll result
			 for an earlier one that had the same fd */
	bool connecting;
	int phase;            /* the message last sent: 1 greeting, 2 RFC 1929,
				 3 SOCKS5 request, 4 SOCKS4 request; 0 none */
	bool raw;             /* http-sniff: no SOCKS, no flow */
	int64_t t0_us, deadline_us;
	uint8_t out[1200];
	size_t outlen, outoff;
	uint8_t in[1024];     /* what the step received (the first 1024 bytes) */
	size_t have;
	size_t fed;           /* in[0..fed) went to the flow */
	bool flowing;         /* the flow was started for this step */
	struct step_flow *flow; /* the step's flow: allocated when the slot
				   first connects, then reused (bounded: one
				   per slot) */
};

/* Listeners on loopback, the default target of servers there (probe_sink.c);
   -1: none. */
struct probe_sink {
	int fd4, fd6;
	uint16_t port4, port6;
};

/* The progress line (probe_progress.c): what it counts and when it was
   last drawn. */
struct probe_progress {
	bool on;             /* stderr is a terminal, no -j, -v or -X */
	bool shown;          /* the line is on the terminal now */
	unsigned long total; /* servers in the input, when known before the run */
	bool total_known;
	unsigned long done, answering, failed;
	int64_t t0_us, drawn_us;
};

/* Table rows that wait for an earlier server's (probe_report.c): the table
   comes in the order of the input.  Row k waits in held[k % cap]. */
struct row_queue {
	char **held;
	size_t cap;
	unsigned long next; /* the input number printed next (from 1) */
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

struct run {
	/* what runs after a step ends: the engine's, so that the steps need not
	   call up into it */
	void (*next_step)(struct run *R, struct slot *sl);
	struct config cfg;
	struct options *o;
	bool have_target;
	struct host target;
	struct probe_sink sink; /* without --target */
	struct credentials cred; /* from -U */
	bool have_cred;
	/* input */
	char **ops;
	int nops, opi;
	FILE *fp;
	bool fp_is_stdin;
	bool fp_stream; /* a pipe or a terminal: unbuffered, read when ready */
	unsigned long ninput;
	char *line;
	size_t linecap;
	unsigned long lineno; /* of -f FILE, for messages */
	/* a password asked on the terminal, for every server whose user has none */
	bool have_pw;
	char pw[CRED_MAX + 1];
	size_t pwlen;
	const char *held; /* the next URL, held until nothing is in flight (it needs the prompt) */
	bool refused;     /* the input was refused (a usage error): exit 2 */
	bool sent;        /* a connection was attempted: from now on a bad line is
			     that line's own error, never a usage error */
	bool bad_line;    /* the next server is a bad line of the input: */
	char bad_why[480];                /* why (names the file and the line) */
	char bad_label[HOST_MAX + 16];    /* what stands for it as "server" */
	bool bad_long;    /* the bad line is longer than LINE_MAX_LEN */
	bool input_cut;   /* the rest of the input is not read */
	bool input_done;  /* every server of the input has been started */
	bool pw_refused;  /* a password could not be had: no more asking */
	int out_err;      /* a write to stdout failed (errno): the run ends */
	/* engine */
	struct slot *slots;
	int nslots, active;
	bool all_ok;
	bool header_done;
	struct row_queue rows;
	struct probe_progress progress;
};

/* A usage error (probe.c): "sockscope probe: ..." and the synopsis on stderr.
   Returns -1. */
__attribute__((format(printf, 1, 2))) int probe_usage(const char *fmt, ...);

#endif
