/* The netcat side: relay stdin/stdout through a granted connection. */
#ifndef SOCKSCOPE_TUNNEL_H
#define SOCKSCOPE_TUNNEL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handshake.h"

#define TUNNEL_CHUNK (64 * 1024)

struct tunnel_result {
	uint64_t up;   /* bytes from stdin to the server */
	uint64_t down; /* bytes from the server to stdout */
	bool interrupted; /* *stop ended it */
	bool stdout_gone; /* stdout's reader went away (EPIPE): an orderly end */
	bool idle;        /* the idle timeout ended it (EXIT_TIMEOUT) */
	int64_t first_down_us; /* now_us() when the first byte came from the server; 0 none */
	char error[300];
	/* Not an error: the server closed both ways right after our half-close,
	 * having answered less than it was sent (see tunnel.c); "" otherwise. */
	char warning[300];
};

/* How the relay ends, besides both directions ending. */
struct tunnel_opts {
	int quit_after_eof_ms; /* -q: end this long after stdin's EOF; -1: wait for the server */
	int idle_ms;           /* --idle-timeout: end when nothing moved this long; -1: never */
	bool no_shutdown;      /* --no-shutdown: stdin's EOF is not passed on (no SHUT_WR) */
	/* NULL, or a flag a SIGINT handler sets (the REPL's ^C): once set, the
	 * relay ends at once, what is queued dropped, and r->interrupted is true. */
	volatile sig_atomic_t *stop;
	/* NULL, or told the bytes moved so far each way about every
	 * TUNNEL_PROGRESS_MS, and once more at the end (done): a progress line.
	 * The relay knows nothing of how it is shown. */
	void (*progress)(void *ctx, uint64_t up, uint64_t down, bool done);
	void *progress_ctx;
};
#define TUNNEL_PROGRESS_MS 250

/* One direction's state; the fields are tunnel.c's. */
struct tunnel_direction {
	const char *name; /* "upload" or "download", for messages */
	int src, dst;
	bool src_is_sock, dst_is_sock;
	bool splice;       /* else copy through buf */
	bool direct;       /* splice src to dst in one call: one of them is a pipe */
	bool wait_dst;     /* direct: dst was full, wait until it is writable */
	size_t chunk;      /* direct: most bytes one splice moves */
	int pipe[2];
	size_t queued;     /* bytes in the pipe or in buf */
	bool pipe_full;    /* splice: the pipe took nothing; wait for dst to drain it */
	bool write_failed; /* the error that ended the direction was dst's */
	size_t bufoff;
	bool eof;          /* src ended */
	bool done;         /* src ended and everything queued was written */
	uint64_t moved;
	uint8_t buf[TUNNEL_CHUNK];
};

/*
 * A relay's whole state, owned by the caller (128 KiB of buffers: on the
 * stack or the heap, as the caller likes); tunnel_run() sets every field.
 */
struct tunnel {
	struct tunnel_direction up, down;
	const struct tunnel_opts *opts;
	struct tunnel_result *r;
	int64_t quit_at;       /* -q's deadline once stdin ended; -1 none */
	int64_t salvage_at;    /* after a failed upload: the download's last chance */
	uint64_t salvage_moved;
	int64_t idle_at;       /* the idle timeout's deadline; -1 none */
	uint64_t activity;     /* what idle_at was last set for (bytes, ends) */
	int64_t halfclosed_at; /* when our SHUT_WR went out; -1 not yet */
	int64_t progress_at;   /* when opts->progress is told next; -1 never */
	uint64_t down_at_halfclose; /* bytes the download had received by then */
	char first_error[300]; /* the upload's error, reported after the salvage */
};

/*
 * Relays until both directions have ended (stdin EOF is passed on as
 * shutdown(SHUT_WR) unless o->no_shutdown), or as o says.  pending: bytes
 * that arrived with the reply, written first.  EPIPE on out_fd (its reader
 * went away, `| head -1`) ends the relay in order: r->stdout_gone.  Another
 * failure to write out_fd is worded "standard output: REASON (...)".
 * Returns EXIT_OK (also when stopped), EXIT_TIMEOUT when the idle timeout
 * ended it (r->idle, r->error set), or EXIT_TUNNEL with r->error set.
 */
int tunnel_run(struct tunnel *t, int sock, const uint8_t *pending, size_t npending, int in_fd,
	       int out_fd, const struct tunnel_opts *o, struct tunnel_result *r);

#endif
