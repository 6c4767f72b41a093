/*
 * netrc_parse() over any text, and the conffile.c words it reads with.
 *
 * Checks: 0 or -1, nothing else; a refusal starts with "f:LINE: " for a
 * line within the text (or "f: " for a whole-file fault), is terminated,
 * and never quotes a password (every '~' of the input becomes '.', and an
 * input byte 0x01 becomes the password "~pw~", so a '~' in a refusal can
 * only be one); a success holds entries whose strings are terminated
 * within their fields and whose line is within the text; parsing twice
 * gives the same answer.
 */
#include "fuzz.h"
#include "netrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned
lines_in(const char *text, size_t len)
{
	unsigned n = 1;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

/* The input with 0x01 as " ~pw~ " and '~' as '.'; heap. */
static char *
with_passwords(const uint8_t *data, size_t size, size_t *len)
{
	char *t = malloc(size * 6 + 1);
	size_t n = 0;

	CHECK(t != NULL);
	for (size_t i = 0; i < size; i++) {
		if (data[i] == 0x01) {
			memcpy(t + n, " ~pw~ ", 6);
			n += 6;
		} else {
			t[n++] = data[i] == '~' ? '.' : (char)data[i];
		}
	}
	t[n] = '\0';
	*len = n;
	return t;
}

static void
check_refusal(const char *why, size_t whylen, unsigned lines)
{
	unsigned line = 0;

	CHECK(memchr(why, '\0', whylen) != NULL);
	CHECKF(strchr(why, '~') == NULL, "a refusal quotes the password: %s", why);
	CHECKF(strncmp(why, "f:", 2) == 0, "a refusal without the file: %s", why);
	if (sscanf(why, "f:%u:", &line) == 1)
		CHECKF(line >= 1 && line <= lines, "line %u of %u: %s", line, lines, why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netrc a, b;
	char why[300], why2[300];
	size_t len;
	char *text;
	int rc;

	if (size > 64 * 1024)
		return 0;
	text = with_passwords(data, size, &len);
	memset(why, 'Z', sizeof(why));
	rc = netrc_parse(text, len, "f", &a, why, sizeof(why));
	CHECK(rc == 0 || rc == -1);
	CHECK(netrc_parse(text, len, "f", &b, why2, sizeof(why2)) == rc);
	if (rc < 0) {
		check_refusal(why, sizeof(why), lines_in(text, len));
		CHECK(strcmp(why, why2) == 0);
		CHECK(a.entries == NULL && a.n == 0);
	} else {
		CHECK(a.n == b.n);
		for (size_t i = 0; i < a.n; i++) {
			const struct netrc_entry *e = &a.entries[i];

			CHECK(memchr(e->machine, '\0', sizeof(e->machine)) != NULL);
			CHECK(memchr(e->login, '\0', sizeof(e->login)) != NULL);
			CHECK(memchr(e->password, '\0', sizeof(e->password)) != NULL);
			CHECK(e->line >= 1 && e->line <= lines_in(text, len));
			CHECK(!e->has_password || a.has_password);
			CHECK(e->is_default || netrc_find(&a, e->machine, NULL) != NULL);
		}
	}
	netrc_free(&a);
	netrc_free(&b);
	free(text);
	return 0;
}
