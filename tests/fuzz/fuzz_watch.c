/*
 * watch's view of a session over whatever both sides send: every line it
 * prints, in text (-v, -X, --dump-data) or JSON, is printable ASCII (no byte
 * from the network reaches a terminal raw), and what it keeps for the ^C
 * table (the outcome, the target, the command) is printable and
 * NUL-terminated.  The session has no sockets (-1): a UDP ASSOCIATE reply
 * finds none and is said to pass unchanged.
 *
 * Input:
 *   byte 0     the view: bit 0 -j, bit 1 -v, bit 2 -X, bit 3 --dump-data 8,
 *              bit 4 --show-secrets
 *   records    as fuzz_flow.c: a header byte h, then for data (h & 0x40
 *              clear) (h & 0x3f) + 1 bytes from the application (h & 0x80
 *              clear) or the upstream; h & 0x40 set is a close of that side,
 *              h & 1 a reset
 */
#include "fuzz.h"

#include "watch_int.h"

static struct watch w;
static struct watch_sum sum;
static struct watch_session s;

static void
printable(const char *what, const char *p, size_t n, bool newlines)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\n' && newlines)
			continue;
		if (c < 0x20 || c > 0x7e) {
			fprintf(stderr, "%s: byte 0x%02x at %zu of:\n%.*s\n", what, c, i, (int)n, p);
			abort();
		}
	}
}

static void
run(const uint8_t *data, size_t size)
{
	size_t i = 1;

	memset(&w, 0, sizeof(w));
	memset(&sum, 0, sizeof(sum));
	memset(&s, 0, sizeof(s));
	w.o.json = data[0] & 1;
	w.o.verbose = (data[0] >> 1) & 1;
	w.o.hex = (data[0] >> 2) & 1;
	w.o.dump_data = (data[0] >> 3) & 1 ? 8 : 0;
	w.o.show_secrets = (data[0] >> 4) & 1;
	s.w = &w;
	s.sum = &sum;
	s.app = s.up = s.chain_fd = -1;
	s.first_closer = -1;
	flow_init(&s.flow, &(struct flow_config){.on_event = watch_on_event, .ctx = &s});
	while (i < size) {
		uint8_t h = data[i++];
		enum flow_side side = (h & 0x80) ? FLOW_SERVER : FLOW_CLIENT;

		if (h & 0x40) {
			flow_close(&s.flow, side, (h & 1) ? FLOW_RESET : FLOW_FIN);
			continue;
		}
		size_t n = (size_t)(h & 0x3f) + 1;
		if (n > size - i)
			n = size - i;
		uint8_t *copy = malloc(n ? n : 1); /* a read past what was fed is an ASan report */
		CHECK(copy != NULL);
		memcpy(copy, data + i, n);
		s.dir[side].in += n;
		(void)flow_feed(&s.flow, side, copy, n);
		free(copy);
		i += n;
	}
	watch_udp_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL;
	size_t len = 0;
	FILE *saved = stdout, *mem;

	if (size == 0)
		return 0;
	mem = open_memstream(&out, &len);
	CHECK(mem != NULL);
	stdout = mem; /* what watch prints, to be read back */
	run(data, size);
	stdout = saved;
	CHECK(fclose(mem) == 0);
	printable("output", out, len, true);
	free(out);
	printable("outcome", sum.outcome, strlen(sum.outcome), false);
	printable("target", sum.target, strlen(sum.target), false);
	printable("command", sum.command, strlen(sum.command), false);
	CHECK(sum.version == 0 || sum.version == 4 || sum.version == 5);
	return 0;
}
