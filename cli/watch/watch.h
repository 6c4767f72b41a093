/* sockscope watch: a relay in the middle that shows applications' SOCKS sessions live. */
#ifndef SOCKSCOPE_WATCH_H
#define SOCKSCOPE_WATCH_H

/* argv[0] is the word "watch"; its options follow.  Returns the exit status. */
int watch_main(int argc, char **argv);

#endif
