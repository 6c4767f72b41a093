/*
 * Passwords in URLs of every shape (cli/secrets.c): the one rule that finds
 * them masks them for display and blanks them in argv, and what url.c says
 * when it refuses such a URL never holds the password.  Whether a text or
 * the command line may hold a password is decided conservatively.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "secrets.h"
#include "suites.h"
#include "url.h"
#include "why.h"

#define PW "S3cr~t"

/* A URL, what it shows as, what argv holds once blanked, whether it has a
 * password.  Every password here is PW (or empty), so that a leak is found
 * by looking for PW. */
static const struct {
	const char *url, *masked, *blanked;
	bool has;
} shapes[] = {
	/* valid */
	{ "socks5://alice:" PW "@127.0.0.1:1080", "socks5://alice:********@127.0.0.1:1080",
	  "socks5://alice:******@127.0.0.1:1080", true },
	{ "SOCKS5H://alice:" PW "@[::1]:1080", "SOCKS5H://alice:********@[::1]:1080",
	  "SOCKS5H://alice:******@[::1]:1080", true },
	{ "socks5://alice@h", "socks5://alice@h", "socks5://alice@h", false },
	{ "socks5://h:1080", "socks5://h:1080", "socks5://h:1080", false },
	{ "h", "h", "h", false },
	{ "", "", "", false },
	/* the scheme missing */
	{ "alice:" PW "@h:1080", "alice:********@h:1080", "alice:******@h:1080", true },
	/* a typo in the scheme: socks5 reads as the user */
	{ "socks5:/alice:" PW "@h", "socks5:********@h", "socks5:*************@h", true },
	/* '@' before "://" */
	{ "alice:" PW "@socks5://127.0.0.1:1080", "alice:********@socks5://127.0.0.1:1080",
	  "alice:******@socks5://127.0.0.1:1080", true },
	{ "a@http://h", "a@http://h", "a@http://h", false },
	{ "a:" PW "@http://h@x", "a:********@x", "a:***************@x", true },
	/* several '@': the last one ends the user part */
	{ "socks5://alice:" PW "@" PW "@h", "socks5://alice:********@h",
	  "socks5://alice:*************@h", true },
	{ "socks5://al@ice:" PW "@h", "socks5://al@ice:********@h", "socks5://al@ice:******@h", true },
	/* ':' in the password: the first ':' starts it */
	{ "socks5://alice:" PW ":" PW "@h", "socks5://alice:********@h",
	  "socks5://alice:*************@h", true },
	/* percent-escapes, as given */
	{ "socks5://al%3Aice:" PW "%40x@h", "socks5://al%3Aice:********@h",
	  "socks5://al%3Aice:**********@h", true },
	/* empty parts */
	{ "socks5://:" PW "@h", "socks5://:********@h", "socks5://:******@h", true },
	{ "socks5://alice:@h", "socks5://alice:********@h", "socks5://alice:@h", true },
	{ "socks5://@h", "socks5://@h", "socks5://@h", false },
	{ "socks5://alice:" PW "@", "socks5://alice:********@", "socks5://alice:******@", true },
	{ ":" PW "@", ":********@", ":******@", true },
	{ "://:" PW "@", "://:********@", "://:******@", true },
	{ "@", "@", "@", false },
	/* no '@': no user part, so no password (a host and a port) */
	{ "socks5://alice:" PW, "socks5://alice:" PW, "socks5://alice:" PW, false },
};

START_TEST(mask_blank_every_shape)
{
	const char *url = shapes[_i].url;
	char out[256], *arg = strdup(url);

	ck_assert_ptr_nonnull(arg);
	secret_url_mask(url, out, sizeof(out));
	ck_assert_str_eq(out, shapes[_i].masked);
	secret_url_blank(arg);
	ck_assert_str_eq(arg, shapes[_i].blanked);
	ck_assert_uint_eq(strlen(arg), strlen(url));
	ck_assert(secret_url_has_password(url) == shapes[_i].has);
	if (shapes[_i].has) {
		ck_assert_ptr_null(strstr(out, PW));
		ck_assert_ptr_null(strstr(arg, PW));
	}
	free(arg);
}
END_TEST

/* Whatever url.c makes of the URL, what it read as the password is within
 * what is masked, and its refusal quotes none of it. */
START_TEST(parser_never_quotes_the_password)
{
	const char *url = shapes[_i].url;
	struct proxy p;
	char why[400];

	memset(why, 0, sizeof(why));
	if (parse_proxy_url(url, &p, why, sizeof(why)) == 0) {
		ck_assert(!p.cred.has_pass || shapes[_i].has);
	} else if (shapes[_i].has) {
		ck_assert_msg(strstr(why, PW) == NULL, "%s: %s", url, why);
		ck_assert_msg(strstr(why, "S3cr") == NULL, "%s: %s", url, why);
	}
}
END_TEST

/* A buffer too small cuts before or after the password, never through it. */
START_TEST(mask_cut_short)
{
	const char *url = "socks5://alice:" PW "@host.example:1080";
	char out[64];

	for (size_t cap = 1; cap <= sizeof(out); cap++) {
		memset(out, 'Z', sizeof(out));
		secret_url_mask(url, out, cap);
		ck_assert_ptr_nonnull(memchr(out, '\0', cap));
		ck_assert_ptr_null(strstr(out, "S3"));
		ck_assert_ptr_null(strchr(out, '~'));
	}
}
END_TEST

START_TEST(userpass_blank)
{
	char a[] = "alice:" PW ":x", b[] = "alice", c[] = ":" PW, d[] = "";

	secret_userpass_blank(a);
	ck_assert_str_eq(a, "alice:********");
	secret_userpass_blank(b);
	ck_assert_str_eq(b, "alice");
	secret_userpass_blank(c);
	ck_assert_str_eq(c, ":******");
	secret_userpass_blank(d);
	ck_assert_str_eq(d, "");
}
END_TEST

/* A message quotes an argument masked, and at most QUOTE_MAX bytes of it. */
START_TEST(quote_masks_and_cuts)
{
	char q[QUOTE_BUF], big[200];

	ck_assert_str_eq(secret_quote("alice:" PW "@h", q, sizeof(q)), "alice:********@h");
	ck_assert_str_eq(secret_quote("10x", q, sizeof(q)), "10x");
	memset(big, '7', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	ck_assert_str_eq(secret_quote(big, q, sizeof(q)),
			 "7777777777777777777777777777777777777777777777777777777777777777...(199 bytes)");
	memcpy(big + 50, ":" PW "@", strlen(":" PW "@"));
	secret_quote(big, q, sizeof(q));
	ck_assert_ptr_null(strstr(q, "S3"));
	ck_assert_ptr_nonnull(strstr(q, "...(199 bytes)"));
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	memcpy(big + 1, ":" PW "@", strlen(":" PW "@"));
	ck_assert_str_eq(secret_quote(big, q, sizeof(q)),
			 "a:********@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...(199 bytes)");
}
END_TEST

/* Conservative: an '@' anywhere, malformed URLs included, or "pass". */
static const struct {
	const char *text;
	bool may;
} texts[] = {
	{ "socks5://alice:" PW "@h", true },
	{ "alice:" PW "@socks5://127.0.0.1:1080", true },
	{ "a@http://h", true },
	{ "socks5:/alice:" PW "@h", true },
	{ "@", true },
	{ "x@", true },
	{ "socks5://alice@h", true },
	{ "proxy u:pw@socks5://h; send", true },
	{ "set pass hunter2", true },
	{ "set auth.PASSWD x", true },
	{ "source ~/.passwd", true },
	{ "socks5://127.0.0.1:1080", false },
	{ "127.0.0.1", false },
	{ "connect example.com 80", false },
	{ "", false },
};

START_TEST(text_may_hold)
{
	ck_assert_msg(secret_text_may_hold(texts[_i].text) == texts[_i].may, "%s", texts[_i].text);
}
END_TEST

/* The command line as main() sees it, before any parsing. */
START_TEST(args_may_hold)
{
	static const struct {
		const char *argv[5];
		bool may;
	} lines[] = {
		{ { "sockscope", "-x", "user:" PW "@socks5://127.0.0.1:1080", "127.0.0.1", "7" }, true },
		{ { "sockscope", "-x", "a@http://h", "h", "7" }, true },
		{ { "sockscope", "-U", "alice", "-x", "h" }, true },
		{ { "sockscope", "-vzU", "alice:x", "-x", "h" }, true },
		{ { "sockscope", "--proxy-u=alice:x", "-x", "h", "7" }, true },
		{ { "sockscope", "--proxy-user", "alice:x", "h", "7" }, true },
		{ { "sockscope", "decode", "01 05 61", NULL, NULL }, true },
		{ { "sockscope", "-c", "set pass x; send", NULL, NULL }, true },
		{ { "sockscope", "probe", "socks5://alice:x@h", NULL, NULL }, true },
		{ { "sockscope", "-x", "socks5://127.0.0.1:1080", "127.0.0.1", "7" }, false },
		{ { "sockscope", "-v", "--proxy", "h", NULL }, false },
	};

	unsetenv("SOCKSCOPE_PASSWORD");
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		int argc = 0;

		while (argc < 5 && lines[i].argv[argc] != NULL)
			argc++;
		ck_assert_msg(secret_args_may_hold(argc, (char *const *)lines[i].argv) == lines[i].may,
			      "line %zu", i);
	}
	setenv("SOCKSCOPE_PASSWORD", "x", 1);
	ck_assert(secret_args_may_hold(1, (char *const[]){ "sockscope", NULL }));
	unsetenv("SOCKSCOPE_PASSWORD");
}
END_TEST

Suite *
secrets_suite(void)
{
	Suite *s = suite_create("secrets");
	TCase *t = tcase_create("secrets");

	tcase_add_loop_test(t, mask_blank_every_shape, 0, (int)(sizeof(shapes) / sizeof(shapes[0])));
	tcase_add_loop_test(t, parser_never_quotes_the_password, 0,
			    (int)(sizeof(shapes) / sizeof(shapes[0])));
	tcase_add_test(t, mask_cut_short);
	tcase_add_test(t, userpass_blank);
	tcase_add_test(t, quote_masks_and_cuts);
	tcase_add_loop_test(t, text_may_hold, 0, (int)(sizeof(texts) / sizeof(texts[0])));
	tcase_add_test(t, args_may_hold);
	suite_add_tcase(s, t);
	return s;
}
