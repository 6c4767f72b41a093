/* The front ends' table (modes.h). */
#include "modes.h"

#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "decode_cmd.h"
#include "oneshot.h"
#include "probe.h"
#include "repl.h"
#include "watch.h"
#include "secrets.h"

/* decode reads hex; with -r or -i it reads captures (cli/capture/), and a
 * tshark dump of both sides it is given goes there too. */
static int
run_decode(struct options *o, int argc, char **argv)
{
	(void)o;
	if (capture_wanted(argc, argv))
		return capture_main(argc, argv);
	return capture_help_after(argc, argv, decode_main(argc, argv, capture_text_main));
}

static int
run_watch(struct options *o, int argc, char **argv)
{
	(void)o;
	return watch_main(argc, argv);
}

static void
free_copies(char **copy, int n, char *user)
{
	for (int i = 0; copy != NULL && i < n; i++)
		if (copy[i] != NULL) {
			explicit_bzero(copy[i], strlen(copy[i]));
			free(copy[i]);
		}
	free(copy);
	if (user != NULL) {
		explicit_bzero(user, strlen(user));
		free(user);
	}
}

/*
 * probe keeps the URLs it is given (its operands, -U) until it is done and
 * parses them as it goes, so it works on copies, and the process arguments
 * lose their passwords at once: ps and /proc/PID/cmdline never show them.
 * Its credentials can also come from a file, SOCKSCOPE_PASSWORD or a
 * prompt, so core dumps are off for the whole run.
 */
static int
run_probe(struct options *o, int argc, char **argv)
{
	char **copy = calloc((size_t)argc + 1, sizeof(*copy));
	char *user = NULL;
	int rc;

	secret_keep_in();
	if (copy == NULL)
		goto oom;
	for (int i = 0; i < argc; i++)
		if ((copy[i] = strdup(argv[i])) == NULL)
			goto oom;
	if (o->user != NULL && (user = strdup(o->user)) == NULL)
		goto oom;
	for (int i = 0; i < argc; i++)
		secret_url_blank(argv[i]);
	if (o->user != NULL) {
		secret_userpass_blank(o->user);
		o->user = user;
	}
	rc = probe_main(o, argc, copy);
	free_copies(copy, argc, user);
	return rc;
oom:
	fprintf(stderr, "sockscope: out of memory\n");
	free_copies(copy, argc, user);
	return EXIT_USAGE;
}

/* The REPL and the one-shot take no word of their own: main() picks them
 * by what else is given (no operands, -c, -s; or a target). */
const struct mode modes[] = {
	{ .name = "REPL", .run = repl_main,
	  .synopsis = "sockscope [OPTIONS]                      the REPL\n"
		      "sockscope [OPTIONS] -c 'CMD; CMD' | -s FILE  REPL commands, no terminal\n" },
	{ .name = "one-shot", .words = oneshot_verb, .run = oneshot_main,
	  .synopsis = "sockscope [OPTIONS] -x PROXY [connect] HOST PORT\n"
		      "sockscope [OPTIONS] -x PROXY bind HOST PORT\n"
		      "sockscope [OPTIONS] -x PROXY udp HOST PORT\n"
		      "sockscope [OPTIONS] -x PROXY resolve NAME | resolve-ptr ADDRESS\n" },
	{ .name = "probe", .word = "probe", .run = run_probe,
	  .synopsis = "sockscope [OPTIONS] probe PROXY... | -f FILE\n" },
	{ .name = "decode", .word = "decode", .own_options = true, .run = run_decode,
	  .example = "sockscope decode -j HEX",
	  .synopsis = "sockscope decode [--client|--server] [-4|-5|--udp] [--json] HEX...\n"
		      "sockscope decode -r FILE | -i IFACE [--port PORT] [--sniff] [-v|-X|-j] [FILTER]\n" },
	{ .name = "watch", .word = "watch", .own_options = true, .run = run_watch,
	  .example = "sockscope watch -x PROXY",
	  .synopsis = "sockscope watch -x PROXY [-l [ADDR:]PORT] [-v|-X] [-j]\n" },
};
const size_t nmodes = sizeof(modes) / sizeof(modes[0]);

const struct mode *
mode_by_word(const char *word)
{
	for (size_t i = 0; i < nmodes; i++) {
		const struct mode *m = &modes[i];

		if (m->word != NULL && strcmp(m->word, word) == 0)
			return m;
		for (size_t k = 0; m->words != NULL && m->words(k) != NULL; k++)
			if (strcmp(m->words(k), word) == 0)
				return m;
	}
	return NULL;
}

void
modes_synopsis(FILE *fp)
{
	const char *lead = "usage: ";

	for (size_t i = 0; i < nmodes; i++)
		for (const char *p = modes[i].synopsis; *p != '\0';) {
			size_t n = strcspn(p, "\n");

			fprintf(fp, "%s%.*s\n", lead, (int)n, p);
			lead = "       ";
			p += n + (p[n] == '\n');
		}
}

void
modes_dump(FILE *fp)
{
	for (size_t i = 0; i < nmodes; i++) {
		if (modes[i].word != NULL)
			fprintf(fp, "%s%s\n", modes[i].word, modes[i].own_options ? " own-options" : "");
		for (size_t k = 0; modes[i].words != NULL && modes[i].words(k) != NULL; k++)
			fprintf(fp, "%s\n", modes[i].words(k));
	}
}
