/*
 * The conversation view (cli/view/session_view.c, session_summary.c), fed
 * by a flow over a session's bytes as a capture front end feeds it: its
 * lines, its table row and its JSON object, with the times given; the
 * password masked unless asked for; each result in one word.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_view.h"
#include "suites.h"

struct feed {
	struct sv_session sv;
	int64_t t;
};

static void
on_event(void *ctx, const struct flow_event *ev)
{
	struct feed *f = ctx;

	sv_event(&f->sv, f->t, ev);
}

#define T0 1700000000000000LL

/* One step of a session: who sends what, at which millisecond. */
struct step {
	int side;
	int ms;
	const char *bytes;
	size_t len;
};

#define STEP(side, ms, s) { side, ms, s, sizeof(s) - 1 }

/* The SOCKS5 session below through a flow into a view; its text in *text. */
static void
run(const struct sv_opts *o, struct feed *f, const struct step *steps, size_t n, char **text)
{
	struct flow fl;
	size_t len;
	FILE *fp = open_memstream(text, &len);

	ck_assert_ptr_nonnull(fp);
	f->t = T0;
	sv_begin(&f->sv, o, fp, 7, "10.0.0.1:40000", "10.0.0.2:1080", T0, false);
	flow_init(&fl, &(struct flow_config){ .on_event = on_event, .ctx = f });
	for (size_t i = 0; i < n; i++) {
		f->t = T0 + steps[i].ms * 1000LL;
		flow_feed(&fl, steps[i].side ? FLOW_SERVER : FLOW_CLIENT,
			  (const uint8_t *)steps[i].bytes, steps[i].len);
	}
	f->t += 1000;
	flow_close(&fl, FLOW_SERVER, FLOW_FIN);
	sv_end(&f->sv, f->t, "FIN both ways");
	ck_assert_int_eq(fclose(fp), 0);
}

static const struct step refused[] = {
	STEP(0, 1, "\x05\x01\x02"),
	STEP(1, 3, "\x05\x02"),
	STEP(0, 4, "\x01\x05" "alice" "\x06" "s3cr3t"),
	STEP(1, 6, "\x01\x00"),
	STEP(0, 7, "\x05\x01\x00\x03\x0b" "example.com" "\x01\xbb"),
	STEP(1, 19, "\x05\x05\x00\x01\x0a\x00\x00\x02\x9c\x41"),
};

START_TEST(conversation_lines)
{
	struct sv_opts o = { .verbose = false };
	struct feed f;
	char *text = NULL;

	run(&o, &f, refused, sizeof(refused) / sizeof(refused[0]), &text);
	ck_assert_ptr_nonnull(strstr(text, "session 7: 10.0.0.1:40000 -> 10.0.0.2:1080, "
					    "2023-11-14 22:13:20.000000 UTC\n"));
	ck_assert_ptr_nonnull(strstr(text, "  +0.004000 -> username/password request: "
					    "UNAME \"alice\", PASSWD ********\n"));
	ck_assert_ptr_nonnull(strstr(text, "  outcome: refused: REP 0x05 connection refused\n"));
	ck_assert_ptr_nonnull(strstr(text, "  latency: greeting -> method 2.000 ms, "
					    "authentication 2.000 ms, request -> reply 12.000 ms\n"));
	/* refused: no tunnel to count */
	ck_assert_ptr_nonnull(strstr(text, "  ended by FIN both ways, 0.020000 s after its "
					    "start\n"));
	ck_assert_ptr_null(strstr(text, "tunnel:"));
	ck_assert_ptr_null(strstr(text, "s3cr3t"));
	ck_assert_str_eq(sv_outcome_word(&f.sv), "refused");
	free(text);
	sv_free(&f.sv);
}
END_TEST

START_TEST(table_row)
{
	struct sv_opts o = { .quiet = true };
	struct feed f;
	char *text = NULL, *row = NULL;
	size_t len;

	run(&o, &f, refused, sizeof(refused) / sizeof(refused[0]), &text);
	ck_assert_str_eq(text, ""); /* quiet: gathered only */
	FILE *fp = open_memstream(&row, &len);
	sv_row(fp, &f.sv);
	fclose(fp);
	ck_assert_str_eq(row, "7    22:13:20.000000 10.0.0.1:40000        10.0.0.2:1080         5   "
			      "CONNECT       alice      example.com:443              proxy  "
			      "10.0.0.2:40001                0         0     0.020  "
			      "refused: REP 0x05 connection refused\n");
	free(text);
	free(row);
	sv_free(&f.sv);
}
END_TEST

START_TEST(one_json_object)
{
	struct sv_opts o = { .quiet = true, .json = true, .show_secrets = (_i == 1) };
	struct feed f;
	char *text = NULL;

	run(&o, &f, refused, sizeof(refused) / sizeof(refused[0]), &text);
	json_t *j = sv_json(&f.sv);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "session")), 7);
	ck_assert_str_eq(json_string_value(json_object_get(j, "version")), "5");
	ck_assert_str_eq(json_string_value(json_object_get(j, "user")), "alice");
	ck_assert_str_eq(json_string_value(json_object_get(j, "target")), "example.com:443");
	ck_assert_str_eq(json_string_value(json_object_get(j, "resolved_by")), "proxy");
	json_t *out = json_object_get(j, "outcome");
	ck_assert_str_eq(json_string_value(json_object_get(out, "result")), "refused");
	ck_assert_int_eq(json_integer_value(json_object_get(out, "code")), 5);
	json_t *lat = json_object_get(j, "latency");
	ck_assert(json_real_value(json_object_get(lat, "request_reply_ms")) == 12.0);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "messages")), 6);
	char *dump = json_dumps(j, 0);
	ck_assert_ptr_nonnull(dump);
	/* the password only with --show-secrets */
	if (_i == 1)
		ck_assert_ptr_nonnull(strstr(dump, "s3cr3t"));
	else
		ck_assert_ptr_null(strstr(dump, "s3cr3t"));
	free(dump);
	json_decref(j);
	free(text);
	sv_free(&f.sv);
}
END_TEST

/* Each result's word, as --outcome takes it. */
START_TEST(outcome_words)
{
	static const struct {
		enum flow_result r;
		const char *word;
	} words[] = {
		{FLOW_RES_GRANTED, "granted"},       {FLOW_RES_REFUSED, "refused"},
		{FLOW_RES_NO_METHOD, "no-method"},   {FLOW_RES_AUTH_FAILED, "auth-failed"},
		{FLOW_RES_OPAQUE, "opaque"},         {FLOW_RES_VIOLATION, "violation"},
		{FLOW_RES_CLOSED, "closed"},
	};
	struct sv_session s;

	memset(&s, 0, sizeof(s));
	ck_assert_str_eq(sv_outcome_word(&s), "undecided");
	s.decided = true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		s.outcome.result = words[i].r;
		ck_assert_str_eq(sv_outcome_word(&s), words[i].word);
	}
}
END_TEST

Suite *
capture_view_suite(void)
{
	Suite *s = suite_create("capture_view");
	TCase *tc = tcase_create("capture_view");

	tcase_add_test(tc, conversation_lines);
	tcase_add_test(tc, table_row);
	tcase_add_loop_test(tc, one_json_object, 0, 2);
	tcase_add_test(tc, outcome_words);
	suite_add_tcase(s, tc);
	return s;
}
