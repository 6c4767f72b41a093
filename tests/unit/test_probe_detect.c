/* probe's detection of peers that are not SOCKS (cli/probe_detect.c), by
 * their bytes: an echo service sends back the step's first message; a real
 * answer, or the start of one, is no echo. */
#include <check.h>
#include <string.h>

#include "probe_detect.h"
#include "suites.h"
#include "testutil.h"

/* Whether `in` is taken for an echo of `sent` (both hex); d filled when so. */
static bool
echo_of(const char *sent_hex, const char *in_hex, struct detection *d)
{
	uint8_t sent[64], in[64];
	size_t ns = hexbytes(sent_hex, sent, sizeof(sent));
	size_t ni = hexbytes(in_hex, in, sizeof(in));

	memset(d, 0, sizeof(*d));
	return probe_detect_echo(sent, ns, in, ni, d);
}

START_TEST(greeting_sent_back_is_an_echo)
{
	struct detection d;

	ck_assert(echo_of("05 01 00", "05 01 00", &d));
	ck_assert_int_eq(d.oc, OC_NOT_SOCKS);
	ck_assert_int_eq(d.peer, PEER_ECHO);
	ck_assert_str_eq(d.detail, "sent back what was sent: 05 01 00");
	ck_assert_str_eq(probe_peer_names[d.peer], "echo");
	ck_assert_str_eq(probe_peer_words[d.peer], "it echoes");
}
END_TEST

START_TEST(socks4_request_sent_back_is_an_echo)
{
	struct detection d;

	/* CONNECT 127.0.0.1:1080, empty USERID */
	ck_assert(echo_of("04 01 04 38 7f 00 00 01 00", "04 01 04 38 7f 00 00 01 00", &d));
	ck_assert_int_eq(d.peer, PEER_ECHO);
}
END_TEST

/* More after the echo (the next message of a chatty peer) is still one. */
START_TEST(echo_followed_by_more)
{
	struct detection d;

	ck_assert(echo_of("05 01 02", "05 01 02 05 01 02", &d));
	ck_assert_str_eq(d.detail, "sent back what was sent: 05 01 02 05 01 02");
}
END_TEST

/* Real answers: a method selection, even one equal to the greeting's first
 * two bytes (05 01 to a greeting offering GSSAPI), a SOCKS4 reply. */
START_TEST(answers_are_no_echo)
{
	struct detection d;

	ck_assert(!echo_of("05 01 00", "05 00", &d));
	ck_assert(!echo_of("05 01 01", "05 01", &d));
	ck_assert(!echo_of("05 01 00", "05 ff", &d));
	ck_assert(!echo_of("04 01 04 38 7f 00 00 01 00", "00 5a 04 38 7f 00 00 01", &d));
	ck_assert(!echo_of("05 01 00", "05 01 01", &d));
	ck_assert(!echo_of("05 01 00", "", &d));
}
END_TEST

Suite *
probe_detect_suite(void)
{
	Suite *s = suite_create("probe_detect");
	TCase *tc = tcase_create("echo");

	tcase_add_test(tc, greeting_sent_back_is_an_echo);
	tcase_add_test(tc, socks4_request_sent_back_is_an_echo);
	tcase_add_test(tc, echo_followed_by_more);
	tcase_add_test(tc, answers_are_no_echo);
	suite_add_tcase(s, tc);
	return s;
}
