/*
 * Whole captures (cli/capture/): frames of any link type through
 * frame_parse_link(), the connection table, reassembly, the flow and every
 * view of a session (conversation, hex view, table row, JSON).
 *
 * Input:
 *   byte 0     bit 7 set: the rest is a capture file (pcap or pcapng) read
 *              by libpcap from memory, its own link type;
 *              else bits 0-2 the link type (modulo 6), bit 3 --sniff,
 *              bit 4 -X, bit 5 -j, bit 6 --absolute-time, and records
 *              follow: caplen (2 bytes), time step in ms (1 byte), then
 *              caplen bytes of frame
 *
 * Each frame is copied into a heap block of exactly its captured length,
 * so a read past it is an ASan report.  Checked: the engine ends every
 * session it began, each with its text, a row and a JSON object.
 */
#include <pcap/pcap.h>

#include "fuzz.h"

#include "capture_engine.h"
#include "frames.h"
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
	if (d->text != NULL)
		CHECK(strlen(d->text) == d->len);
	sv_row(s->null, d->sv);
	j = sv_json(d->sv);
	json_decref(j);
}

static void
run_frames(struct cap_engine *e, enum link_type link, struct reader *r)
{
	int64_t t = 1700000000000000;

	while (r->n >= 3) {
		size_t caplen = rd_u16(r), got;
		t += (int64_t)rd_u8(r) * 1000;
		const uint8_t *p = rd_bytes(r, caplen, &got);
		uint8_t *copy = malloc(got > 0 ? got : 1);
		struct tcp_frame f;
		CHECK(copy != NULL);
		memcpy(copy, p, got);
		if (frame_parse_link(link, copy, got, &f)) {
			CHECK(f.payload_off + f.payload_cap <= got);
			CHECK(f.payload_cap <= f.payload_len);
			cap_packet(e, t, &f, copy + f.payload_off);
		}
		free(copy);
	}
	cap_finish(e, t);
}

static enum link_type
link_of(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: return LINK_ETHERNET;
	case DLT_LINUX_SLL: return LINK_SLL;
	case DLT_LINUX_SLL2: return LINK_SLL2;
	case DLT_NULL: return LINK_NULL;
	case DLT_LOOP: return LINK_LOOP;
	default: return LINK_RAW_IP;
	}
}

static void
run_file(struct cap_engine *e, const uint8_t *p, size_t n)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *fp = fmemopen((void *)(uintptr_t)p, n, "rb");
	pcap_t *pc;
	struct pcap_pkthdr *h;
	const u_char *data;
	int64_t last = 0;

	if (fp == NULL)
		return;
	if ((pc = pcap_fopen_offline(fp, errbuf)) == NULL) {
		fclose(fp);
		return;
	}
	enum link_type link = link_of(pcap_datalink(pc));
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct tcp_frame f;
		int64_t t = cap_time(h->ts.tv_sec, h->ts.tv_usec);
		last = t > last ? t : last;
		if (frame_parse_link(link, data, h->caplen, &f))
			cap_packet(e, t, &f, data + f.payload_off);
	}
	pcap_close(pc);
	cap_finish(e, last);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = {data, size};
	struct seen seen = {0, fopen("/dev/null", "w")};
	uint8_t b0;

	if (size < 1 || seen.null == NULL) {
		if (seen.null != NULL)
			fclose(seen.null);
		return 0;
	}
	b0 = rd_u8(&r);
	struct sv_opts view = { .hex = b0 & 0x10, .verbose = true, .json = b0 & 0x20,
				.absolute = b0 & 0x40 };
	struct cap_config cfg = { .ports = {1080, 9050}, .nports = 2, .sniff = b0 & 0x08,
				  .view = &view, .keep_text = true, .reasm_limit = 4096,
				  .on_done = on_done, .ctx = &seen };
	struct cap_engine *e = cap_new(&cfg);
	CHECK(e != NULL);
	if (b0 & 0x80)
		run_file(e, r.p, r.n);
	else
		run_frames(e, (enum link_type)((b0 & 7) % 6), &r);
	CHECK(cap_open(e) == 0);
	CHECK(seen.done == cap_sessions(e));
	cap_free(e);
	fclose(seen.null);
	return 0;
}
