/* decode's command line: its own options, after the word decode. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "decode_internal.h"
#include "version.h"

static void
usage(FILE *fp)
{
	fputs("usage: sockscope decode [--client | --server] [-4 | -5 | --udp] [--json]\n"
	      "                        [--show-secrets] [--color=WHEN] [HEX...]\n"
	      "\n"
	      "Decode SOCKS bytes offline and show every field.  HEX comes from the\n"
	      "arguments, joined, or from standard input: plain hex (05 01 00, 05:01:00,\n"
	      "0x05, \\x05), xxd -p, a dump from tshark -x, xxd or hexdump -C, or\n"
	      "tshark -z follow,tcp,hex output.  A tshark dump of both sides of a capture\n"
	      "is read as decode -r reads a capture (its sessions, their table, -j one\n"
	      "object per session; exit 0 whatever their outcomes); --client or --server\n"
	      "(or -4, -5, --udp) decodes one side of it as bytes.\n"
	      "Standard input is read up to 16 MiB.\n"
	      "\n"
	      "      --client        the bytes the client sent (the default for plain hex)\n"
	      "      --server        the bytes the server sent\n"
	      "  -4, -5              SOCKS4(a) or SOCKS5 (default: from the first byte)\n"
	      "      --udp           a SOCKS5 UDP datagram: RSV FRAG ATYP DST DATA\n"
	      "                      (default when the bytes start 00 00)\n"
	      "  -j, --json          one JSON object: the messages, outcome, anomalies, hints\n"
	      "                      (of a dump of both sides: one per session, as decode -r)\n"
	      "      --show-secrets  show the RFC 1929 password instead of ********\n"
	      "      --color WHEN    auto, always or never (NO_COLOR honoured)\n"
	      "  -h, --help          this help\n"
	      "  -V, --version       the version\n"
	      "\n"
	      "exit status: 0 every byte decoded, 2 usage or bad hex,\n"
	      "4 malformed, truncated or a protocol violation, 7 standard output failed\n",
	      fp);
}

enum { OPT_CLIENT = 256, OPT_SERVER, OPT_UDP, OPT_SHOW_SECRETS, OPT_COLOR };

int
decode_options(int argc, char **argv, struct decode_opts *o, int *first)
{
	static const struct option longopts[] = {
		{"client", no_argument, NULL, OPT_CLIENT},
		{"server", no_argument, NULL, OPT_SERVER},
		{"udp", no_argument, NULL, OPT_UDP},
		{"json", no_argument, NULL, 'j'},
		{"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
		{"color", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	bool client = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->color = COLOR_AUTO;
	optind = 1;
	opterr = 0; /* our own messages, named sockscope, not "decode" */
	while ((c = getopt_long(argc, argv, ":45jhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CLIENT:
			client = true;
			break;
		case OPT_SERVER:
			o->server = true;
			break;
		case '4':
		case '5':
			if (o->version != 0 && o->version != c - '0') {
				fprintf(stderr, "sockscope: decode: -4 and -5 exclude each other\n");
				goto bad;
			}
			o->version = c - '0';
			break;
		case OPT_UDP:
			o->udp = true;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_SHOW_SECRETS:
			o->show_secrets = true;
			break;
		case OPT_COLOR:
			if (color_when_parse(optarg, &o->color) < 0) {
				term_say("sockscope", "--color: '%s' is not auto, always or never",
					 optarg);
				return 1 + DECODE_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 1 + DECODE_OK;
		case 'V':
			printf("sockscope %s\n", SOCKSCOPE_VERSION);
			return 1 + DECODE_OK;
		case ':':
			fprintf(stderr, "sockscope: decode: %s needs an argument\n",
				argv[optind - 1]);
			goto bad;
		default:
			if (optopt != 0)
				fprintf(stderr, "sockscope: decode: unknown option -%c\n", optopt);
			else
				term_say("sockscope", "decode: unknown option %s", argv[optind - 1]);
			goto bad;
		}
	}
	if (client && o->server) {
		fprintf(stderr, "sockscope: decode: --client and --server exclude each other\n");
		goto bad;
	}
	o->side_given = client || o->server;
	if (o->udp && o->version == 4) {
		fprintf(stderr, "sockscope: decode: --udp is SOCKS5, not -4\n");
		goto bad;
	}
	*first = optind;
	return 0;
bad:
	fprintf(stderr, "usage: sockscope decode [--client|--server] [-4|-5|--udp] [--json] "
			"[--show-secrets] [--color=WHEN] [HEX...]\n");
	return 1 + DECODE_USAGE;
}
