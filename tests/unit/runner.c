/* Runs every unit-test suite, CK_NORMAL; exits non-zero when any test failed. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	Suite *(*const suites[])(void) = {
		names_suite,  msgs_suite,          socks4_suite,        socks5_suite,
		auth_suite,   udp_gssapi_suite,    encode_limits_suite, decode_robust_suite,
		hexview_suite, viewtext_suite, hexparse_suite, repl_values_suite, net_suite,
		repl_complete_suite, secrets_suite, frames_suite, probe_suite, flow_suite,
		hints_suite,  repl_flow_suite,
		/* one a line from here: branches add theirs without touching another's */
		versions_suite,
		timeline_suite,
		seconds_suite,
		probe_progress_suite,
		conffile_suite,
		proxyconf_suite,
		tunnel_suite,
		watch_suite,
		reasm_suite,
		capture_suite,
		capture_keep_suite,
		capture_view_suite,
		capture_text_suite,
	};
	SRunner *sr = srunner_create(NULL);

	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
