/*
 * The command line and the URLs in it: options_parse(), parse_proxy_url(),
 * parse_credentials(), and secrets.c's mask, blank and "may hold" over
 * arguments of any shape.
 *
 * Input: arguments separated by 0x00.  In each, every 0x01 becomes
 * ":" PW "@", so that PW stands where a URL's password stands however the
 * rest is shaped; every '~' of the input becomes '.', so that a '~' in any
 * output can only be PW's.  Byte 0 bit 0 puts "-U" "user:" PW first (the
 * -U form of a password); the rest of byte 0 is ignored.
 *
 * Checks (the oracle: no text sockscope would print holds any byte of PW):
 * what options_parse() writes to stdout and stderr; every refusal of
 * parse_proxy_url() (each argument, and each -x value) and of
 * parse_credentials() (-U's value); secret_url_mask() and secret_quote() of
 * each argument; the arguments once blanked as the modes blank them
 * (every argument as a URL, -U's value as USER:PASS).  And: when PW was
 * given, secret_args_may_hold() says so; blanking keeps each length; the
 * mask is terminated within any buffer.
 */
#include <fcntl.h>
#include <getopt.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "options.h"
#include "probe.h"
#include "secrets.h"
#include "url.h"
#include "why.h"

#define PW "~pw~"
#define MAX_ARGS 24
#define WHY_MAX 400

/* options.c hands probe's options to probe.c, which is not linked here. */
int
probe_take_option(const char *name, const char *arg)
{
	(void)name;
	(void)arg;
	return 0;
}

/* options.c prints the modes' synopsis from modes.c, which links every
 * front end: the usage's own lines are what is fuzzed here. */
void
modes_synopsis(FILE *fp)
{
	fputs("usage: sockscope [OPTIONS]\n", fp);
}

static void
no_pw(const char *what, const char *text)
{
	CHECKF(strchr(text, '~') == NULL, "%s holds the password: \"%s\"", what, text);
}

/* stdout and stderr of one call, in a memfd. */
static int out_fd = -1, saved_out, saved_err;

static void
capture_start(void)
{
	if (out_fd < 0) {
		out_fd = memfd_create("fuzz_args", 0);
		CHECK(out_fd >= 0);
		saved_out = dup(1);
		saved_err = dup(2);
		CHECK(saved_out >= 0 && saved_err >= 0);
	}
	CHECK(ftruncate(out_fd, 0) == 0);
	CHECK(lseek(out_fd, 0, SEEK_SET) == 0);
	fflush(stdout);
	fflush(stderr);
	CHECK(dup2(out_fd, 1) == 1 && dup2(out_fd, 2) == 2);
}

static void
capture_check(void)
{
	char buf[4096];
	ssize_t n;
	off_t at = 0;

	fflush(stdout);
	fflush(stderr);
	CHECK(dup2(saved_out, 1) == 1 && dup2(saved_err, 2) == 2);
	while ((n = pread(out_fd, buf, sizeof(buf) - 1, at)) > 0) {
		buf[n] = '\0';
		CHECKF(memchr(buf, '~', (size_t)n) == NULL, "options_parse printed the password: %s",
		       buf);
		at += n;
	}
}

/* Argument i of the input, 0x01 expanded, '~' replaced; heap, exact size. */
static char *
make_arg(const uint8_t *p, size_t n, bool *has_pw)
{
	size_t len = 0, w = 0;
	char *a;

	for (size_t i = 0; i < n; i++)
		len += p[i] == 0x01 ? strlen(":" PW "@") : 1;
	a = malloc(len + 1);
	CHECK(a != NULL);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0x01) {
			memcpy(a + w, ":" PW "@", strlen(":" PW "@"));
			w += strlen(":" PW "@");
			*has_pw = true;
		} else {
			a[w++] = p[i] == '~' ? '.' : (char)p[i];
		}
	}
	a[w] = '\0';
	return a;
}

static void
check_url(const char *what, const char *url)
{
	char why[WHY_MAX], out[96], q[QUOTE_BUF];
	struct proxy p;

	memset(why, 0, sizeof(why));
	if (parse_proxy_url(url, &p, why, sizeof(why)) < 0) {
		CHECK(memchr(why, '\0', sizeof(why)) != NULL);
		no_pw(what, why);
	} else if (p.cred.has_pass) {
		/* what was read as the password is what the mask hides */
		CHECK(secret_url_has_password(url));
	}
	for (size_t cap = 1; cap <= sizeof(out); cap += 19) {
		memset(out, 'Z', sizeof(out));
		secret_url_mask(url, out, cap);
		CHECK(memchr(out, '\0', cap) != NULL);
		no_pw("the mask", out);
	}
	no_pw("the quote", secret_quote(url, q, sizeof(q)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The runs read no file of the machine's: no config file, no ~/.netrc, no
 * proxy from the environment. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("HOME", "/nonexistent-sockscope-fuzz", 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("socks_proxy");
	unsetenv("SOCKS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args[MAX_ARGS + 4], *argv[MAX_ARGS + 5];
	size_t lens[MAX_ARGS + 4];
	bool given = false;
	int argc = 0, user_at = -1, first;
	struct options o;
	struct credentials cred;
	char why[WHY_MAX];

	if (size == 0)
		return 0;
	args[argc++] = strdup("sockscope");
	if (data[0] & 1) {
		args[argc++] = strdup("-U");
		user_at = argc;
		args[argc++] = strdup("user:" PW);
		given = true;
	}
	for (size_t i = 1; i < size && argc < MAX_ARGS;) {
		const uint8_t *end = memchr(data + i, 0, size - i);
		size_t n = end != NULL ? (size_t)(end - (data + i)) : size - i;

		args[argc++] = make_arg(data + i, n, &given);
		i += n + 1;
	}
	for (int i = 0; i < argc; i++) {
		CHECK(args[i] != NULL);
		lens[i] = strlen(args[i]);
		argv[i] = args[i];
	}
	argv[argc] = NULL;

	if (given)
		CHECK(secret_args_may_hold(argc, argv));
	for (int i = 1; i < argc; i++)
		if (i != user_at)
			check_url("parse_proxy_url's refusal", args[i]);

	/* getopt keeps state between calls: 0 starts it afresh (glibc). */
	optind = 0;
	capture_start();
	int rc = options_parse(&o, argc, argv, &first);
	capture_check();
	if (rc == 0) {
		for (int i = 0; i < o.nproxies; i++)
			check_url("-x's refusal", o.proxies[i]);
		if (o.user != NULL && parse_credentials(o.user, &cred, why, sizeof(why)) < 0)
			no_pw("-U's refusal", why);
	}

	/* As the modes blank the process arguments. */
	for (int i = 1; i < argc; i++)
		secret_url_blank(args[i]);
	if (user_at >= 0)
		secret_userpass_blank(args[user_at]);
	for (int i = 0; i < argc; i++) {
		CHECK(strlen(args[i]) == lens[i]);
		no_pw("a blanked argument", args[i]);
		free(args[i]);
	}
	return 0;
}
