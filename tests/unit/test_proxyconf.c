/*
 * Where proxies come from (cli/core/proxyconf.c, proxychoice.c): the
 * config file's statements and refusals at file:line; -x over the config's
 * default over the environment; @NAME standing for a chain; netrc's
 * credentials put into the URL; readable files that hold a password.
 * Files live in a scratch directory that HOME and XDG_CONFIG_HOME point to.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proxyconf.h"
#include "suites.h"

static int
conf_of(const char *text, struct proxyconf *pc, char *why)
{
	return proxyconf_parse(text, strlen(text), "c", pc, why, 600);
}

START_TEST(config_statements)
{
	struct proxyconf pc;
	char why[600];
	const struct proxyconf_entry *e;
	const char *text = "# named proxies\n"
			   "proxy work socks5h://alice@proxy.example:1080\n"
			   "default chain   # may come before its proxy\n"
			   "proxy chain socks5://10.0.0.1 \"socks4a://u@10.0.0.2:1081\"\n";

	ck_assert_int_eq(conf_of(text, &pc, why), 0);
	ck_assert_uint_eq(pc.n, 2);
	ck_assert(!pc.has_password);
	e = proxyconf_find(&pc, "work");
	ck_assert_int_eq(e->nurls, 1);
	ck_assert_str_eq(e->urls[0], "socks5h://alice@proxy.example:1080");
	ck_assert_uint_eq(e->line, 2);
	e = proxyconf_find(&pc, "chain");
	ck_assert_int_eq(e->nurls, 2);
	ck_assert_str_eq(e->urls[1], "socks4a://u@10.0.0.2:1081");
	ck_assert_int_eq(pc.default_index, 1);
	ck_assert_uint_eq(pc.default_line, 3);
	ck_assert_ptr_null(proxyconf_find(&pc, "Work"));
	proxyconf_free(&pc);
	ck_assert_int_eq(conf_of("proxy p socks5://u:pw@h\n", &pc, why), 0);
	ck_assert(pc.has_password);
	ck_assert_int_eq(pc.default_index, -1);
	proxyconf_free(&pc);
}
END_TEST

static const struct {
	const char *text, *why;
} conf_refusals[] = {
	{ "proxy", "c:1: proxy: give a NAME and at least one URL" },
	{ "\nproxy work", "c:2: proxy: give a NAME and at least one URL" },
	{ "proxy w/x socks5://h", "c:1: bad name 'w/x' (1 to 64 letters, digits, '.', '_' or '-')" },
	{ "proxy a socks5://h\nproxy a socks5://i", "c:2: proxy a: already defined at line 1" },
	{ "proxy a http://h", "c:1: proxy a, URL 1: bad proxy 'http://': the scheme is socks4, socks4a, socks5 or socks5h" },
	{ "proxy a socks5://h @b", "c:1: proxy a, URL 2: '@...' names a proxy, and a proxy here lists URLs only" },
	{ "prxy a socks5://h", "c:1: unknown statement 'prxy' (proxy, default)" },
	{ "default", "c:1: default: give one NAME" },
	{ "default a b", "c:1: default: give one NAME" },
	{ "default nowhere", "c:1: default nowhere: no proxy of that name" },
	{ "proxy a h\ndefault a\ndefault a", "c:3: default: already given at line 2" },
	{ "proxy a 1 2 3 4 5 6 7 8 9", "c:1: more than 8 hops in a chain" },
	{ "proxy a \"socks5://h", "c:1: unterminated quote" },
};

START_TEST(config_refuses_with_file_line)
{
	struct proxyconf pc;
	char why[600];

	ck_assert_int_eq(conf_of(conf_refusals[_i].text, &pc, why), -1);
	ck_assert_str_eq(why, conf_refusals[_i].why);
	ck_assert_uint_eq(pc.n, 0);
}
END_TEST

/* ------------------------------------------------ choosing, with files */

static char scratch[] = "/tmp/sockscope-unit-XXXXXX";
static char *saved_home, *saved_xdg; /* put back: with CK_FORK=no the next suites share the process */

static void
write_file(const char *rel, const char *text, mode_t mode)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", scratch, rel);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void
setup_files(void)
{
	char dir[512];

	ck_assert_ptr_nonnull(mkdtemp(scratch));
	snprintf(dir, sizeof(dir), "%s/sockscope", scratch);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	saved_xdg = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
	setenv("HOME", scratch, 1);
	setenv("XDG_CONFIG_HOME", scratch, 1);
	unsetenv("socks_proxy");
	unsetenv("SOCKS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	write_file("sockscope/config",
		   "proxy work socks5h://work.example:1080\n"
		   "proxy two socks5://one.example socks4a://two.example:1081\n"
		   "default work\n", 0644);
	write_file(".netrc", "machine work.example login alice password \"p@ss w:rd\"\n"
			     "machine one.example login bob\n", 0600);
}

static void
teardown_files(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(scratch + strlen(scratch) - 6, "XXXXXX", 6);
	if (saved_home != NULL)
		setenv("HOME", saved_home, 1);
	else
		unsetenv("HOME");
	if (saved_xdg != NULL)
		setenv("XDG_CONFIG_HOME", saved_xdg, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	free(saved_home);
	free(saved_xdg);
	unsetenv("ALL_PROXY");
}

static int
choose(const char *x1, const char *x2, bool want_default, const char *user,
       struct proxy_choice *pc, char *why)
{
	char *given[2] = { (char *)x1, (char *)x2 };

	return proxyconf_choose(given, x1 == NULL ? 0 : x2 == NULL ? 1 : 2, want_default, user,
				NULL, pc, why, 600);
}

START_TEST(x_wins_then_default_then_environment)
{
	struct proxy_choice pc;
	char why[600];

	setenv("ALL_PROXY", "socks5://env.example:9", 1);
	/* -x, given as it is (and the caller's own string) */
	ck_assert_int_eq(choose("socks4://x.example", NULL, true, NULL, &pc, why), 0);
	ck_assert_int_eq(pc.n, 1);
	ck_assert_str_eq(pc.urls[0], "socks4://x.example");
	ck_assert(!pc.owned[0]);
	proxy_choice_free(&pc);
	/* no -x: the config's default, credentials from netrc percent-encoded */
	ck_assert_int_eq(choose(NULL, NULL, true, NULL, &pc, why), 0);
	ck_assert_int_eq(pc.n, 1);
	ck_assert_str_eq(pc.urls[0], "socks5h://alice:p%40ss%20w%3Ard@work.example:1080");
	ck_assert_ptr_nonnull(strstr(pc.notes, "(default work)"));
	ck_assert_ptr_nonnull(strstr(pc.notes, "credentials for work.example from"));
	ck_assert_ptr_null(strstr(pc.notes, "p%40ss"));
	proxy_choice_free(&pc);
	/* no default in the config: the environment */
	write_file("sockscope/config", "proxy work socks5h://work.example:1080\n", 0600);
	ck_assert_int_eq(choose(NULL, NULL, true, NULL, &pc, why), 0);
	ck_assert_str_eq(pc.urls[0], "socks5://env.example:9");
	ck_assert_str_eq(pc.notes, "proxy socks5://env.example:9 from ALL_PROXY\n");
	proxy_choice_free(&pc);
	/* the REPL asks for no default */
	ck_assert_int_eq(choose(NULL, NULL, false, NULL, &pc, why), 0);
	ck_assert_int_eq(pc.n, 0);
}
END_TEST

START_TEST(a_name_stands_for_a_chain)
{
	struct proxy_choice pc;
	char why[600];

	ck_assert_int_eq(choose("@two", "socks5://last.example", true, NULL, &pc, why), 0);
	ck_assert_int_eq(pc.n, 3);
	ck_assert_str_eq(pc.urls[0], "socks5://bob@one.example"); /* netrc: a login, no password */
	ck_assert_str_eq(pc.urls[1], "socks4a://two.example:1081");
	ck_assert_str_eq(pc.urls[2], "socks5://last.example");
	proxy_choice_free(&pc);
	ck_assert_int_eq(choose("@nope", NULL, true, NULL, &pc, why), -1);
	ck_assert_ptr_nonnull(strstr(why, "-x @nope: "));
	ck_assert_ptr_nonnull(strstr(why, "/sockscope/config names no such proxy"));
}
END_TEST

START_TEST(credentials_precedence)
{
	struct proxy_choice pc;
	char why[600];

	/* the URL's password wins */
	ck_assert_int_eq(choose("socks5://u:mine@work.example", NULL, true, NULL, &pc, why), 0);
	ck_assert_str_eq(pc.urls[0], "socks5://u:mine@work.example");
	proxy_choice_free(&pc);
	/* -U's password covers a hop without a user */
	ck_assert_int_eq(choose("work.example", NULL, true, "u:pw", &pc, why), 0);
	ck_assert_str_eq(pc.urls[0], "work.example");
	proxy_choice_free(&pc);
	/* -U's user without a password: netrc's password for that login only */
	ck_assert_int_eq(choose("work.example", NULL, true, "alice", &pc, why), 0);
	ck_assert_str_eq(pc.urls[0], "alice:p%40ss%20w%3Ard@work.example");
	proxy_choice_free(&pc);
	ck_assert_int_eq(choose("work.example", NULL, true, "mallory", &pc, why), 0);
	ck_assert_str_eq(pc.urls[0], "work.example");
	proxy_choice_free(&pc);
	/* the URL's user picks the entry */
	ck_assert_int_eq(choose("socks5://alice@work.example", NULL, true, NULL, &pc, why), 0);
	ck_assert_str_eq(pc.urls[0], "socks5://alice:p%40ss%20w%3Ard@work.example");
	proxy_choice_free(&pc);
}
END_TEST

START_TEST(readable_files_with_a_password_are_refused)
{
	struct proxy_choice pc;
	char why[600], *given[1] = { (char *)"work.example" }, path[600];

	/* ~/.netrc readable by others: not used, and said */
	write_file(".netrc", "machine work.example login alice password pw\n", 0644);
	ck_assert_int_eq(choose("work.example", NULL, true, NULL, &pc, why), 0);
	ck_assert_str_eq(pc.urls[0], "work.example");
	ck_assert_ptr_nonnull(strstr(pc.warning, "/.netrc: mode 0644 lets others read the password"));
	proxy_choice_free(&pc);
	/* --netrc-file FILE: the user's demand, refused as an error */
	snprintf(path, sizeof(path), "%s/.netrc", scratch);
	ck_assert_int_eq(proxyconf_choose(given, 1, true, NULL, path, &pc, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "mode 0644"));
	/* a config file with a password, readable: refused when read */
	write_file("sockscope/config", "proxy w socks5://u:pw@h\n", 0604);
	ck_assert_int_eq(choose("@w", NULL, true, NULL, &pc, why), -1);
	ck_assert_ptr_nonnull(strstr(why, "/sockscope/config: mode 0604 lets others read"));
	/* without a password, the mode is the user's business */
	write_file("sockscope/config", "proxy w socks5://u@h\n", 0644);
	ck_assert_int_eq(choose("@w", NULL, true, NULL, &pc, why), 0);
	proxy_choice_free(&pc);
	/* --netrc-file that does not exist */
	snprintf(path, sizeof(path), "%s/none", scratch);
	ck_assert_int_eq(proxyconf_choose(given, 1, true, NULL, path, &pc, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "none: no such file"));
}
END_TEST

static const struct {
	const char *var, *value;
	int rc;
	const char *want; /* the variable used, or the refusal's start */
} env_cases[] = {
	{ "ALL_PROXY", "socks5h://h:1080", 0, "ALL_PROXY" },
	{ "all_proxy", "socks4://h", 0, "all_proxy" },
	{ "socks_proxy", "socks5://h", 0, "socks_proxy" },
	{ "ALL_PROXY", "http://u:secret@h:3128", -1, "ALL_PROXY='http://u:********@h:3128' is an HTTP proxy" },
	{ "ALL_PROXY", "HTTPS://h", -1, "ALL_PROXY='HTTPS://h' is an HTTP proxy" },
	{ "ALL_PROXY", "h:1080", -1, "ALL_PROXY='h:1080' has no scheme, which curl reads as an HTTP proxy" },
	{ "ALL_PROXY", "", 0, NULL },
	{ "SOCKS_PROXY", "ftp://h", -1, "SOCKS_PROXY='ftp://h': the scheme is socks4, socks4a, socks5 or socks5h" },
	{ "ALL_PROXY", "SOCKS5H://h", 0, "ALL_PROXY" },
};

START_TEST(environment_as_curl_reads_it)
{
	const char *var, *value;
	char why[600];
	int rc;

	unsetenv("socks_proxy");
	unsetenv("SOCKS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	setenv(env_cases[_i].var, env_cases[_i].value, 1);
	rc = proxyconf_env(&var, &value, why, sizeof(why));
	ck_assert_int_eq(rc, env_cases[_i].rc);
	if (rc < 0)
		ck_assert_msg(strncmp(why, env_cases[_i].want, strlen(env_cases[_i].want)) == 0, "%s",
			      why);
	else if (env_cases[_i].want == NULL)
		ck_assert_ptr_null(var);
	else
		ck_assert_str_eq(var, env_cases[_i].want);
	unsetenv(env_cases[_i].var);
}
END_TEST

START_TEST(environment_order)
{
	const char *var, *value;
	char why[600];

	setenv("ALL_PROXY", "socks5://all-upper", 1);
	setenv("all_proxy", "socks5://all-lower", 1);
	ck_assert_int_eq(proxyconf_env(&var, &value, why, sizeof(why)), 0);
	ck_assert_str_eq(var, "all_proxy");
	setenv("SOCKS_PROXY", "socks5://socks-upper", 1);
	ck_assert_int_eq(proxyconf_env(&var, &value, why, sizeof(why)), 0);
	ck_assert_str_eq(value, "socks5://socks-upper");
	setenv("socks_proxy", "socks5://socks-lower", 1);
	ck_assert_int_eq(proxyconf_env(&var, &value, why, sizeof(why)), 0);
	ck_assert_str_eq(var, "socks_proxy");
	unsetenv("ALL_PROXY");
	unsetenv("all_proxy");
	unsetenv("SOCKS_PROXY");
	unsetenv("socks_proxy");
}
END_TEST

Suite *
proxyconf_suite(void)
{
	Suite *s = suite_create("proxyconf");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, config_statements);
	tcase_add_loop_test(tc, config_refuses_with_file_line, 0,
			    (int)(sizeof(conf_refusals) / sizeof(conf_refusals[0])));
	tcase_add_loop_test(tc, environment_as_curl_reads_it, 0,
			    (int)(sizeof(env_cases) / sizeof(env_cases[0])));
	tcase_add_test(tc, environment_order);
	suite_add_tcase(s, tc);
	tc = tcase_create("choice");
	tcase_add_checked_fixture(tc, setup_files, teardown_files);
	tcase_add_test(tc, x_wins_then_default_then_environment);
	tcase_add_test(tc, a_name_stands_for_a_chain);
	tcase_add_test(tc, credentials_precedence);
	tcase_add_test(tc, readable_files_with_a_password_are_refused);
	suite_add_tcase(s, tc);
	return s;
}
