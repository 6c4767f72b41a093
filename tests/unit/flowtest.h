/*
 * Feeding transcripts to the flow and writing its events as short lines,
 * for test_flow.c and test_hints.c.
 *
 * A transcript (a file in tests/transcripts/) is one line per chunk as it was
 * read: "C <hex>" for what the client sent, "S <hex>" for the server,
 * "C close fin" / "S close reset" for closes; '#' lines are comments.
 *
 * An event is written as one line: "C greeting@0", "phase reply",
 * "outcome refused 0x5b", "S anomaly VN@0", "S hint ssh 'SSH-2.0-x'",
 * "C tunnel 4@13" (consecutive tunnel events of a side are merged, so the
 * lines do not depend on how the bytes were cut), "S close fin in tunnel".
 */
#ifndef SOCKSCOPE_TESTS_UNIT_FLOWTEST_H
#define SOCKSCOPE_TESTS_UNIT_FLOWTEST_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

#define FT_MAX_CHUNKS 64
#define FT_CHUNK_MAX 4096
#define FT_MAX_EVENTS 64
#define FT_LINE 160

struct ft_chunk {
	enum flow_side side;
	bool is_close;
	enum flow_close_kind close;
	size_t len;
	uint8_t bytes[FT_CHUNK_MAX];
};

struct ft_transcript {
	size_t n;
	struct ft_chunk chunks[FT_MAX_CHUNKS];
};

struct ft_events {
	size_t n;
	char lines[FT_MAX_EVENTS][FT_LINE];
	/* Each side's stream as fed, to check tunnel bytes against. */
	uint8_t stream[2][16384];
	size_t nstream[2];
	bool last_tunnel[2];
	uint64_t tunnel_end[2];
};

/* Reads tests/transcripts/<name>; fails the test when it cannot. */
void ft_load(const char *name, struct ft_transcript *t);

/*
 * Feeds every chunk to a fresh flow (version 0: sniffed), each chunk cut
 * into pieces of at most `piece` bytes, or at `split` (piece 0).
 */
void ft_run(const struct ft_transcript *t, int version, size_t piece, size_t split,
	    struct ft_events *out);

/* Fails the test unless got holds exactly the expected lines (NULL-ended). */
void ft_expect(const char *what, const struct ft_events *got, const char *const *want);

/* The hint's short name, as in event lines: "ssh", "http-request". */
const char *ft_hint_name(enum hint_id id);

#endif
