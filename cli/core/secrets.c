/* Passwords in arguments and lines: found, masked, blanked, kept in.  See secrets.h. */
#include "secrets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "why.h"

/* The length of a leading SCHEME:// (RFC 3986's scheme characters), else 0. */
static size_t
scheme_prefix_len(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

	return strncmp(s + n, "://", 3) == 0 ? n + 3 : 0;
}

/* Where url's password is: url[*off .. *off + *len), by the rule in secrets.h. */
static bool
password_span(const char *url, size_t *off, size_t *len)
{
	const char *start = url + scheme_prefix_len(url);
	const char *at = strrchr(start, '@'), *colon;

	if (at == NULL)
		return false;
	colon = memchr(start, ':', (size_t)(at - start));
	if (colon == NULL)
		return false;
	*off = (size_t)(colon + 1 - url);
	*len = (size_t)(at - colon - 1);
	return true;
}

bool
secret_url_has_password(const char *url)
{
	size_t off, len;

	return password_span(url, &off, &len);
}

void
secret_url_mask(const char *url, char *out, size_t cap)
{
	size_t off, len;

	if (cap == 0)
		return;
	if (!password_span(url, &off, &len)) {
		snprintf(out, cap, "%s", url);
		return;
	}
	/* snprintf cuts within the part before the password or after it:
	   the password's bytes are never among what is written. */
	snprintf(out, cap, "%.*s%s%s", (int)(off < 0x7fffffff ? off : 0x7fffffff), url,
		 SECRET_MASK, url + off + len);
}

const char *
secret_quote(const char *arg, char *buf, size_t cap)
{
	char masked[QUOTE_MAX + sizeof(SECRET_MASK)];
	size_t off, len, total;

	if (!password_span(arg, &off, &len)) {
		total = strlen(arg);
		return quote_shown(arg, total <= QUOTE_MAX ? total : QUOTE_MAX, total, buf, cap);
	}
	total = strlen(arg) - len + strlen(SECRET_MASK);
	secret_url_mask(arg, masked, sizeof(masked));
	if (total <= QUOTE_MAX)
		return quote_shown(masked, strlen(masked), strlen(masked), buf, cap);
	return quote_shown(masked, QUOTE_MAX, strlen(arg), buf, cap);
}

void
secret_url_blank(char *url)
{
	size_t off, len;

	if (password_span(url, &off, &len))
		memset(url + off, '*', len);
}

void
secret_userpass_blank(char *userpass)
{
	char *colon = strchr(userpass, ':');

	if (colon != NULL)
		memset(colon + 1, '*', strlen(colon + 1));
}

bool
secret_text_may_hold(const char *text)
{
	return strchr(text, '@') != NULL || strcasestr(text, "pass") != NULL;
}

/* -U and --proxy-user as getopt_long takes them: in a cluster of short
 * options ("-vU"), or any unambiguous abbreviation ("--proxy-u"). */
static bool
names_proxy_user(const char *arg)
{
	if (arg[0] == '-' && arg[1] != '-')
		return strchr(arg, 'U') != NULL;
	return strncmp(arg, "--proxy-", 8) == 0;
}

bool
secret_args_may_hold(int argc, char *const argv[])
{
	if (getenv("SOCKSCOPE_PASSWORD") != NULL)
		return true;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "decode") == 0 || names_proxy_user(argv[i]) ||
		    secret_text_may_hold(argv[i]))
			return true;
	return false;
}

void
secret_keep_in(void)
{
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
