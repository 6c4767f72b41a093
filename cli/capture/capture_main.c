/*
 * decode -r FILE / -i IFACE: libpcap reads the packets (the file formats
 * are its to know), frames.c their headers, capture_engine.c the sessions;
 * here, what is shown of each session as it ends, and when to stop.
 *
 * Output: with -v or -X (or --session N, or live) every selected session's
 * conversation; with --sessions the summary table; with -j one JSON object
 * per line.  A file read with none of them shows one session as a
 * conversation and more as the table: the first session's text is kept
 * until a second one ends, then the table takes over.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "capture_engine.h"
#include "capture_opts.h"
#include "capture_text.h"
#include "jansson_dl.h"
#include "json_out.h"
#include "session_view.h"
#include "term.h"

#define EXIT_READ_OK 0
#define EXIT_BAD_INPUT 2
#define EXIT_STDOUT 7
#define SNAPLEN 262144
#define LIVE_TIMEOUT_MS 100

static volatile sig_atomic_t stop_signal;
static pcap_t *volatile live_handle;

/* libpcap waits in poll(2) with no timeout in immediate mode and goes on
 * waiting after EINTR: pcap_breakloop() (safe in a signal handler, it
 * wakes the poll) ends the wait. */
static void
on_signal(int sig)
{
	stop_signal = sig;
	if (live_handle != NULL)
		pcap_breakloop(live_handle);
}

struct run {
	const struct cap_opts *o;
	struct sv_opts view;
	struct cap_engine *e;
	const char *source;     /* the file or interface, for messages */
	unsigned long shown;
	bool table_started;
	char *first_text, *first_row; /* MODE_AUTO: the first session, kept */
	unsigned long packets;
	bool out_of_memory;
	bool broken_pipe;
	int write_errno;        /* why standard output first failed, 0 while it works */
};

static bool
selected(const struct run *r, const struct sv_session *s)
{
	const struct cap_opts *o = r->o;

	if (o->session != 0 && s->number != o->session)
		return false;
	if (o->outcome != NULL && strcmp(o->outcome, sv_outcome_word(s)) != 0)
		return false;
	if (o->client != NULL) {
		size_t n = strlen(o->client);
		const char *c = s->client;
		/* the address alone, or address and port as shown */
		if (c[0] == '[' && strncmp(c + 1, o->client, n) == 0 && c[1 + n] == ']')
			return true;
		if (strncmp(c, o->client, n) != 0 || (c[n] != ':' && c[n] != '\0'))
			return false;
	}
	return true;
}

/* sv_row() as a string, for a row printed later. */
static char *
row_text(const struct sv_session *s)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);

	if (fp == NULL)
		return NULL;
	sv_row(fp, s);
	if (fclose(fp) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

static void
start_table(struct run *r)
{
	if (r->table_started)
		return;
	r->table_started = true;
	cap_stop_text(r->e);
	sv_table_header(stdout);
	if (r->first_row != NULL)
		fputs(r->first_row, stdout);
	free(r->first_text);
	free(r->first_row);
	r->first_text = r->first_row = NULL;
}

static void
show_auto(struct run *r, const struct cap_done *d)
{
	if (r->shown == 1) {
		r->first_row = row_text(d->sv);
		if (d->text != NULL)
			r->first_text = strdup(d->text);
		if (r->first_row == NULL || (d->text != NULL && r->first_text == NULL))
			r->out_of_memory = true;
		return;
	}
	start_table(r);
	sv_row(stdout, d->sv);
}

static void
show_json(struct run *r, const struct cap_done *d)
{
	if (sv_json_write(stdout, d->sv) == 0)
		putchar('\n');
	else if (!ferror(stdout))
		r->out_of_memory = true;
}

static void
on_done(void *ctx, const struct cap_done *d)
{
	struct run *r = ctx;

	if (!selected(r, d->sv))
		return;
	/* -c N: those still open when the Nth ended are not shown */
	if (r->o->count != 0 && r->shown >= r->o->count)
		return;
	r->shown++;
	errno = 0;
	switch (r->o->mode) {
	case MODE_AUTO:
		show_auto(r, d);
		break;
	case MODE_CONVERSE:
		if (d->text != NULL)
			fwrite(d->text, 1, d->len, stdout);
		break;
	case MODE_TABLE:
		start_table(r);
		sv_row(stdout, d->sv);
		break;
	case MODE_JSON:
		show_json(r, d);
		break;
	}
	/* a live capture read by a person shows each session as it ends */
	if (r->o->iface != NULL)
		fflush(stdout);
	/* stdio forgets why a write failed once its buffer is dropped: keep
	 * it for the message.  A reader that went away (head) is an orderly
	 * end, said nowhere. */
	if (ferror(stdout) && r->write_errno == 0) {
		r->write_errno = errno != 0 ? errno : EIO;
		r->broken_pipe = r->write_errno == EPIPE;
	}
}

static int
link_of(int dlt, enum link_type *link)
{
	switch (dlt) {
	case DLT_EN10MB: *link = LINK_ETHERNET; return 0;
	case DLT_LINUX_SLL: *link = LINK_SLL; return 0;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2: *link = LINK_SLL2; return 0;
#endif
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		*link = LINK_RAW_IP; return 0;
	case DLT_NULL: *link = LINK_NULL; return 0;
	case DLT_LOOP: *link = LINK_LOOP; return 0;
	default: return -1;
	}
}

/* The reason libpcap gives, and what it means for a live capture. */
static pcap_t *
open_live(const char *iface, char *errbuf)
{
	pcap_t *p = pcap_create(iface, errbuf);
	int rc;

	if (p == NULL)
		return NULL;
	pcap_set_snaplen(p, SNAPLEN);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	pcap_set_immediate_mode(p, 1);
	rc = pcap_activate(p);
	if (rc >= 0)
		return p;
	if (rc == PCAP_ERROR_PERM_DENIED)
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "capturing needs root or the CAP_NET_RAW "
			 "capability (%s)", pcap_geterr(p));
	else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "no such interface (%s)", pcap_geterr(p));
	else
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
	pcap_close(p);
	return NULL;
}

/* fp: the file -r names, opened (closed here or by libpcap, whatever
 * happens); NULL for -i. */
static pcap_t *
open_source(const struct cap_opts *o, FILE *fp, enum link_type *link)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = fp != NULL ? pcap_fopen_offline(fp, errbuf) : open_live(o->iface, errbuf);
	const char *name = o->file != NULL ? (strcmp(o->file, "-") == 0 ? "standard input" : o->file)
					   : o->iface;

	if (p == NULL) {
		term_say("sockscope", "%s: %s", name, errbuf);
		if (fp != NULL)
			fclose(fp); /* pcap_fopen_offline closes it only once it succeeded */
		return NULL;
	}
	if (link_of(pcap_datalink(p), link) < 0) {
		const char *dlt = pcap_datalink_val_to_name(pcap_datalink(p));
		term_say("sockscope", "%s: link type %s (%d) is not one sockscope reads (Ethernet, "
			 "Linux cooked, raw IP, loopback)", name, dlt != NULL ? dlt : "unknown",
			 pcap_datalink(p));
		pcap_close(p);
		return NULL;
	}
	if (o->filter != NULL) {
		struct bpf_program prog;
		if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
		    pcap_setfilter(p, &prog) < 0) {
			term_say("sockscope", "filter '%s': %s", o->filter, pcap_geterr(p));
			pcap_close(p);
			return NULL;
		}
		pcap_freecode(&prog);
	}
	return p;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* An IP header that claims more than the frame had on the wire (wire
 * bytes, from the record) lies: the snap length cut nothing of what was
 * never sent, so the payload is what the wire held; whether the segment
 * was longer, the other side's acknowledgement tells. */
static void
trust_the_wire(struct tcp_frame *f, bpf_u_int32 caplen, bpf_u_int32 wirelen)
{
	size_t wire = wirelen > caplen ? wirelen : caplen;

	if (wire < f->payload_off)
		wire = f->payload_off;
	if (f->payload_len > wire - f->payload_off)
		f->payload_len = wire - f->payload_off;
	if (f->payload_cap > f->payload_len)
		f->payload_cap = f->payload_len;
}

/* Reads until the end, -c, a signal or an error; returns the exit status. */
static int
read_packets(struct run *r, pcap_t *p, enum link_type link, int64_t *last)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	while (stop_signal == 0 && (r->o->count == 0 || r->shown < r->o->count)) {
		rc = pcap_next_ex(p, &h, &data);
		if (rc == 0)
			continue; /* a live capture's timeout: look at the signals */
		if (rc == PCAP_ERROR_BREAK) /* the file's end, or a signal */
			return EXIT_READ_OK;
		if (rc < 0) {
			term_say("sockscope", "%s: %s (the sessions read so far are shown)",
				 r->source, pcap_geterr(p));
			return EXIT_BAD_INPUT;
		}
		struct tcp_frame f;
		int64_t t = cap_time(h->ts.tv_sec, h->ts.tv_usec);
		if (t > *last)
			*last = t;
		r->packets++;
		if (frame_parse_link(link, data, h->caplen, &f)) {
			trust_the_wire(&f, h->caplen, h->len);
			if (!cap_packet(r->e, t, &f, data + f.payload_off))
				r->out_of_memory = true;
		}
		if (ferror(stdout) || r->broken_pipe || r->out_of_memory)
			return EXIT_READ_OK;
	}
	return EXIT_READ_OK;
}

static void
finish(struct run *r)
{
	if (r->o->mode == MODE_AUTO && !r->table_started && r->first_text != NULL)
		fputs(r->first_text, stdout);
	free(r->first_text);
	free(r->first_row);
	/* a dump decode was given has no --port: decode -r - takes one */
	bool given = r->o->file == NULL && r->o->iface == NULL;
	if (r->shown == 0 && cap_sessions(r->e) > 0)
		term_say("sockscope", "%s: no SOCKS session selected (%u found; none matches the "
			 "selection: --session, --client, --outcome)", r->source,
			 cap_sessions(r->e));
	else if (r->shown == 0)
		term_say("sockscope", "%s: no SOCKS session (%lu packets read; %s)", r->source,
			 r->packets, given ? "decode -r - --port PORT reads it with the proxy's port"
					   : "--port names the proxy's port, --sniff looks on every port");
	else if (r->o->iface != NULL)
		term_say("sockscope", "%s: %lu packets, %u sessions, %lu shown", r->source,
			 r->packets, cap_sessions(r->e), r->shown);
}

/* Packets the kernel dropped, its ring full (a busy interface, a FILTER
 * too wide or none): the gaps the sessions show then have this cause. */
static void
report_drops(const struct run *r, pcap_t *p)
{
	struct pcap_stat st;

	if (r->o->iface != NULL && pcap_stats(p, &st) == 0 && st.ps_drop > 0)
		term_say("sockscope", "%s: %u packets dropped by the kernel before sockscope read "
			 "them (a FILTER keeps fewer)", r->source, st.ps_drop);
}

/* The end of a run that read its source with status rc, last the time of
 * its last packet. */
static int
conclude(struct run *r, int rc, int64_t last)
{
	if (!r->broken_pipe)
		cap_finish(r->e, last);
	if (!r->broken_pipe)
		finish(r);
	else
		clearerr(stdout);
	if (r->out_of_memory) {
		fprintf(stderr, "sockscope: out of memory\n");
		rc = EXIT_BAD_INPUT;
	}
	if (r->write_errno != 0 && !r->broken_pipe) {
		fflush(stdout);
		fprintf(stderr, "sockscope: standard output: %s\n", strerror(r->write_errno));
		return EXIT_STDOUT;
	}
	return term_stdout_status(rc);
}

static int
run_capture(struct run *r, FILE *fp)
{
	enum link_type link;
	int64_t last = 0;
	pcap_t *p;

	/* Before the capture opens: a signal sent once it is open (a script's
	 * `kill -INT` when the packet socket appears) must find the handler,
	 * not the SIG_IGN a background job of a shell inherits. */
	if (r->o->iface != NULL)
		catch_signals();
	if ((p = open_source(r->o, fp, &link)) == NULL)
		return EXIT_BAD_INPUT;
	if (r->o->iface != NULL)
		live_handle = p;
	int rc = read_packets(r, p, link, &last);
	live_handle = NULL;
	report_drops(r, p);
	pcap_close(p);
	return conclude(r, rc, last);
}

/* A text dump's packets, all at time 0: what the dump holds is said first
 * (on standard error with -j, whose standard output is JSON only). */
static int
run_text(struct run *r, const struct hex_input *in, const struct cap_text *t)
{
	char what[512];

	cap_text_describe(t, what, sizeof(what));
	if (r->o->mode == MODE_JSON)
		term_say("sockscope", "%s: %s", r->source, what);
	else
		printf("(%s)\n", what);
	r->packets = t->shape == HEX_SHAPE_FOLLOW ? in->nsegs : t->frames;
	if (!cap_text_feed(r->e, in, t))
		r->out_of_memory = true;
	return conclude(r, EXIT_READ_OK, 0);
}

/* Runs the options; given: a text dump decode read (NULL: -r or -i). */
static int
run_opts(struct cap_opts *o, const char *source, const struct hex_input *given)
{
	struct run r;
	struct hex_input own;
	struct cap_text t;
	const struct hex_input *text = given;
	FILE *fp = NULL;
	char why[256];
	int rc = EXIT_BAD_INPUT;

	memset(&r, 0, sizeof(r));
	memset(&own, 0, sizeof(own));
	r.o = o;
	r.source = source;
	if (o->mode == MODE_JSON && jansson_dl_load(why, sizeof(why)) < 0) {
		term_say("sockscope", "-j: %s", why);
		return EXIT_BAD_INPUT;
	}
	if (given == NULL && o->file != NULL) {
		int kind = cap_open_file(o->file, source, &fp, &own);
		if (kind < 0)
			return EXIT_BAD_INPUT;
		if (kind == 1)
			text = &own;
	}
	if (text != NULL && (!cap_text_scan(text, &t) || o->filter != NULL)) {
		if (o->filter != NULL)
			term_say("sockscope", "%s is a text dump: a FILTER ('%s') applies to capture "
				 "files only", source, o->filter);
		goto out;
	}
	r.view = (struct sv_opts){ .hex = o->hex, .verbose = o->verbose, .absolute = o->absolute,
				   .show_secrets = o->show_secrets,
				   .color = term_wants_color(o->color, stdout),
				   .json = o->mode == MODE_JSON, .untimed = text != NULL,
				   .quiet = o->mode == MODE_JSON || o->mode == MODE_TABLE };
	struct cap_config cfg = { .nports = o->nports, .sniff = o->sniff, .view = &r.view,
				  .keep_text = o->mode == MODE_AUTO || o->mode == MODE_CONVERSE,
				  .on_done = on_done, .ctx = &r };
	memcpy(cfg.ports, o->ports, sizeof(o->ports));
	if (text != NULL)
		cap_text_config(&t, &cfg);
	if ((r.e = cap_new(&cfg)) == NULL) {
		fprintf(stderr, "sockscope: out of memory\n");
		goto out;
	}
	rc = text != NULL ? run_text(&r, text, &t) : run_capture(&r, fp);
	fp = NULL; /* libpcap closed it */
	cap_free(r.e);
out:
	if (fp != NULL)
		fclose(fp);
	hex_input_free(&own);
	return rc;
}

int
capture_main(int argc, char **argv)
{
	struct cap_opts o;
	int rc = cap_options(argc, argv, &o);

	if (rc != 0)
		return rc - 1;
	rc = run_opts(&o, o.file != NULL ? (strcmp(o.file, "-") == 0 ? "standard input" : o.file)
					 : o.iface, NULL);
	free(o.filter);
	return rc;
}

int
capture_text_main(const struct hex_input *in, bool json, bool show_secrets,
		  enum color_when color)
{
	struct cap_opts o = { .nports = 2, .ports = {1080, 9050}, .sniff = true, .json = json,
			      .show_secrets = show_secrets, .color = color,
			      .mode = json ? MODE_JSON : MODE_AUTO };

	return run_opts(&o, "the dump", in);
}
