/* UDP ASSOCIATE (not yet): the reply passes unchanged. */
#include "watch_int.h"

bool
watch_udp_rewrite(struct watch_session *s, const struct flow_event *ev)
{
	(void)s;
	(void)ev;
	return false;
}

void
watch_udp_free(struct watch_session *s)
{
	(void)s;
}

int
watch_udp_fds(const struct watch_session *s, int fds[2])
{
	(void)s;
	(void)fds;
	return 0;
}

void
watch_udp_ready(struct watch_session *s, int which)
{
	(void)s;
	(void)which;
}
