/*
 * tshark text dumps as captures (cli/capture/capture_text.c): text through
 * hexparse, the scan and the packets it makes (a follow dump's synthetic
 * connection between the ends its Node lines name, a frame dump's frames),
 * the engine and every view of a session, untimed.
 *
 * Input: byte 0: bit 0 --sniff (decode's own), bit 1 -X, bit 2 -j; then
 * the text.
 *
 * Checked: a dump the scan accepts is follow output or holds a frame; the
 * follow ends are of one family; what the scan adds to the ports stays
 * within CAP_PORTS_MAX; the engine ends every session it began, each with
 * its text, a row and a JSON object, and no time is printed.
 */
#include "fuzz.h"

#include "capture_engine.h"
#include "capture_text.h"
#include "hexparse.h"
#include "session_view.h"

struct seen {
	unsigned done;
	FILE *null;
};

static void
on_done(void *ctx, const struct cap_done *d)
{
	struct seen *s = ctx;
	json_t *j;

	s->done++;
	CHECK(d->sv != NULL);
	if (d->text != NULL) {
		CHECK(strlen(d->text) == d->len);
		CHECK(strstr(d->text, "latency:") == NULL);
	}
	sv_row(s->null, d->sv);
	j = sv_json(d->sv);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hexparse_error err;
	struct hex_input in;
	struct cap_text t;

	if (size < 1)
		return 0;
	uint8_t b0 = data[0];
	char *text = malloc(size); /* exactly the text: a read past it is an ASan report */
	CHECK(text != NULL);
	memcpy(text, data + 1, size - 1);
	int rc = hex_parse_input(text, size - 1, &in, &err);
	free(text);
	if (rc != 0)
		return 0;
	if (!cap_text_scan(&in, &t)) {
		CHECK(in.shape != HEX_SHAPE_FOLLOW);
		hex_input_free(&in);
		return 0;
	}
	CHECK(t.shape == HEX_SHAPE_FOLLOW || t.frames > 0);
	CHECK(t.conns <= HEX_FOLLOW_MAX && t.placeholders <= t.conns);
	CHECK(t.shape != HEX_SHAPE_FOLLOW || t.conns >= 1);
	for (size_t k = 0; k < t.conns; k++)
		CHECK(t.block[k] < in.nblocks && t.end[k][0].alen == t.end[k][1].alen &&
		      (t.end[k][0].alen == 4 || t.end[k][0].alen == 16));
	CHECK(t.nopened <= CAP_PORTS_MAX);

	struct seen seen = {0, fopen("/dev/null", "w")};
	CHECK(seen.null != NULL);
	struct sv_opts view = { .hex = b0 & 2, .verbose = true, .json = b0 & 4, .untimed = true };
	struct cap_config cfg = { .ports = {1080, 9050}, .nports = 2, .sniff = b0 & 1,
				  .view = &view, .keep_text = true, .reasm_limit = 4096,
				  .on_done = on_done, .ctx = &seen };
	cap_text_config(&t, &cfg);
	CHECK(cfg.nports <= CAP_PORTS_MAX);
	struct cap_engine *e = cap_new(&cfg);
	CHECK(e != NULL);
	cap_text_feed(e, &in, &t);
	cap_finish(e, 0);
	CHECK(cap_open(e) == 0);
	CHECK(seen.done == cap_sessions(e));
	cap_free(e);
	fclose(seen.null);
	hex_input_free(&in);
	return 0;
}
