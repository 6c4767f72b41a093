/*
 * sockscope probe: what each of many SOCKS servers supports, on one
 * non-blocking poll() loop.  The JSON lines schema is at the top of probe.c.
 */
#ifndef SOCKSCOPE_PROBE_H
#define SOCKSCOPE_PROBE_H

#include "options.h"

/*
 * argv[0] is "probe"; argv[1..] are its operands: PROXY... and the probe
 * options -f FILE, --parallel N, --target HOST:PORT, --commands bind,udp,
 * --steps LIST, --expect LIST (also --opt=VALUE).  Returns 0 when every server was probed
 * and met --expect, 1 otherwise, 2 for a usage error (nothing sent), 7 when
 * standard output could not be written (its reader gone, EPIPE, is an
 * orderly end with the status so far).
 */
int probe_main(struct options *o, int argc, char **argv);

/*
 * For the global parser (options.c): hands over a probe option it parsed,
 * by its long name ("parallel", "target", "commands", "steps", "expect",
 * "file").  0, or -1 after reporting a usage error.
 */
int probe_take_option(const char *name, const char *arg);

#endif
