/* The one-shot modes: handshake through every hop, then the tunnel. */
#ifndef SOCKSCOPE_ONESHOT_H
#define SOCKSCOPE_ONESHOT_H

#include "options.h"

/* argv[0..argc) are the operands after the options: [connect] HOST PORT. */
int oneshot_main(struct options *o, int argc, char **argv);
/* The commands it takes (connect, bind, ...), i from 0 until NULL. */
const char *oneshot_verb(size_t i);
/* With -j, a usage error found before the one-shot began (in the options,
 * or no -x): the summary it would have written, "outcome" "usage", exit 2. */
int oneshot_usage_json(const struct options *o, const char *error);

#endif
