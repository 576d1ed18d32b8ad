/*
 * metrics.c - GET /metrics over a minimal non-blocking HTTP server, and
 * the exposition format's writers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/gg.h"
#include "metrics.h"

/* One HTTP connection: reading its head, then writing its response. */
struct metrics_conn {
	int		 fd;		/* -1: slot free */
	char		 head[METRICS_HEAD_MAX]; /* the request so far */
	size_t		 headlen;	/* bytes in head */
	char		*resp;		/* the response; NULL while reading */
	size_t		 resplen;	/* its size */
	size_t		 sent;		/* bytes of it sent */
	uint64_t	 deadline_ms;	/* dropped when reached */
};

struct metrics {
	int		 lfd;		/* listening socket */
	unsigned	 port;		/* bound port */
	void		(*render)(void *, FILE *);
	void		*arg;		/* render's */
	struct metrics_conn conn[METRICS_MAX_CLIENTS];
	size_t		 nconn;		/* slots in use */
};

/* Upper bounds of the histogram's buckets, and the same as le text. */
static const uint64_t metrics_bound_ns[METRICS_HIST_NBOUNDS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};
static const char *const metrics_bound_le[METRICS_HIST_NBOUNDS] = {
	"1e-06", "2.5e-06", "5e-06", "1e-05", "2.5e-05", "5e-05", "0.0001",
	"0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
};

struct metrics *
metrics_open(const char *addr, void (*render)(void *, FILE *), void *arg,
    char *err, size_t errsz)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct metrics *m;
	int one = 1;
	size_t i;

	if (gg_sockaddr_parse(addr, &ss, &sslen) < 0) {
		snprintf(err, errsz, "metrics address '%s': expected "
		    "IPV4:PORT or [IPV6]:PORT", addr);
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errsz, "metrics: %s", strerror(errno));
		return NULL;
	}
	m->render = render;
	m->arg = arg;
	for (i = 0; i < METRICS_MAX_CLIENTS; i++)
		m->conn[i].fd = -1;
	m->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (m->lfd < 0)
		goto out_err;
	setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(m->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(m->lfd, (struct sockaddr *)&ss, sslen) < 0 ||
	    listen(m->lfd, 64) < 0 ||
	    getsockname(m->lfd, (struct sockaddr *)&ss, &sslen) < 0)
		goto out_err;
	m->port = ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return m;
out_err:
	snprintf(err, errsz, "metrics: listen on %s: %s", addr,
	    strerror(errno));
	if (m->lfd >= 0)
		close(m->lfd);
	free(m);
	return NULL;
}

unsigned
metrics_port(const struct metrics *m)
{
	return m->port;
}

static void
metrics_drop(struct metrics *m, struct metrics_conn *c)
{
	close(c->fd);
	free(c->resp);
	c->fd = -1;
	c->resp = NULL;
	m->nconn--;
}

size_t
metrics_pollfds(struct metrics *m, struct pollfd *p, size_t max)
{
	size_t i, n = 0;

	if (m->nconn < METRICS_MAX_CLIENTS && n < max)
		p[n++] = (struct pollfd){ .fd = m->lfd, .events = POLLIN };
	for (i = 0; i < METRICS_MAX_CLIENTS && n < max; i++)
		if (m->conn[i].fd >= 0)
			p[n++] = (struct pollfd){ .fd = m->conn[i].fd,
			    .events = m->conn[i].resp ? POLLOUT : POLLIN };
	return n;
}

/*
 * Makes c's response: status, headers and, unless head_only, the body.
 * On allocation failure the connection is dropped.
 */
static void
metrics_respond(struct metrics *m, struct metrics_conn *c, int status,
    const char *body, size_t blen, bool head_only)
{
	static const char text_type[] = "text/plain; version=0.0.4; "
	    "charset=utf-8";
	const char *reason;
	char hdr[256];
	int hlen;

	switch (status) {
	case 200: reason = "OK"; break;
	case 400: reason = "Bad Request"; break;
	case 404: reason = "Not Found"; break;
	case 405: reason = "Method Not Allowed"; break;
	default: reason = "Internal Server Error"; break;
	}
	hlen = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n%s"
	    "Connection: close\r\n\r\n", status, reason,
	    status == 200 ? text_type : "text/plain; charset=utf-8", blen,
	    status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (head_only)
		blen = 0;
	if ((c->resp = malloc((size_t)hlen + blen + 1)) == NULL) {
		metrics_drop(m, c);
		return;
	}
	memcpy(c->resp, hdr, (size_t)hlen);
	if (blen)
		memcpy(c->resp + hlen, body, blen);
	c->resplen = (size_t)hlen + blen;
	c->sent = 0;
}

/* The 200: the render callback's text, when it fits in the cap. */
static void
metrics_respond_render(struct metrics *m, struct metrics_conn *c,
    bool head_only)
{
	static const char big[] = "metrics text exceeds the size cap\n";
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL) {
		metrics_respond(m, c, 500, "out of memory\n", 14, head_only);
		return;
	}
	m->render(m->arg, f);
	if (fclose(f) != 0)
		metrics_respond(m, c, 500, "render failed\n", 14, head_only);
	else if (len > METRICS_BODY_MAX)
		metrics_respond(m, c, 500, big, sizeof(big) - 1, head_only);
	else
		metrics_respond(m, c, 200, text, len, head_only);
	free(text);
}

/* Judges a complete head (NUL-terminated) and makes the response. */
static void
metrics_request(struct metrics *m, struct metrics_conn *c)
{
	char *line = c->head, *sp1, *sp2, *eol, *q;
	bool get, head;

	eol = line + strcspn(line, "\r\n");
	*eol = '\0';
	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL || strchr(sp2 + 1, ' ') ||
	    (strcmp(sp2 + 1, "HTTP/1.0") && strcmp(sp2 + 1, "HTTP/1.1")) ||
	    sp1 == line || sp1[1] != '/') {
		metrics_respond(m, c, 400, "bad request\n", 12, false);
		return;
	}
	*sp1 = *sp2 = '\0';
	if ((q = strchr(sp1 + 1, '?')) != NULL)
		*q = '\0';
	get = !strcmp(line, "GET");
	head = !strcmp(line, "HEAD");
	if (!get && !head)
		metrics_respond(m, c, 405, "method not allowed\n", 19, false);
	else if (strcmp(sp1 + 1, "/metrics"))
		metrics_respond(m, c, 404, "not found: try /metrics\n", 24,
		    head);
	else
		metrics_respond_render(m, c, head);
}

/* Reads what came; a whole head gets its response. */
static void
metrics_read(struct metrics *m, struct metrics_conn *c)
{
	size_t room = sizeof(c->head) - 1 - c->headlen;
	ssize_t n;

	n = recv(c->fd, c->head + c->headlen, room, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		metrics_drop(m, c);	/* gone before its request */
		return;
	}
	c->headlen += (size_t)n;
	c->head[c->headlen] = '\0';
	if (memchr(c->head, '\0', c->headlen))
		metrics_respond(m, c, 400, "bad request\n", 12, false);
	else if (strstr(c->head, "\r\n\r\n") || strstr(c->head, "\n\n"))
		metrics_request(m, c);
	else if (c->headlen == sizeof(c->head) - 1)
		metrics_respond(m, c, 400, "request head too large\n", 23,
		    false);
}

/* Sends what the socket takes; done: closes. */
static void
metrics_write(struct metrics *m, struct metrics_conn *c, uint64_t now_ms)
{
	ssize_t n;

	n = send(c->fd, c->resp + c->sent, c->resplen - c->sent,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		metrics_drop(m, c);
		return;
	}
	c->sent += (size_t)n;
	c->deadline_ms = now_ms + METRICS_TIMEOUT_MS;
	if (c->sent == c->resplen)
		metrics_drop(m, c);
}

static void
metrics_accept(struct metrics *m, uint64_t now_ms)
{
	size_t i;
	int fd;

	while (m->nconn < METRICS_MAX_CLIENTS) {
		fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;	/* EAGAIN, or a connection that went away */
		for (i = 0; m->conn[i].fd >= 0; i++)
			;
		m->conn[i].fd = fd;
		m->conn[i].headlen = 0;
		m->conn[i].deadline_ms = now_ms + METRICS_TIMEOUT_MS;
		m->nconn++;
	}
}

void
metrics_process(struct metrics *m, const struct pollfd *p, size_t n,
    uint64_t now_ms)
{
	struct metrics_conn *c;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (p[i].revents == 0 || p[i].fd < 0)
			continue;
		if (p[i].fd == m->lfd) {
			metrics_accept(m, now_ms);
			continue;
		}
		for (j = 0; j < METRICS_MAX_CLIENTS; j++)
			if (m->conn[j].fd == p[i].fd)
				break;
		if (j == METRICS_MAX_CLIENTS)
			continue;
		c = &m->conn[j];
		if (c->resp == NULL) {
			metrics_read(m, c);
			if (c->fd >= 0 && c->resp)
				c->deadline_ms = now_ms + METRICS_TIMEOUT_MS;
		}
		/* A response just made is sent at once, mostly whole. */
		if (c->fd >= 0 && c->resp)
			metrics_write(m, c, now_ms);
	}
	for (j = 0; j < METRICS_MAX_CLIENTS; j++)
		if (m->conn[j].fd >= 0 && now_ms >= m->conn[j].deadline_ms)
			metrics_drop(m, &m->conn[j]);
}

int
metrics_timeout(const struct metrics *m, uint64_t now_ms)
{
	uint64_t next = UINT64_MAX;
	size_t j;

	for (j = 0; j < METRICS_MAX_CLIENTS; j++)
		if (m->conn[j].fd >= 0 && m->conn[j].deadline_ms < next)
			next = m->conn[j].deadline_ms;
	if (next == UINT64_MAX)
		return -1;
	return next <= now_ms ? 0 : (int)(next - now_ms);
}

void
metrics_close(struct metrics *m)
{
	size_t j;

	if (m == NULL)
		return;
	for (j = 0; j < METRICS_MAX_CLIENTS; j++)
		if (m->conn[j].fd >= 0)
			metrics_drop(m, &m->conn[j]);
	close(m->lfd);
	free(m);
}

/* Writes s with backslash and newline escaped, and quote when asked. */
static void
metrics_escape(FILE *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '"' && quote)
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

void
metrics_family(FILE *out, const char *name, const char *type,
    const char *help)
{
	fprintf(out, "# HELP %s ", name);
	metrics_escape(out, help, false);
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

/* The value as Go's ParseFloat reads it, shortest exact form. */
static void
metrics_value(FILE *out, double v)
{
	char buf[40];

	if (isnan(v)) {
		fputs("NaN", out);
	} else if (isinf(v)) {
		fputs(v > 0 ? "+Inf" : "-Inf", out);
	} else {
		snprintf(buf, sizeof(buf), "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, sizeof(buf), "%.17g", v);
		fputs(buf, out);
	}
}

static void
metrics_name(FILE *out, const char *name, const char *labels)
{
	if (labels && *labels)
		fprintf(out, "%s{%s} ", name, labels);
	else
		fprintf(out, "%s ", name);
}

void
metrics_sample(FILE *out, const char *name, const char *labels, double val)
{
	metrics_name(out, name, labels);
	metrics_value(out, val);
	fputc('\n', out);
}

void
metrics_sample_u64(FILE *out, const char *name, const char *labels,
    uint64_t val)
{
	metrics_name(out, name, labels);
	fprintf(out, "%" PRIu64 "\n", val);
}

int
metrics_label_add(char *buf, size_t sz, const char *name, const char *val)
{
	size_t len = strlen(buf), start = len;
	const char *s;

	/* Worst case: comma, name, =", each byte escaped, ", NUL. */
	if (len + 1 + strlen(name) + 2 + 2 * strlen(val) + 2 > sz) {
		/* Escape exactly and check again before giving up. */
		size_t need = len + (len ? 1 : 0) + strlen(name) + 4;

		for (s = val; *s; s++)
			need += (*s == '\\' || *s == '"' || *s == '\n') ? 2 : 1;
		if (need > sz)
			return -1;
	}
	len += (size_t)snprintf(buf + len, sz - len, "%s%s=\"",
	    start ? "," : "", name);
	for (s = val; *s; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n')
			buf[len++] = '\\';
		buf[len++] = *s == '\n' ? 'n' : *s;
	}
	buf[len++] = '"';
	buf[len] = '\0';
	return 0;
}

void
metrics_hist_observe_ns(struct metrics_hist *h, uint64_t ns)
{
	size_t i = 0;

	while (i < METRICS_HIST_NBOUNDS && ns > metrics_bound_ns[i])
		i++;
	atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}

void
metrics_hist_samples(FILE *out, const char *name, const char *labels,
    struct metrics_hist *h)
{
	uint64_t cum = 0;
	size_t i;
	bool lab = labels && *labels;

	for (i = 0; i <= METRICS_HIST_NBOUNDS; i++) {
		cum += atomic_load_explicit(&h->bucket[i],
		    memory_order_relaxed);
		fprintf(out, "%s_bucket{%s%sle=\"%s\"} %" PRIu64 "\n", name,
		    lab ? labels : "", lab ? "," : "",
		    i < METRICS_HIST_NBOUNDS ? metrics_bound_le[i] : "+Inf",
		    cum);
	}
	fprintf(out, "%s_sum", name);
	if (lab)
		fprintf(out, "{%s}", labels);
	fputc(' ', out);
	metrics_value(out, (double)atomic_load_explicit(&h->sum_ns,
	    memory_order_relaxed) / 1e9);
	fputc('\n', out);
	fprintf(out, "%s_count", name);
	if (lab)
		fprintf(out, "{%s}", labels);
	fprintf(out, " %" PRIu64 "\n", cum);
}

void
metrics_hist_write(FILE *out, const char *name, const char *help,
    struct metrics_hist *h)
{
	metrics_family(out, name, "histogram", help);
	metrics_hist_samples(out, name, NULL, h);
}
