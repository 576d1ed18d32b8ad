/*
 * conf.c - reading, checking and printing the configuration file.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf.h"

#define CONF_MAX_WORDS	8
#define CONF_MAX_LINE	1024

/* Where we are in the file, for messages. */
struct conf_ctx {
	struct gg_conf	*c;
	const char	*name;	/* file name for messages */
	unsigned	 line;	/* current line, from 1 */
	int		 errors;
	FILE		*errs;
};

static void __attribute__((format(printf, 2, 3)))
conf_err(struct conf_ctx *x, const char *fmt, ...)
{
	va_list ap;

	x->errors++;
	if (x->errs == NULL)
		return;
	fprintf(x->errs, "%s:%u: ", x->name, x->line);
	va_start(ap, fmt);
	vfprintf(x->errs, fmt, ap);
	va_end(ap);
	fputc('\n', x->errs);
}

static void	conf_str_defaults(struct gg_conf *c);

void
conf_init(struct gg_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->ports[0] = 5060;
	c->tracker_sources = 100000;
	c->window_s = 3600;
	c->th_extensions = 5;
	c->th_hosts = 5;
	c->th_auth_failures = 5;
	c->th_rate = 50;
	c->th_malformed = 5;
	c->th_policy = 5;
	c->ban_min_packets = 3;
	c->min_confidence = 80;
	c->ban_ladder_s[0] = 600;
	c->ban_ladder_s[1] = 3600;
	c->ban_ladder_s[2] = 86400;
	c->ban_ladder_s[3] = 7 * 86400;
	c->ban_nladder = 4;
	c->ban_probation_s = 60;
	c->ban_forget_s = 7 * 86400;
	c->ban_rate = 600;
	c->ban_max = 1000000;
	c->ban_v6_plen = 64;
	c->ban_v6_addrs = 3;
	c->conntrack_flush = true;
	/* The string defaults come after the table below. */
	conf_str_defaults(c);
}

/* The string settings and their defaults. */
static const struct {
	const char	*name;
	size_t		 off;
	const char	*def;		/* NULL: off by default */
	const char	*usage;		/* the values it takes */
} conf_strs[] = {
	{ "ban-backend", offsetof(struct gg_conf, ban_backend), "nft",
	    "nft|ipset|none" },
	{ "state-file", offsetof(struct gg_conf, state_file),
	    "/var/lib/ghostguard/state", "/ABSOLUTE/PATH|off" },
	{ "control-socket", offsetof(struct gg_conf, control_socket),
	    "/run/ghostguard/ctl.sock", "/ABSOLUTE/PATH|off" },
	{ "control-group", offsetof(struct gg_conf, control_group), NULL,
	    "GROUP|off" },
	{ "metrics", offsetof(struct gg_conf, metrics), "127.0.0.1:9473",
	    "ADDRESS:PORT|off" },
	{ "event-log", offsetof(struct gg_conf, event_log),
	    "/var/log/ghostguard/events.jsonl", "/ABSOLUTE/PATH|off" },
	{ "user", offsetof(struct gg_conf, user), NULL, "USER|off" },
};

/* The index of the string setting named d, or -1. */
static int
conf_str_index(const char *d)
{
	size_t i;

	for (i = 0; i < GG_NELEM(conf_strs); i++)
		if (!strcmp(d, conf_strs[i].name))
			return (int)i;
	return -1;
}

static char **
conf_str(struct gg_conf *c, size_t i)
{
	return (char **)(void *)((char *)c + conf_strs[i].off);
}

static const char *
conf_str_get(const struct gg_conf *c, size_t i)
{
	return *(char *const *)(const void *)((const char *)c +
	    conf_strs[i].off);
}

/* The defaults; an allocation failure leaves a setting off, safely. */
static void
conf_str_defaults(struct gg_conf *c)
{
	size_t i;

	for (i = 0; i < GG_NELEM(conf_strs); i++)
		*conf_str(c, i) = conf_strs[i].def ? strdup(conf_strs[i].def) :
		    NULL;
}

/* Sets the string i to v (a copy; "off" for NULL). */
static int
conf_str_set(struct gg_conf *c, size_t i, const char *v)
{
	char **p = conf_str(c, i), *n = NULL;

	if (v && strcmp(v, "off") && (n = strdup(v)) == NULL)
		return -1;
	free(*p);
	*p = n;
	return 0;
}

static void
netlist_fini(struct conf_netlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->src[i]);
	free(l->src);
	free(l->line);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
conf_fini(struct gg_conf *c)
{
	netlist_fini(&c->trusted);
	netlist_fini(&c->protect);
	netlist_fini(&c->trusted_only);
	netlist_fini(&c->allow);
	netlist_fini(&c->deny);
	free(c->signatures);
	for (size_t i = 0; i < GG_NELEM(conf_strs); i++)
		free(*conf_str(c, i));
	memset(c, 0, sizeof(*c));
}

int
conf_netlist_add(struct conf_netlist *l, const struct conf_cidr *n,
    const char *src, unsigned line)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct conf_cidr *v = realloc(l->v, cap * sizeof(*v));
		char **s;
		unsigned *ln;

		if (v == NULL)
			return -1;
		l->v = v;
		if ((s = realloc(l->src, cap * sizeof(*s))) == NULL)
			return -1;
		l->src = s;
		if ((ln = realloc(l->line, cap * sizeof(*ln))) == NULL)
			return -1;
		l->line = ln;
		l->cap = cap;
	}
	if ((l->src[l->n] = strdup(src)) == NULL)
		return -1;
	l->v[l->n] = *n;
	l->line[l->n] = line;
	l->n++;
	return 0;
}

int
conf_netlist_del(struct conf_netlist *l, const struct conf_cidr *n)
{
	size_t i, k = 0;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].plen == n->plen &&
		    gg_addr_eq(&l->v[i].addr, &n->addr)) {
			free(l->src[i]);
			continue;
		}
		l->v[k] = l->v[i];
		l->src[k] = l->src[i];
		l->line[k] = l->line[i];
		k++;
	}
	if (k == l->n)
		return -1;
	l->n = k;
	return 0;
}

static void
cidr_clear_host(struct conf_cidr *n)
{
	unsigned bits = n->addr.family == AF_INET ? 32 : 128, i;

	for (i = n->plen; i < bits; i++)
		n->addr.a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

int
conf_cidr_parse(const char *s, struct conf_cidr *out)
{
	char buf[GG_ADDRSTRLEN + 8], *slash, *end;
	unsigned long plen;
	unsigned max;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (gg_addr_parse(buf, &out->addr) != 0)
		return -1;
	max = out->addr.family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		out->plen = (uint8_t)max;
		return 0;
	}
	errno = 0;
	plen = strtoul(slash, &end, 10);
	if (errno || end == slash || *end != '\0' || plen > max)
		return -1;
	out->plen = (uint8_t)plen;
	cidr_clear_host(out);
	return 0;
}

/*
 * Adds an address, a CIDR or a host name (every address it resolves to) to l.
 * Names are resolved now, once: the packet path compares addresses only.
 */
static void
add_net(struct conf_ctx *x, struct conf_netlist *l, const char *word)
{
	struct conf_cidr n;
	struct addrinfo hints, *res = NULL, *ai;
	int rc, found = 0;

	if (conf_cidr_parse(word, &n) == 0) {
		if (conf_netlist_add(l, &n, word, x->line) != 0)
			conf_err(x, "out of memory");
		return;
	}
	if (strchr(word, '/') || strspn(word, "0123456789.:") == strlen(word)) {
		conf_err(x, "'%s' is not an address or network", word);
		return;
	}
	if (x->c->no_resolve) {
		conf_err(x, "'%s': host names are not resolved here", word);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(word, NULL, &hints, &res);
	if (rc != 0) {
		conf_err(x, "cannot resolve '%s': %s", word, gai_strerror(rc));
		return;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		memset(&n, 0, sizeof(n));
		if (ai->ai_family == AF_INET) {
			n.addr.family = AF_INET;
			memcpy(n.addr.a, &((struct sockaddr_in *)(void *)
			    ai->ai_addr)->sin_addr, 4);
			n.plen = 32;
		} else if (ai->ai_family == AF_INET6) {
			n.addr.family = AF_INET6;
			memcpy(n.addr.a, &((struct sockaddr_in6 *)(void *)
			    ai->ai_addr)->sin6_addr, 16);
			n.plen = 128;
		} else
			continue;
		/* getaddrinfo repeats addresses; keep each once. */
		if (conf_netlist_has(l, &n.addr) && found)
			continue;
		if (conf_netlist_add(l, &n, word, x->line) != 0)
			conf_err(x, "out of memory");
		found++;
	}
	freeaddrinfo(res);
	if (!found)
		conf_err(x, "'%s' has no IPv4 or IPv6 address", word);
}

/* Parses an unsigned number in [lo, hi] or reports why not. */
static int
get_num(struct conf_ctx *x, const char *what, const char *w,
    unsigned long lo, unsigned long hi, unsigned long *out)
{
	if (gg_num_parse(w, lo, hi, out) != 0) {
		conf_err(x, "%s: '%s' is not a number from %lu to %lu", what,
		    w, lo, hi);
		return -1;
	}
	return 0;
}

static int
get_bool(struct conf_ctx *x, const char *what, const char *w, bool *out)
{
	if (!strcmp(w, "yes") || !strcmp(w, "on") || !strcmp(w, "true")) {
		*out = true;
		return 0;
	}
	if (!strcmp(w, "no") || !strcmp(w, "off") || !strcmp(w, "false")) {
		*out = false;
		return 0;
	}
	conf_err(x, "%s: '%s' is not yes or no", what, w);
	return -1;
}

/* The "threshold NAME N" settings: name, field offset, range. */
static const struct {
	const char	*name;
	size_t		 off;
	unsigned	 lo, hi;
} thresholds[] = {
	{ "extensions", offsetof(struct gg_conf, th_extensions), 2, 1000 },
	{ "hosts", offsetof(struct gg_conf, th_hosts), 2, 1000 },
	{ "auth-failures", offsetof(struct gg_conf, th_auth_failures), 1,
	    1000 },
	{ "rate", offsetof(struct gg_conf, th_rate), 1, 1000000 },
	{ "malformed", offsetof(struct gg_conf, th_malformed), 1, 1000 },
	{ "policy", offsetof(struct gg_conf, th_policy), 1, 1000 },
};

/* "extensions|hosts|...": the threshold names, for messages. */
static const char *
threshold_names(char *buf, size_t sz)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < GG_NELEM(thresholds) && len < sz; i++)
		len += (size_t)snprintf(buf + len, sz - len, "%s%s",
		    i ? "|" : "", thresholds[i].name);
	return buf;
}

static void
do_threshold(struct conf_ctx *x, char **w, int nw)
{
	unsigned long v;
	size_t i;
	char names[128];

	if (nw != 3) {
		conf_err(x, "usage: threshold %s NUMBER",
		    threshold_names(names, sizeof(names)));
		return;
	}
	for (i = 0; i < GG_NELEM(thresholds); i++) {
		if (strcmp(w[1], thresholds[i].name) != 0)
			continue;
		if (get_num(x, w[1], w[2], thresholds[i].lo, thresholds[i].hi,
		    &v) == 0)
			*(unsigned *)(void *)((char *)x->c + thresholds[i].off)
			    = (unsigned)v;
		return;
	}
	conf_err(x, "unknown threshold '%s' (%s)", w[1],
	    threshold_names(names, sizeof(names)));
}

static void
do_ports(struct conf_ctx *x, char **w, int nw)
{
	unsigned long v;
	int i, n = 0;

	if (nw < 2 || nw - 1 > CONF_MAX_PORTS - 1) {
		conf_err(x, "usage: ports PORT... (1 to %d ports, each 1 to "
		    "65535)", CONF_MAX_PORTS - 1);
		return;
	}
	for (i = 1; i < nw; i++)
		if (get_num(x, "ports", w[i], 1, 65535, &v) != 0)
			return;
	memset(x->c->ports, 0, sizeof(x->c->ports));
	for (i = 1; i < nw; i++) {
		get_num(x, "ports", w[i], 1, 65535, &v);
		x->c->ports[n++] = (uint16_t)v;
	}
}

static void
do_protect(struct conf_ctx *x, char **w, int nw)
{
	size_t before = x->c->protect.n;

	if (nw < 2 || nw > 3 || (nw == 3 && strcmp(w[2], "trusted-only"))) {
		conf_err(x, "usage: protect NETWORK [trusted-only]");
		return;
	}
	add_net(x, &x->c->protect, w[1]);
	if (nw == 3 && x->c->protect.n > before)
		add_net(x, &x->c->trusted_only, w[1]);
}

int
conf_duration_parse(const char *s, uint32_t *out)
{
	static const struct { char u; uint32_t mul; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end != '\0') {
		for (i = 0; i < GG_NELEM(units); i++)
			if (end[0] == units[i].u && end[1] == '\0')
				break;
		if (i == GG_NELEM(units))
			return -1;
		v *= units[i].mul;
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

char *
conf_duration_fmt(uint32_t s, char *buf, size_t sz)
{
	static const struct { char u; uint32_t div; } units[] = {
		{ 'w', 7 * 86400 }, { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 },
	};
	size_t i;

	for (i = 0; s && i < GG_NELEM(units); i++)
		if (s % units[i].div == 0) {
			snprintf(buf, sz, "%u%c", s / units[i].div, units[i].u);
			return buf;
		}
	snprintf(buf, sz, "%u%s", s, s ? "s" : "");
	return buf;
}

/* A duration word in [lo, hi] seconds, or an error naming what. */
static int
get_duration(struct conf_ctx *x, const char *what, const char *w,
    uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint32_t v;

	if (conf_duration_parse(w, &v) != 0 || v < lo || v > hi) {
		conf_err(x, "%s: '%s' is not a duration from %us to %us "
		    "(a number, with s, m, h, d or w)", what, w, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static void
do_ladder(struct conf_ctx *x, char **w, int nw)
{
	uint32_t v[CONF_LADDER_MAX];
	int i;

	if (nw < 2 || nw - 1 > CONF_LADDER_MAX) {
		conf_err(x, "usage: ban-ladder DURATION... (1 to %d, each "
		    "1s to 3650d, none shorter than the one before)",
		    CONF_LADDER_MAX);
		return;
	}
	for (i = 1; i < nw; i++) {
		if (get_duration(x, "ban-ladder", w[i], 1, 10 * 365 * 86400u,
		    &v[i - 1]) != 0)
			return;
		if (i > 1 && v[i - 1] < v[i - 2]) {
			conf_err(x, "ban-ladder: '%s' is shorter than the rung "
			    "before it", w[i]);
			return;
		}
	}
	memcpy(x->c->ban_ladder_s, v, sizeof(v[0]) * (size_t)(nw - 1));
	x->c->ban_nladder = (unsigned)(nw - 1);
}

static void
do_v6_aggregate(struct conf_ctx *x, char **w, int nw)
{
	unsigned long plen, n;

	if (nw == 2 && !strcmp(w[1], "off")) {
		x->c->ban_v6_addrs = 0;
		return;
	}
	if (nw != 3) {
		conf_err(x, "usage: ban-v6-aggregate PREFIXLEN ADDRESSES|off "
		    "(PREFIXLEN 32 to 127, ADDRESSES 2 to 255)");
		return;
	}
	if (get_num(x, "ban-v6-aggregate prefix length", w[1], 32, 127, &plen) == 0 &&
	    get_num(x, "ban-v6-aggregate addresses", w[2], 2, 255, &n) == 0) {
		x->c->ban_v6_plen = (uint8_t)plen;
		x->c->ban_v6_addrs = (uint8_t)n;
	}
}

/* The values the one-word ban-* settings and conntrack-flush take. */
static const char *
ban_usage(const char *d)
{
	static const struct { const char *name, *usage; } u[] = {
		{ "ban-probation", "DURATION (0s to 1d)" },
		{ "ban-forget", "DURATION (1m to 365d)" },
		{ "ban-rate", "NUMBER (1 to 1000000)" },
		{ "ban-max", "NUMBER (16 to 50000000)" },
		{ "ban-backend", "nft|ipset|none" },
		{ "conntrack-flush", "yes|no" },
	};
	size_t i;

	for (i = 0; i < GG_NELEM(u); i++)
		if (!strcmp(d, u[i].name))
			return u[i].usage;
	return "VALUE";
}

/* ban-* and conntrack-flush. */
static void
do_ban(struct conf_ctx *x, char **w, int nw)
{
	struct gg_conf *c = x->c;
	const char *d = w[0];
	unsigned long v;

	if (!strcmp(d, "ban-ladder")) {
		do_ladder(x, w, nw);
		return;
	}
	if (!strcmp(d, "ban-v6-aggregate")) {
		do_v6_aggregate(x, w, nw);
		return;
	}
	if (nw != 2) {
		conf_err(x, "usage: %s %s", d, ban_usage(d));
		return;
	}
	if (!strcmp(d, "ban-probation"))
		get_duration(x, d, w[1], 0, 86400, &c->ban_probation_s);
	else if (!strcmp(d, "ban-forget"))
		get_duration(x, d, w[1], 60, 365 * 86400u, &c->ban_forget_s);
	else if (!strcmp(d, "ban-rate")) {
		if (get_num(x, d, w[1], 1, 1000000, &v) == 0)
			c->ban_rate = (uint32_t)v;
	} else if (!strcmp(d, "ban-max")) {
		if (get_num(x, d, w[1], 16, 50000000, &v) == 0)
			c->ban_max = (uint32_t)v;
	} else if (!strcmp(d, "ban-backend")) {
		if (strcmp(w[1], "nft") && strcmp(w[1], "ipset") &&
		    strcmp(w[1], "none"))
			conf_err(x, "ban-backend: '%s' is not nft, ipset or "
			    "none", w[1]);
		else if (conf_str_set(c, (size_t)conf_str_index(d), w[1]))
			conf_err(x, "out of memory");
	} else if (!strcmp(d, "conntrack-flush")) {
		get_bool(x, d, w[1], &c->conntrack_flush);
	} else {
		conf_err(x, "unknown directive '%s'", d);
	}
}

/*
 * What the daemon checks of a string setting when it opens it, checked
 * here too, so that check-config refuses what would stop the daemon at
 * start: the metrics address as metrics_open() parses it (the shared
 * gg_sockaddr_parse()), the length of the control socket's path, and,
 * with host_checks, that the user and the control group exist. 0 or -1
 * (reported).
 */
static int
check_string(struct conf_ctx *x, const char *d, const char *v)
{
	struct sockaddr_storage ss;
	socklen_t sslen;

	if (!strcmp(v, "off"))
		return 0;
	if (!strcmp(d, "metrics") && gg_sockaddr_parse(v, &ss, &sslen)) {
		conf_err(x, "metrics: '%s' is not ADDRESS:PORT (127.0.0.1:9473, "
		    "[::1]:9473) or off", v);
		return -1;
	}
	/* Port 0 would listen where the kernel picks, anew at each start:
	 * nothing could be told where to scrape. */
	if (!strcmp(d, "metrics") && (ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)(void *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)(void *)&ss)->sin6_port) == 0) {
		conf_err(x, "metrics: '%s': port 0 is not a port to serve on "
		    "(the kernel would pick another at each start): give one, "
		    "9473 by default", v);
		return -1;
	}
	if ((!strcmp(d, "state-file") || !strcmp(d, "control-socket") ||
	    !strcmp(d, "event-log")) && v[0] != '/') {
		conf_err(x, "%s: '%s' is not an absolute path", d, v);
		return -1;
	}
	if (!strcmp(d, "control-socket") &&
	    strlen(v) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		conf_err(x, "control-socket: '%s' is longer than %zu bytes, "
		    "the most a Unix socket's path can be", v,
		    sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
		return -1;
	}
	if (!x->c->host_checks)
		return 0;
	if (!strcmp(d, "user") && getpwnam(v) == NULL) {
		conf_err(x, "user: '%s' does not exist (create it: useradd "
		    "--system --no-create-home --shell /usr/sbin/nologin %s; "
		    "or set 'user off' to stay root)", v, v);
		return -1;
	}
	if (!strcmp(d, "control-group") && getgrnam(v) == NULL) {
		conf_err(x, "control-group: '%s' does not exist", v);
		return -1;
	}
	return 0;
}

/* state-file, control-socket, ...: one word, or "off". */
static void
do_string(struct conf_ctx *x, char **w, int nw, size_t i)
{
	const char *d = w[0];

	if (nw != 2) {
		conf_err(x, "usage: %s %s", d, conf_strs[i].usage);
		return;
	}
	if (check_string(x, d, w[1]) < 0)
		return;
	if (conf_str_set(x->c, i, w[1]))
		conf_err(x, "out of memory");
}

/*
 * The signature file must be readable now: a missing one is this line's
 * error, not a bare "No such file" after the config's own. On an error
 * the built-in signatures stay.
 */
static void
do_signatures(struct conf_ctx *x, char **w, int nw)
{
	char *p;

	if (nw != 2) {
		conf_err(x, "usage: signatures FILE");
		return;
	}
	if (access(w[1], R_OK) != 0) {
		conf_err(x, "signatures: cannot read '%s': %s", w[1],
		    strerror(errno));
		return;
	}
	if ((p = strdup(w[1])) == NULL) {
		conf_err(x, "out of memory");
		return;
	}
	free(x->c->signatures);
	x->c->signatures = p;
}

/* Executes one line, split into nw words. */
static void
conf_line(struct conf_ctx *x, char **w, int nw)
{
	struct gg_conf *c = x->c;
	unsigned long v;
	const char *d = w[0];

	if (!strcmp(d, "ports")) {
		do_ports(x, w, nw);
	} else if (!strcmp(d, "trusted") || !strcmp(d, "allow") ||
	    !strcmp(d, "deny")) {
		struct conf_netlist *l = d[0] == 't' ? &c->trusted :
		    d[0] == 'a' ? &c->allow : &c->deny;
		int i;

		if (nw < 2)
			conf_err(x, "usage: %s ADDRESS|NETWORK|NAME...", d);
		for (i = 1; i < nw; i++)
			add_net(x, l, w[i]);
	} else if (!strcmp(d, "protect")) {
		do_protect(x, w, nw);
	} else if (!strcmp(d, "no-ip-calls")) {
		if (nw != 2)
			conf_err(x, "usage: no-ip-calls yes|no");
		else
			get_bool(x, d, w[1], &c->no_ip_calls);
	} else if (!strcmp(d, "signatures")) {
		do_signatures(x, w, nw);
	} else if (!strcmp(d, "tracker-sources")) {
		if (nw != 2)
			conf_err(x, "usage: tracker-sources NUMBER (16 to "
			    "100000000)");
		else if (get_num(x, d, w[1], 16, 100000000, &v) == 0)
			c->tracker_sources = v;
	} else if (!strcmp(d, "window")) {
		if (nw != 2)
			conf_err(x, "usage: window SECONDS (1 to 2592000)");
		else if (get_num(x, d, w[1], 1, 30 * 86400, &v) == 0)
			c->window_s = (unsigned)v;
	} else if (!strcmp(d, "ban-min-packets")) {
		if (nw != 2)
			conf_err(x, "usage: ban-min-packets NUMBER (1 to 1000)");
		else if (get_num(x, d, w[1], 1, 1000, &v) == 0)
			c->ban_min_packets = (unsigned)v;
	} else if (!strcmp(d, "min-confidence")) {
		if (nw != 2)
			conf_err(x, "usage: min-confidence NUMBER (0 to 100)");
		else if (get_num(x, d, w[1], 0, 100, &v) == 0)
			c->min_confidence = (unsigned)v;
	} else if (!strcmp(d, "threshold")) {
		do_threshold(x, w, nw);
	} else if (!strncmp(d, "ban-", 4) || !strcmp(d, "conntrack-flush")) {
		do_ban(x, w, nw);
	} else if (conf_str_index(d) >= 0) {
		do_string(x, w, nw, (size_t)conf_str_index(d));
	} else {
		conf_err(x, "unknown directive '%s'", d);
	}
}

/* Splits line (modified in place) into words; '#' starts a comment. */
static int
split(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max)
			return -1;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			return n;
		}
		if (*p)
			*p++ = '\0';
	}
}

int
conf_load_buf(struct gg_conf *c, const char *name, const char *buf,
    size_t len, FILE *errs)
{
	struct conf_ctx x = { c, name, 0, 0, errs };
	char line[CONF_MAX_LINE + 1], *w[CONF_MAX_WORDS];
	size_t off = 0;

	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		int nw;

		x.line++;
		if (n > CONF_MAX_LINE) {
			conf_err(&x, "line longer than %d bytes", CONF_MAX_LINE);
		} else if (memchr(buf + off, '\0', n) != NULL) {
			conf_err(&x, "NUL byte in line");
		} else {
			memcpy(line, buf + off, n);
			line[n] = '\0';
			nw = split(line, w, CONF_MAX_WORDS);
			if (nw < 0)
				conf_err(&x, "too many words (at most %d)",
				    CONF_MAX_WORDS);
			else if (nw > 0)
				conf_line(&x, w, nw);
		}
		off += n + (nl != NULL);
	}
	return x.errors;
}

int
conf_load(struct gg_conf *c, const char *path, FILE *errs)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	if (f == NULL) {
		if (errs)
			fprintf(errs, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > (16u << 20) || (nb = realloc(buf, cap)) == NULL) {
				if (errs)
					fprintf(errs, "%s: file too large\n",
					    path);
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		if (errs)
			fprintf(errs, "%s: read error\n", path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	rc = conf_load_buf(c, path, buf, len, errs);
	free(buf);
	return rc;
}

static bool
str_differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

size_t
conf_restart_changes(const struct gg_conf *was, const struct gg_conf *now,
    const char **names, size_t max)
{
	size_t i, n = 0;

#define CHANGED(name) do { if (n < max) names[n] = (name); n++; } while (0)
	if (memcmp(was->ports, now->ports, sizeof(was->ports)))
		CHANGED("ports");
	if (was->tracker_sources != now->tracker_sources)
		CHANGED("tracker-sources");
	/* Every string setting is opened or used once, at start. */
	for (i = 0; i < GG_NELEM(conf_strs); i++)
		if (str_differ(conf_str_get(was, i), conf_str_get(now, i)))
			CHANGED(conf_strs[i].name);
#undef CHANGED
	return n;
}

void
conf_restart_keep(struct gg_conf *now, struct gg_conf *was)
{
	char **a, **b, *t;
	size_t i;

	memcpy(now->ports, was->ports, sizeof(now->ports));
	now->tracker_sources = was->tracker_sources;
	for (i = 0; i < GG_NELEM(conf_strs); i++) {
		a = conf_str(now, i);
		b = conf_str(was, i);
		t = *a;
		*a = *b;
		*b = t;
	}
}

/* True when l holds exactly the network n. */
static bool
netlist_holds(const struct conf_netlist *l, const struct conf_cidr *n)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].plen == n->plen &&
		    gg_addr_eq(&l->v[i].addr, &n->addr))
			return true;
	return false;
}

/* Prints each entry of l once, as written (a name that resolved to several
 * addresses is one entry). */
static void
print_list(FILE *out, const char *d, const struct conf_netlist *l,
    const char *suffix, const struct conf_netlist *also)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i > 0 && l->line[i] == l->line[i - 1] &&
		    !strcmp(l->src[i], l->src[i - 1]))
			continue;
		if (also && !netlist_holds(also, &l->v[i]))
			fprintf(out, "%s %s\n", d, l->src[i]);
		else
			fprintf(out, "%s %s%s\n", d, l->src[i], suffix);
	}
}

/* The daemon's settings, canonical. */
static void
conf_print_daemon(const struct gg_conf *c, FILE *out)
{
	char d[32];
	size_t i;

	fputs("ban-ladder", out);
	for (i = 0; i < c->ban_nladder; i++)
		fprintf(out, " %s", conf_duration_fmt(c->ban_ladder_s[i], d,
		    sizeof(d)));
	fputc('\n', out);
	fprintf(out, "ban-probation %s\n", conf_duration_fmt(
	    c->ban_probation_s, d, sizeof(d)));
	fprintf(out, "ban-forget %s\n", conf_duration_fmt(c->ban_forget_s,
	    d, sizeof(d)));
	fprintf(out, "ban-rate %u\n", c->ban_rate);
	fprintf(out, "ban-max %u\n", c->ban_max);
	if (c->ban_v6_addrs)
		fprintf(out, "ban-v6-aggregate %u %u\n", c->ban_v6_plen,
		    c->ban_v6_addrs);
	else
		fputs("ban-v6-aggregate off\n", out);
	fprintf(out, "conntrack-flush %s\n", c->conntrack_flush ? "yes" :
	    "no");
	for (i = 0; i < GG_NELEM(conf_strs); i++)
		fprintf(out, "%s %s\n", conf_strs[i].name,
		    conf_str_get(c, i) ? conf_str_get(c, i) : "off");
}

void
conf_print(const struct gg_conf *c, FILE *out)
{
	size_t i;

	fputs("ports", out);
	for (i = 0; i < CONF_MAX_PORTS && c->ports[i]; i++)
		fprintf(out, " %u", c->ports[i]);
	fputc('\n', out);
	print_list(out, "trusted", &c->trusted, "", NULL);
	print_list(out, "protect", &c->protect, " trusted-only",
	    &c->trusted_only);
	print_list(out, "allow", &c->allow, "", NULL);
	print_list(out, "deny", &c->deny, "", NULL);
	fprintf(out, "no-ip-calls %s\n", c->no_ip_calls ? "yes" : "no");
	if (c->signatures)
		fprintf(out, "signatures %s\n", c->signatures);
	fprintf(out, "tracker-sources %lu\n", c->tracker_sources);
	fprintf(out, "window %u\n", c->window_s);
	for (i = 0; i < GG_NELEM(thresholds); i++)
		fprintf(out, "threshold %s %u\n", thresholds[i].name,
		    *(const unsigned *)(const void *)((const char *)c +
		    thresholds[i].off));
	fprintf(out, "ban-min-packets %u\n", c->ban_min_packets);
	fprintf(out, "min-confidence %u\n", c->min_confidence);
	conf_print_daemon(c, out);
}
