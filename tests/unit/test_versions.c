/*
 * The versions table (cli/core/versions.c) and the URL parser that reads
 * it: every scheme names its row, the facts agree with the protocol, and a
 * parsed URL's version has the scheme it was written with.
 */
#include <check.h>
#include <string.h>

#include "suites.h"
#include "url.h"
#include "versions.h"

static const char *const schemes[] = { "socks4", "socks4a", "socks5", "socks5h" };

START_TEST(every_scheme_round_trips)
{
	const char *s = schemes[_i];
	const struct version_facts *f = version_by_scheme(s, strlen(s));

	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->scheme, s);
	ck_assert_ptr_eq(version_facts(f->version), f);
	ck_assert_str_eq(socks_version_scheme(f->version), s);
}
END_TEST

START_TEST(schemes_are_matched_whole_and_case_aside)
{
	ck_assert_ptr_nonnull(version_by_scheme("SOCKS5H", 7));
	ck_assert_int_eq(version_by_scheme("SoCkS4a", 7)->version, SOCKS4A);
	ck_assert_int_eq(version_by_scheme("socks5h", 6)->version, SOCKS5);
	ck_assert_ptr_null(version_by_scheme("socks", 5));
	ck_assert_ptr_null(version_by_scheme("http", 4));
	ck_assert_ptr_null(version_by_scheme("", 0));
}
END_TEST

START_TEST(facts_follow_the_protocol)
{
	for (size_t i = 0; i < 4; i++) {
		const struct version_facts *f = version_by_scheme(schemes[i], strlen(schemes[i]));
		const struct version_facts *t = version_facts(f->twin);

		/* the twin speaks the same protocol with the other resolver */
		ck_assert_int_eq(t->wire, f->wire);
		ck_assert(t->proxy_resolves != f->proxy_resolves);
		ck_assert_int_eq(t->twin, f->version);
		/* RFC 1929 and IPv6 are SOCKS5's; only SOCKS4 proper carries no name */
		ck_assert(f->has_password == (f->wire == 5));
		ck_assert(f->has_ipv6 == (f->wire == 5));
		ck_assert(f->has_name == (f->version != SOCKS4));
		ck_assert(version_is_socks5(f->version) == (f->wire == 5));
		ck_assert(version_proxy_resolves(f->version) == (schemes[i][strlen(schemes[i]) - 1] == 'a' ||
								  schemes[i][strlen(schemes[i]) - 1] == 'h'));
	}
	ck_assert_str_eq(version_facts(SOCKS4A)->title, "SOCKS4a");
	ck_assert_str_eq(version_facts(SOCKS5H)->title, "SOCKS5");
}
END_TEST

START_TEST(a_parsed_url_has_its_schemes_version)
{
	static const struct {
		const char *url;
		enum socks_version v;
	} cases[] = {
		{ "socks4://h", SOCKS4 },   { "SOCKS4A://h:1", SOCKS4A }, { "socks5://h", SOCKS5 },
		{ "socks5h://h", SOCKS5H }, { "h:1080", SOCKS5H },         { "[::1]:1", SOCKS5H },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proxy p;
		char why[300];

		ck_assert_msg(parse_proxy_url(cases[i].url, &p, why, sizeof(why)) == 0, "%s: %s",
			      cases[i].url, why);
		ck_assert_int_eq(p.version, cases[i].v);
	}
}
END_TEST

Suite *
versions_suite(void)
{
	Suite *s = suite_create("versions");
	TCase *tc = tcase_create("facts");

	tcase_add_loop_test(tc, every_scheme_round_trips, 0, 4);
	tcase_add_test(tc, schemes_are_matched_whole_and_case_aside);
	tcase_add_test(tc, facts_follow_the_protocol);
	tcase_add_test(tc, a_parsed_url_has_its_schemes_version);
	suite_add_tcase(s, tc);
	return s;
}
