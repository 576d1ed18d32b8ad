/*
 * conf_test.c - the config parser: addresses, networks, errors, printing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../lib/t.h"
#include "../../src/conf/conf.h"

static void
test_cidr(void)
{
	static const struct {
		const char *in;
		int rc;
		int family;
		unsigned plen;
	} cases[] = {
		{ "192.0.2.1", 0, AF_INET, 32 },
		{ "192.0.2.0/24", 0, AF_INET, 24 },
		{ "192.0.2.77/24", 0, AF_INET, 24 },	/* host bits cleared */
		{ "2001:db8::1", 0, AF_INET6, 128 },
		{ "2001:db8::/32", 0, AF_INET6, 32 },
		{ "192.0.2.0/33", -1, 0, 0 },
		{ "2001:db8::/129", -1, 0, 0 },
		{ "192.0.2.0/", -1, 0, 0 },
		{ "192.0.2.0/x", -1, 0, 0 },
		{ "192.0.2", -1, 0, 0 },
		{ "", -1, 0, 0 },
		{ "[2001:db8::1]", -1, 0, 0 },
	};
	size_t i;

	for (i = 0; i < GG_NELEM(cases); i++) {
		struct conf_cidr c;
		int rc = conf_cidr_parse(cases[i].in, &c);

		T_OK(rc == cases[i].rc && (rc != 0 ||
		    (c.addr.family == cases[i].family &&
		    c.plen == cases[i].plen)), "cidr '%s'", cases[i].in);
	}
}

static void
test_membership(void)
{
	struct gg_conf c;
	struct gg_addr a;
	const char *text = "trusted 198.51.100.0/28 2001:db8:5::/48\n";

	conf_init(&c);
	T_OK(conf_load_buf(&c, "m", text, strlen(text), stderr) == 0,
	    "two networks on one line");
	gg_addr_parse("198.51.100.15", &a);
	T_OK(conf_netlist_has(&c.trusted, &a), "198.51.100.15 in /28");
	gg_addr_parse("198.51.100.16", &a);
	T_OK(!conf_netlist_has(&c.trusted, &a), "198.51.100.16 not in /28");
	gg_addr_parse("2001:db8:5:ffff::1", &a);
	T_OK(conf_netlist_has(&c.trusted, &a), "IPv6 in /48");
	gg_addr_parse("2001:db8:6::1", &a);
	T_OK(!conf_netlist_has(&c.trusted, &a), "IPv6 outside /48");
	conf_fini(&c);
}

/*
 * gg_addr_in() at the prefix lengths where its IPv4 word mask and its IPv6
 * byte compare change shape (/0, /1, /31, /32, a prefix inside a byte, out
 * of range), and across families.
 */
static void
test_prefix_edges(void)
{
	static const struct {
		const char	*a, *net;
		unsigned	 plen;
		bool		 in;
	} cases[] = {
		{ "203.0.113.7", "0.0.0.0", 0, true },
		{ "255.255.255.255", "0.0.0.0", 0, true },
		{ "127.0.0.1", "0.0.0.0", 1, true },
		{ "128.0.0.1", "0.0.0.0", 1, false },
		{ "203.0.113.7", "203.0.113.6", 31, true },
		{ "203.0.113.8", "203.0.113.6", 31, false },
		{ "203.0.113.7", "203.0.113.7", 32, true },
		{ "203.0.113.6", "203.0.113.7", 32, false },
		{ "192.0.2.77", "192.0.2.64", 26, true },
		{ "192.0.2.128", "192.0.2.64", 26, false },
		{ "203.0.113.7", "203.0.113.7", 33, false },
		{ "203.0.113.7", "2001:db8::", 0, false },
		{ "2001:db8::1", "0.0.0.0", 0, false },
		{ "2001:db8::1", "::", 0, true },
		{ "2001:db8:1:2::1", "2001:db8::", 32, true },
		{ "2001:db9::1", "2001:db8::", 32, false },
		{ "2001:db8:1:2::1", "2001:db8:1:3::", 63, true },
		{ "2001:db8:1:2::1", "2001:db8:1:4::", 62, false },
		{ "2001:db8::1", "2001:db8::1", 128, true },
		{ "2001:db8::2", "2001:db8::1", 128, false },
		{ "2001:db8::1", "2001:db8::1", 129, false },
	};
	struct gg_addr a, n;
	size_t i;

	for (i = 0; i < GG_NELEM(cases); i++) {
		gg_addr_parse(cases[i].a, &a);
		gg_addr_parse(cases[i].net, &n);
		T_OK(gg_addr_in(&a, &n, cases[i].plen) == cases[i].in,
		    "%s %s %s/%u", cases[i].a, cases[i].in ? "in" : "not in",
		    cases[i].net, cases[i].plen);
	}
}

static void
test_errors(void)
{
	struct gg_conf c;
	char buf[4096], big[3000];
	FILE *f;
	int n;
	const char *text = "ports 5060\nbogus\n\n# fine\nwindow 0\n"
	    "threshold\nports 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";

	conf_init(&c);
	f = fmemopen(buf, sizeof(buf), "w");
	n = conf_load_buf(&c, "x.conf", text, strlen(text), f);
	fclose(f);
	T_OK(n == 4, "every bad line is reported (%d)", n);
	T_OK(strstr(buf, "x.conf:2: unknown directive 'bogus'") &&
	    strstr(buf, "x.conf:5: window") && strstr(buf, "x.conf:6: ") &&
	    strstr(buf, "x.conf:7: "), "each error names file:line");
	T_OK(c.ports[0] == 5060 && c.window_s == 3600,
	    "good lines still apply; bad ones leave the default");
	conf_fini(&c);
	conf_init(&c);
	memset(big, 'a', sizeof(big));
	n = conf_load_buf(&c, "y", big, sizeof(big), NULL);
	T_OK(n == 1, "an over-long line is one error");
	n = conf_load_buf(&c, "y", "ports 50\0060\n", 11, NULL);
	T_OK(n == 1, "a NUL byte is an error");
	n = conf_load_buf(&c, "y", "ports 5060", 10, NULL);
	T_OK(n == 0 && c.ports[0] == 5060, "no final newline is fine");
	conf_fini(&c);
}

static void
test_roundtrip(void)
{
	struct gg_conf a, b;
	char p1[4096], p2[4096];
	FILE *f;
	const char *text = "ports 5060 5080\ntrusted 198.51.100.10\n"
	    "protect 192.0.2.0/24\nprotect 192.0.2.32/27 trusted-only\n"
	    "deny 203.0.113.0/24\nno-ip-calls yes\nthreshold rate 99\n";

	conf_init(&a);
	conf_load_buf(&a, "a", text, strlen(text), stderr);
	f = fmemopen(p1, sizeof(p1), "w");
	conf_print(&a, f);
	fclose(f);
	conf_init(&b);
	T_OK(conf_load_buf(&b, "b", p1, strlen(p1), stderr) == 0,
	    "the canonical form parses");
	f = fmemopen(p2, sizeof(p2), "w");
	conf_print(&b, f);
	fclose(f);
	T_OK(strcmp(p1, p2) == 0, "and prints the same again");
	T_OK(strstr(p1, "protect 192.0.2.32/27 trusted-only\n") &&
	    strstr(p1, "protect 192.0.2.0/24\n"), "trusted-only is kept");
	conf_fini(&a);
	conf_fini(&b);
}

static void
test_duration(void)
{
	static const struct {
		const char *in;
		int rc;
		uint32_t s;
		const char *canon;
	} cases[] = {
		{ "90", 0, 90, "90s" },
		{ "90s", 0, 90, "90s" },
		{ "10m", 0, 600, "10m" },
		{ "90m", 0, 5400, "90m" },
		{ "1h", 0, 3600, "1h" },
		{ "1d", 0, 86400, "1d" },
		{ "2w", 0, 1209600, "2w" },
		{ "0", 0, 0, "0" },
		{ "", -1, 0, NULL },
		{ "m", -1, 0, NULL },
		{ "-5", -1, 0, NULL },
		{ "5x", -1, 0, NULL },
		{ "5mm", -1, 0, NULL },
		{ "99999999999", -1, 0, NULL },
		{ "10000000w", -1, 0, NULL },	/* past 2^32 seconds */
	};
	char buf[32];
	size_t i;

	for (i = 0; i < GG_NELEM(cases); i++) {
		uint32_t v = 12345;
		int rc = conf_duration_parse(cases[i].in, &v);

		T_OK(rc == cases[i].rc && (rc != 0 || (v == cases[i].s &&
		    !strcmp(conf_duration_fmt(v, buf, sizeof(buf)),
		    cases[i].canon))), "duration '%s'", cases[i].in);
	}
}

static void
test_netlist_edit(void)
{
	struct conf_netlist l = { 0 };
	struct conf_cidr n, m;
	struct gg_addr a;

	conf_cidr_parse("198.51.100.0/24", &n);
	conf_cidr_parse("2001:db8::1", &m);
	T_OK(conf_netlist_add(&l, &n, "198.51.100.0/24", 0) == 0 &&
	    conf_netlist_add(&l, &m, "2001:db8::1", 0) == 0 && l.n == 2,
	    "netlist: two networks added at run time");
	gg_addr_parse("198.51.100.7", &a);
	T_OK(conf_netlist_has(&l, &a), "netlist: an added network matches");
	T_OK(conf_netlist_del(&l, &n) == 0 && l.n == 1 &&
	    !conf_netlist_has(&l, &a), "netlist: removed, it matches no more");
	T_OK(conf_netlist_del(&l, &n) == -1, "netlist: removing it again "
	    "says it is not there");
	T_OK(conf_netlist_has(&l, &m.addr), "netlist: the other one stays");
	free(l.src[0]);
	free(l.src);
	free(l.line);
	free(l.v);
}

/* The shared number and listening-address readers (gg.c). */
static void
test_num_sockaddr(void)
{
	static const struct {
		const char *in;
		int rc;
		unsigned long v;
	} nums[] = {
		{ "0", 0, 0 }, { "1", 0, 1 }, { "65535", 0, 65535 },
		{ "65536", -1, 0 }, { "-1", -1, 0 }, { "+1", -1, 0 },
		{ " 1", -1, 0 }, { "1 ", -1, 0 }, { "1x", -1, 0 },
		{ "", -1, 0 }, { "99999999999999999999999", -1, 0 },
	};
	static const struct {
		const char *in;
		int rc;
		int family;
		unsigned port;
	} addrs[] = {
		{ "127.0.0.1:9473", 0, AF_INET, 9473 },
		{ "0.0.0.0:0", 0, AF_INET, 0 },
		{ "[::1]:9473", 0, AF_INET6, 9473 },
		{ "[2001:db8::1]:65535", 0, AF_INET6, 65535 },
		{ "::1:9473", -1, 0, 0 },		/* v6 needs brackets */
		{ "[127.0.0.1]:9473", -1, 0, 0 },
		{ "127.0.0.1:65536", -1, 0, 0 },
		{ "127.0.0.1:-1", -1, 0, 0 },
		{ "127.0.0.1:", -1, 0, 0 },
		{ "127.0.0.1", -1, 0, 0 },
		{ ":9473", -1, 0, 0 },
		{ "localhost:9473", -1, 0, 0 },
		{ "192.0.2.300:80", -1, 0, 0 },
		{ "[::1:9473", -1, 0, 0 },
	};
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned long v;
	size_t i;

	for (i = 0; i < GG_NELEM(nums); i++) {
		int rc = gg_num_parse(nums[i].in, 0, 65535, &v);

		T_OK(rc == nums[i].rc && (rc || v == nums[i].v),
		    "gg_num_parse '%s' -> %d", nums[i].in, nums[i].rc);
	}
	for (i = 0; i < GG_NELEM(addrs); i++) {
		int rc = gg_sockaddr_parse(addrs[i].in, &ss, &len);
		unsigned port = ss.ss_family == AF_INET ?
		    ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port) :
		    ntohs(((struct sockaddr_in6 *)(void *)&ss)->sin6_port);

		T_OK(rc == addrs[i].rc && (rc || (ss.ss_family ==
		    addrs[i].family && port == addrs[i].port)),
		    "gg_sockaddr_parse '%s' -> %d", addrs[i].in, addrs[i].rc);
	}
}

/* A reload's settings that need a restart: named, then kept. */
static void
test_restart(void)
{
	static const char text[] = "ports 5060 5080\nmetrics off\n"
	    "window 10\nevent-log /tmp/x.jsonl\nban-rate 5\n";
	struct gg_conf was, now;
	const char *names[16];
	size_t n;

	conf_init(&was);
	conf_init(&now);
	T_OK(conf_load_buf(&now, "t", text, sizeof(text) - 1, NULL) == 0,
	    "restart: the new file loads");
	n = conf_restart_changes(&was, &now, names, GG_NELEM(names));
	T_OK(n == 3 && !strcmp(names[0], "ports") &&
	    !strcmp(names[1], "metrics") && !strcmp(names[2], "event-log"),
	    "restart: ports, metrics and event-log named, window and "
	    "ban-rate not (%zu)", n);
	T_OK(conf_restart_changes(&was, &now, names, 1) == 3,
	    "restart: the count goes past max");
	conf_restart_keep(&now, &was);
	T_OK(now.ports[0] == 5060 && now.ports[1] == 0 && now.metrics &&
	    !strcmp(now.metrics, "127.0.0.1:9473") && now.window_s == 10 &&
	    now.ban_rate == 5 && was.metrics == NULL,
	    "restart: the running values kept, the others new");
	T_OK(conf_restart_changes(&was, &now, names, GG_NELEM(names)) == 2,
	    "restart: was holds the file's strings, to be freed");
	conf_fini(&was);
	conf_fini(&now);
}

int
main(void)
{
	test_restart();
	test_num_sockaddr();
	test_cidr();
	test_duration();
	test_netlist_edit();
	test_membership();
	test_prefix_edges();
	test_errors();
	test_roundtrip();
	return t_done();
}
