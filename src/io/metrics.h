/*
 * metrics.h - Prometheus metrics: a small HTTP server and the text format.
 *
 * The server listens on a configured address ("127.0.0.1:9473",
 * "[::1]:9473"; port 0 binds an ephemeral port, metrics_port() tells which)
 * and lives in the daemon's poll loop like ctl.h: metrics_pollfds() fills
 * pollfds, metrics_process() handles what poll() found, non-blocking. It
 * answers HTTP/1.0 and 1.1, one response per connection, then closes:
 * GET (or HEAD) /metrics -> 200 with the exposition text
 * (text/plain; version=0.0.4), another path -> 404, another method -> 405,
 * a request that is not HTTP or whose head exceeds METRICS_HEAD_MAX -> 400.
 * At most METRICS_MAX_CLIENTS connections at once (more wait in the listen
 * backlog); one that has not sent its head within METRICS_TIMEOUT_MS or
 * stops reading its response for that long is dropped.
 *
 * The text comes from the render callback, called once per request in the
 * poll loop's thread: it writes with the helpers below, which produce the
 * format Prometheus parses (families with HELP and TYPE, escaped label
 * values and help text, +Inf/NaN spelled right).
 *
 * struct metrics_hist is a lock-free histogram of durations for worker
 * threads: metrics_hist_observe_ns() is three relaxed atomic additions, and
 * metrics_hist_write() emits the cumulative _bucket{le=...}, _sum and
 * _count lines (count is the sum of the buckets, so _count always equals
 * the +Inf bucket, even while threads observe).
 */
#ifndef METRICS_H
#define METRICS_H

#include <poll.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define METRICS_DEFAULT_ADDR	"127.0.0.1:9473"
#define METRICS_MAX_CLIENTS	16
#define METRICS_HEAD_MAX	8192		/* request line and headers */
#define METRICS_TIMEOUT_MS	5000
#define METRICS_BODY_MAX	(64u << 20)	/* a bigger render: 500 */
#define METRICS_HIST_NBOUNDS	13		/* 1us .. 10ms */

struct metrics;

/*
 * Listens on addr ("IPV4:PORT" or "[IPV6]:PORT"). render(arg, out) writes
 * the exposition text. Returns the server, or NULL with a message in err
 * (errsz bytes).
 */
struct metrics	*metrics_open(const char *addr,
		    void (*render)(void *arg, FILE *out), void *arg,
		    char *err, size_t errsz);

/* The port bound (useful after port 0). */
unsigned	 metrics_port(const struct metrics *m);

/*
 * Fills at most max pollfds: the listening socket (while fewer than
 * METRICS_MAX_CLIENTS connections are open) and each connection. Returns
 * how many were filled; at most METRICS_MAX_CLIENTS + 1 are ever needed.
 */
size_t		 metrics_pollfds(struct metrics *m, struct pollfd *p,
		    size_t max);

/*
 * Handles the n pollfds (as filled by metrics_pollfds(), with revents from
 * poll(); others' fds are ignored) and drops connections past their
 * deadline. now_ms is a monotonic clock in milliseconds.
 */
void		 metrics_process(struct metrics *m, const struct pollfd *p,
		    size_t n, uint64_t now_ms);

/* Milliseconds until the next deadline (a poll() timeout), -1: none. */
int		 metrics_timeout(const struct metrics *m, uint64_t now_ms);

/* Closes every connection and the listening socket. NULL is fine. */
void		 metrics_close(struct metrics *m);

/*
 * The format. name: [a-zA-Z_:][a-zA-Z0-9_:]*; type: "counter", "gauge",
 * "histogram", "summary" or "untyped". Writes # HELP (help escaped) and
 * # TYPE.
 */
void	metrics_family(FILE *out, const char *name, const char *type,
	    const char *help);

/*
 * One sample: name{labels} value. labels is the inside of the braces,
 * built with metrics_label_add(), or NULL/"" for none.
 */
void	metrics_sample(FILE *out, const char *name, const char *labels,
	    double val);
void	metrics_sample_u64(FILE *out, const char *name, const char *labels,
	    uint64_t val);

/*
 * Appends name="value" (value escaped: backslash, quote, newline) to the
 * NUL-terminated label list in buf (size sz), with a comma when buf is not
 * empty. Returns 0, or -1 when it does not fit (buf is left unchanged).
 */
int	metrics_label_add(char *buf, size_t sz, const char *name,
	    const char *val);

/* A histogram of durations; zero it (static or memset) before use. */
struct metrics_hist {
	atomic_uint_fast64_t bucket[METRICS_HIST_NBOUNDS + 1]; /* not
						 * cumulative; the last is
						 * above the top bound */
	atomic_uint_fast64_t sum_ns;		/* of all observations */
};

/* Counts one duration in nanoseconds. Any thread, lock-free. */
void	metrics_hist_observe_ns(struct metrics_hist *h, uint64_t ns);

/*
 * Writes the samples of one histogram series: name_bucket with le in
 * seconds, cumulative, ending with le="+Inf"; name_sum in seconds;
 * name_count. labels (or NULL) are added to each sample. For several
 * labelled series of one family: metrics_family(out, name, "histogram",
 * help) once, then this for each.
 */
void	metrics_hist_samples(FILE *out, const char *name, const char *labels,
	    struct metrics_hist *h);

/* The family (HELP, TYPE histogram) and its one unlabelled series. */
void	metrics_hist_write(FILE *out, const char *name, const char *help,
	    struct metrics_hist *h);

#endif /* METRICS_H */
