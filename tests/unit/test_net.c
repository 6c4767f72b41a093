/* Addresses as text: net_addr_string formats IPv4 itself, so it is checked
 * against inet_ntop, byte values of every width, and short buffers.  And a
 * socket connected to itself, made on loopback, told from one that is not. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "suites.h"

static void
ipv4_host(struct host *h, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	memset(h, 0, sizeof(*h));
	h->kind = HOST_IPV4;
	h->addr[0] = a;
	h->addr[1] = b;
	h->addr[2] = c;
	h->addr[3] = d;
}

/* Each byte takes every value, in every position: one, two and three digits. */
START_TEST(ipv4_matches_inet_ntop)
{
	struct host h;
	char ours[64], libc[INET_ADDRSTRLEN];
	uint8_t a[4];

	for (unsigned v = 0; v < 256; v++) {
		for (int pos = 0; pos < 4; pos++) {
			memset(a, (int)((v * 7 + 3) & 0xff), sizeof(a));
			a[pos] = (uint8_t)v;
			ipv4_host(&h, a[0], a[1], a[2], a[3]);
			net_addr_string(&h, ours, sizeof(ours));
			ck_assert_ptr_nonnull(inet_ntop(AF_INET, a, libc, sizeof(libc)));
			ck_assert_str_eq(ours, libc);
		}
	}
}
END_TEST

START_TEST(ipv4_extremes)
{
	struct host h;
	char out[64];

	ipv4_host(&h, 0, 0, 0, 0);
	net_addr_string(&h, out, sizeof(out));
	ck_assert_str_eq(out, "0.0.0.0");
	ipv4_host(&h, 255, 255, 255, 255);
	net_addr_string(&h, out, sizeof(out));
	ck_assert_str_eq(out, "255.255.255.255");
	ipv4_host(&h, 10, 0, 100, 9);
	net_addr_string(&h, out, sizeof(out));
	ck_assert_str_eq(out, "10.0.100.9");
}
END_TEST

/* A buffer too short gets a terminated prefix, and nothing past its end. */
START_TEST(ipv4_short_buffer)
{
	struct host h;
	char out[8];

	ipv4_host(&h, 192, 168, 100, 200);
	memset(out, 'x', sizeof(out));
	net_addr_string(&h, out, 5);
	ck_assert_str_eq(out, "192.");
	ck_assert_int_eq(out[5], 'x');
	net_addr_string(&h, out, 1);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(ipv6_and_names)
{
	struct host h;
	char out[64];

	memset(&h, 0, sizeof(h));
	h.kind = HOST_IPV6;
	h.addr[15] = 1;
	net_addr_string(&h, out, sizeof(out));
	ck_assert_str_eq(out, "::1");
	memset(&h, 0, sizeof(h));
	h.kind = HOST_NAME;
	strcpy(h.name, "proxy.example");
	h.namelen = strlen(h.name);
	net_addr_string(&h, out, sizeof(out));
	ck_assert_str_eq(out, "proxy.example");
}
END_TEST

/* A TCP socket bound to 127.0.0.1:P that connects to 127.0.0.1:P connects
 * to itself (a simultaneous open); -1 when this host will not. */
static int
self_connected_socket(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

START_TEST(connected_to_self)
{
	int fd = self_connected_socket();

	ck_assert_msg(fd >= 0, "no self-connected socket on this host");
	ck_assert(net_connected_to_self(fd));
	close(fd);
}
END_TEST

/* A connection to a listener, and a socket not connected at all, are not. */
START_TEST(connected_to_another)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), cfd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(lfd, 0);
	ck_assert_int_ge(cfd, 0);
	ck_assert(!net_connected_to_self(cfd));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	ck_assert_int_eq(connect(cfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert(!net_connected_to_self(cfd));
	ck_assert(!net_connected_to_self(lfd));
	close(cfd);
	close(lfd);
}
END_TEST

Suite *
net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("addr_string");

	tcase_add_test(tc, ipv4_matches_inet_ntop);
	tcase_add_test(tc, ipv4_extremes);
	tcase_add_test(tc, ipv4_short_buffer);
	tcase_add_test(tc, ipv6_and_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("self");
	tcase_add_test(tc, connected_to_self);
	tcase_add_test(tc, connected_to_another);
	suite_add_tcase(s, tc);
	return s;
}
