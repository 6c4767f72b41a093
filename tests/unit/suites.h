/* The unit-test suites, one per proto/ module area; runner.c runs them all. */
#ifndef SOCKSCOPE_TESTS_UNIT_SUITES_H
#define SOCKSCOPE_TESTS_UNIT_SUITES_H

#include <check.h>

Suite *names_suite(void);        /* test_names.c: name tables, proto_strerror */
Suite *msgs_suite(void);         /* test_msgs.c: message descriptors, draft defaults */
Suite *socks4_suite(void);       /* test_socks4.c: SOCKS4 and SOCKS4a */
Suite *socks5_suite(void);       /* test_socks5.c: greeting, method, request, reply */
Suite *auth_suite(void);         /* test_auth.c: RFC 1929 */
Suite *udp_gssapi_suite(void);   /* test_udp_gssapi.c: UDP header, RFC 1961 framing */
Suite *encode_limits_suite(void); /* test_encode_limits.c: limits, overrides, round trips */
Suite *decode_robust_suite(void); /* test_decode_robust.c: mutated input, invariants */
Suite *hexview_suite(void);      /* test_hexview.c: hex view, trace lines, JSON, escaping */
Suite *viewtext_suite(void);     /* test_viewtext.c: meanings the bytes alone cannot give */
Suite *repl_values_suite(void); /* test_repl_values.c: REPL values for fields */
Suite *hexparse_suite(void);     /* test_hexparse.c: hex input in every pasted form */
Suite *frames_suite(void);       /* test_frames.c: link, IP and TCP headers of captured frames */
Suite *net_suite(void);          /* test_net.c: addresses as text */
Suite *repl_complete_suite(void); /* test_repl_complete.c: completion's quoting */
Suite *secrets_suite(void);       /* test_secrets.c: passwords in URLs of any shape, core dumps */
Suite *probe_suite(void);         /* test_probe.c: probe's peers that are not SOCKS, default target */
Suite *probe_progress_suite(void); /* test_probe_progress.c: probe's progress line */
Suite *flow_suite(void);          /* test_flow.c: the session flow over transcripts */
Suite *hints_suite(void);         /* test_hints.c: what answered, from its first bytes */
Suite *repl_flow_suite(void);     /* test_repl_flow.c: the REPL's session as the flow follows it */
Suite *versions_suite(void);      /* test_versions.c: the facts of each SOCKS version */
Suite *seconds_suite(void);       /* test_seconds.c: seconds as people type them */
Suite *timeline_suite(void);      /* test_timeline.c: the phases as a waterfall */
Suite *conffile_suite(void);      /* test_conffile.c: the user's files in words, netrc */
Suite *tunnel_suite(void);        /* test_tunnel.c: half-close or not, the cut warning, idle timeout */
Suite *proxyconf_suite(void);     /* test_proxyconf.c: the config file, -x/config/environment, netrc's credentials */
Suite *watch_suite(void);         /* test_watch.c: watch's options, its sessions' summaries */
Suite *reasm_suite(void);         /* test_capture_reasm.c: TCP reassembly, gaps */
Suite *capture_suite(void);       /* test_capture.c: libpcap's link types, sessions from packets */
Suite *capture_keep_suite(void);  /* test_capture_keep.c: resends that differ, what sessions keep */
Suite *capture_view_suite(void);  /* test_capture_view.c: a session's conversation, row, JSON */
Suite *capture_text_suite(void);  /* test_capture_text.c: tshark text dumps as a capture's packets */

#endif
