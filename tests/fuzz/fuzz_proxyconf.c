/*
 * proxyconf_parse() over any text: the config file's statements.
 *
 * Checks: 0 or -1; a refusal starts with "f:LINE: " (a line within the
 * text) or "f: ", is terminated and never quotes a password (an input
 * byte 0x01 becomes "socks5://u:~pw~@h", every other '~' a '.'); a
 * success holds named entries of 1 to MAX_HOPS URLs each, found by their
 * names, a default that is one of them, and has_password exactly when a
 * URL holds one; parsing twice gives the same answer.
 */
#include "fuzz.h"
#include "proxyconf.h"
#include "secrets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PWURL " socks5://u:~pw~@h "

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxyconf a, b;
	char why[600], why2[600];
	size_t n = 0, plen = strlen(PWURL);
	unsigned lines = 1, line;
	char *text;
	int rc;

	if (size > 64 * 1024)
		return 0;
	text = malloc(size * plen + 1);
	CHECK(text != NULL);
	for (size_t i = 0; i < size; i++) {
		if (data[i] == 0x01) {
			memcpy(text + n, PWURL, plen);
			n += plen;
		} else {
			text[n++] = data[i] == '~' ? '.' : (char)data[i];
		}
		lines += data[i] == '\n';
	}
	text[n] = '\0';
	rc = proxyconf_parse(text, n, "f", &a, why, sizeof(why));
	CHECK(rc == 0 || rc == -1);
	CHECK(proxyconf_parse(text, n, "f", &b, why2, sizeof(why2)) == rc);
	if (rc < 0) {
		CHECK(memchr(why, '\0', sizeof(why)) != NULL);
		CHECKF(strchr(why, '~') == NULL, "a refusal quotes the password: %s", why);
		CHECKF(strncmp(why, "f:", 2) == 0, "a refusal without the file: %s", why);
		if (sscanf(why, "f:%u:", &line) == 1)
			CHECKF(line >= 1 && line <= lines, "line %u of %u: %s", line, lines, why);
		CHECK(strcmp(why, why2) == 0);
		CHECK(a.n == 0 && a.entries == NULL);
	} else {
		bool pw = false;

		CHECK(a.n == b.n);
		CHECK(a.default_index >= -1 && a.default_index < (int)a.n);
		for (size_t i = 0; i < a.n; i++) {
			const struct proxyconf_entry *e = &a.entries[i];

			CHECK(e->nurls >= 1 && e->nurls <= MAX_HOPS);
			CHECK(proxyconf_find(&a, e->name) == e);
			CHECK(e->line >= 1 && e->line <= lines);
			for (int k = 0; k < e->nurls; k++)
				pw = pw || secret_url_has_password(e->urls[k]);
		}
		CHECK(pw == a.has_password);
	}
	proxyconf_free(&a);
	proxyconf_free(&b);
	free(text);
	return 0;
}
