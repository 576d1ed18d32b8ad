/*
 * ops_test.c - the daemon's edges: control socket, metrics endpoint, event
 * log, privilege drop. Real sockets in a temporary directory and on
 * 127.0.0.1; the root-only cases fork and say SKIP without root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "../lib/t.h"
#include "../../src/io/ctl.h"
#include "../../src/io/events.h"
#include "../../src/io/metrics.h"
#include "../../src/lib/gg.h"
#include "../../src/sandbox.h"
/*
 * The client is one file that the Makefile links into the daemon only:
 * compiled here with the test (when the Makefile names src/ctl_main.c for
 * ops_test, this include goes).
 */
#include "../../src/ctl_main.c"

static char tmpdir[64];

/* s on one line ('\n' shown as '|', '\r' dropped), for a description. */
static const char *
oneline(const char *s)
{
	static char buf[8][96];
	static int k;
	char *b = buf[k++ % 8];
	size_t i, n = 0;

	for (i = 0; s && s[i] && n < sizeof(buf[0]) - 1; i++)
		if (s[i] != '\r')
			b[n++] = s[i] == '\n' ? '|' : s[i];
	b[n] = '\0';
	return b;
}

/* ---- control socket ---- */

/* echo WORDS..., fail, big N (N lines), huge (past the cap). */
static int
test_handler(void *arg, int argc, char **argv, FILE *out)
{
	static char chunk[1 << 20];
	int i, n;

	(*(int *)arg)++;
	if (!strcmp(argv[0], "echo")) {
		for (i = 1; i < argc; i++)
			fprintf(out, "%s%s", i > 1 ? " " : "", argv[i]);
		return 0;
	}
	if (!strcmp(argv[0], "big") && argc == 2) {
		n = atoi(argv[1]);
		for (i = 0; i < n; i++)
			fprintf(out, "ban 10.%d.%d.%d/32 level 1\n",
			    i >> 16 & 255, i >> 8 & 255, i & 255);
		return 0;
	}
	if (!strcmp(argv[0], "huge")) {
		memset(chunk, 'x', sizeof(chunk));
		for (i = 0; i < 300; i++)
			if (fwrite(chunk, 1, sizeof(chunk), out) != sizeof(chunk))
				break;
		return 0;
	}
	fprintf(out, "unknown command '%s'\nsecond line\n", argv[0]);
	return -1;
}

/* One round of poll (up to ms) and process, at the test's clock now. */
static void
ctl_pump(struct ctl *c, uint64_t now, int ms)
{
	struct pollfd p[CTL_MAX_CLIENTS + 1];
	size_t n = ctl_pollfds(c, p, GG_NELEM(p));

	if (poll(p, n, ms) > 0)
		ctl_process(c, p, n, now);
	else
		ctl_process(c, p, 0, now);
}

static int
unix_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Reads fd to EOF while pumping the server; the reply, malloc'd, NUL-
 * terminated, in *out. Returns its length, or -1 when it did not end.
 */
static ssize_t
drain(int fd, struct ctl *c, uint64_t now, char **out)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap + 1);
	ssize_t n;
	int i;

	for (i = 0; i < 100000; i++) {
		if (c)
			ctl_pump(c, now, 1);
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
		n = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0)
			len += (size_t)n;
		else if (errno != EAGAIN)
			break;
	}
	buf[len] = '\0';
	*out = buf;
	return i == 100000 ? -1 : (ssize_t)len;
}

/* Connects, sends len bytes (shut: then half-closes), returns the reply. */
static char *
ctl_talk(struct ctl *c, const char *path, const char *req, size_t len,
    bool shut)
{
	char *reply = NULL;
	int fd = unix_connect(path);

	if (fd < 0)
		return strdup("(connect failed)");
	if (len && send(fd, req, len, MSG_NOSIGNAL) < 0)
		perror("send");
	if (shut)
		shutdown(fd, SHUT_WR);
	drain(fd, c, 0, &reply);
	close(fd);
	return reply;
}

static void
test_ctl_basic(struct ctl *c, const char *path, const int *calls)
{
	static const struct {
		const char *req;
		size_t len;	/* 0: strlen */
		bool shut;
		const char *want;
	} cases[] = {
		{ "echo a b\n", 0, false, "ok\na b\n" },
		{ "echo  \ta   b\r\n", 0, false, "ok\na b\n" },
		{ "echo\n", 0, false, "ok\n" },
		/* An error's later lines follow it as they are. */
		{ "nope x\n", 0, false,
		    "error: unknown command 'nope'\nsecond line\n" },
		{ "\n", 0, false, "error: empty request" },
		{ "   \n", 0, false, "error: empty request" },
		{ "echo a\0b\n", 9, false, "error: request is not a text line" },
		{ "\x01\x02\xff\xfe\n", 0, false,
		    "error: request is not a text line" },
		{ "echo half", 0, true,
		    "error: request not terminated by a newline" },
		{ "", 0, true, "" },
	};
	char *r;
	size_t i;

	for (i = 0; i < GG_NELEM(cases); i++) {
		r = ctl_talk(c, path, cases[i].req, cases[i].len ?
		    cases[i].len : strlen(cases[i].req), cases[i].shut);
		T_OK(strncmp(r, cases[i].want, strlen(cases[i].want)) == 0 &&
		    (cases[i].want[0] || !r[0]), "ctl request %zu: '%s'", i,
		    oneline(r));
		free(r);
	}
	T_OK(*calls == 4, "the handler ran for whole lines only (%d)",
	    *calls);
}

static void
test_ctl_limits(struct ctl *c, const char *path)
{
	char big[10000], *r;
	size_t i, lines = 0;
	ssize_t len;
	int fd;

	memset(big, 'a', sizeof(big));
	r = ctl_talk(c, path, big, sizeof(big), false);
	T_OK(strncmp(r, "error: request line too long", 28) == 0,
	    "10 kB without a newline: '%.40s'", r);
	free(r);

	/* 1M lines, sent non-blocking while the client reads slowly. */
	fd = unix_connect(path);
	send(fd, "big 1000000\n", 12, 0);
	len = drain(fd, c, 0, &r);
	close(fd);
	for (i = 0; len > 0 && i < (size_t)len; i++)
		lines += r[i] == '\n';
	T_OK(len > 0 && strncmp(r, "ok\nban 10.0.0.0/32 level 1\n", 27) == 0
	    && lines == 1000001 && strstr(r, "ban 10.15.66.63/32 level 1\n"),
	    "a 1M-line reply arrives whole (%zd bytes, %zu lines)", len,
	    lines);
	free(r);

	r = ctl_talk(c, path, "huge\n", 5, false);
	T_OK(strncmp(r, "error: reply too large", 22) == 0,
	    "a reply past 256 MiB is refused: '%.40s'", r);
	free(r);
}

static void
test_ctl_clients(struct ctl *c, const char *path)
{
	int fds[40], busy = 0, quiet = 0, i, k;
	char buf[128], *r;
	ssize_t n;

	for (i = 0; i < 40; i++)
		fds[i] = unix_connect(path);
	for (k = 0; k < 5; k++)
		ctl_pump(c, 1000, 10);
	for (i = 0; i < 40; i++) {
		n = recv(fds[i], buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n > 0) {
			buf[n] = '\0';
			busy += strncmp(buf, "error: busy", 11) == 0;
		} else if (n < 0 && errno == EAGAIN) {
			quiet++;
		}
	}
	T_OK(busy == 8 && quiet == 32, "40 clients: 32 served, 8 busy "
	    "(%d, %d)", quiet, busy);
	T_OK(ctl_timeout(c, 1000) == 2000, "next deadline in 2 s (%d)",
	    ctl_timeout(c, 1000));
	/* The quiet ones say nothing for 2 s: dropped, without a word. */
	ctl_pump(c, 3001, 0);
	for (i = 0, quiet = 0; i < 40; i++) {
		n = recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT);
		quiet += n == 0;
		close(fds[i]);
	}
	T_OK(quiet == 40 && ctl_timeout(c, 3001) == -1,
	    "silent clients dropped after 2 s (%d EOFs)", quiet);
	r = ctl_talk(c, path, "echo still here\n", 16, false);
	T_OK(strcmp(r, "ok\nstill here\n") == 0, "and the socket still "
	    "answers: '%s'", oneline(r));
	free(r);
}

/* In a child as uid/gid 65534: the reply's first line decides the code. */
static int
ctl_child(const char *path, const char *want)
{
	char buf[256];
	ssize_t n, len = 0;
	int fd;

	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
		_exit(10);
	if ((fd = unix_connect(path)) < 0)
		_exit(11);
	send(fd, "echo hi\n", 8, MSG_NOSIGNAL);
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	buf[len < 0 ? 0 : len] = '\0';
	/* The answer ends in EOF, not in a reset that loses it. */
	if (n < 0)
		_exit(13);
	_exit(strncmp(buf, want, strlen(want)) == 0 ? 0 : 12);
}

/* Runs ctl_child while serving; its exit code. */
static int
ctl_fork_peer(struct ctl *c, const char *path, const char *want)
{
	pid_t pid;
	int st = -1, i;

	fflush(stdout);
	if ((pid = fork()) == 0)
		ctl_child(path, want);
	for (i = 0; i < 5000; i++) {
		ctl_pump(c, 0, 1);
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return 98;
}

static void
test_ctl_peers(void)
{
	char path[128], err[256];
	struct ctl *c;
	int calls = 0, rc;

	if (geteuid() != 0) {
		T_SKIP("needs root", "a uid 65534 peer is refused");
		T_SKIP("needs root", "a peer in the control group is let in");
		return;
	}
	snprintf(path, sizeof(path), "%s/peer.sock", tmpdir);
	c = ctl_open(path, NULL, test_handler, &calls, err, sizeof(err));
	chmod(tmpdir, 0755);
	chmod(path, 0666);	/* past the file mode: SO_PEERCRED decides */
	rc = ctl_fork_peer(c, path, "error: permission denied (root or "
	    "group root only)\n");
	T_OK(c && rc == 0 && calls == 0, "a uid 65534 peer is refused (%d)",
	    rc);
	ctl_close(c);
	if (getgrgid(65534) == NULL) {
		T_SKIP("no group 65534", "a peer in the control group");
		return;
	}
	c = ctl_open(path, getgrgid(65534)->gr_name, test_handler, &calls,
	    err, sizeof(err));
	rc = ctl_fork_peer(c, path, "ok\nhi\n");
	T_OK(c && rc == 0 && calls == 1, "a peer in the control group is "
	    "let in (%d)", rc);
	ctl_close(c);
}

/* ghostguard ctl in a child, stdout and stderr to files; exit status. */
static int
ctl_run_client(struct ctl *c, char **argv, int argc, char **out)
{
	char opath[128];
	size_t len;
	pid_t pid;
	int st = -1, fd, i;

	snprintf(opath, sizeof(opath), "%s/client.out", tmpdir);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		fd = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		optind = 1;
		st = ctl_main(argc, argv);
		fflush(stdout);
		_exit(st);
	}
	for (i = 0; i < 5000; i++) {
		if (c)
			ctl_pump(c, 0, 1);
		if (waitpid(pid, &st, c ? WNOHANG : 0) == pid)
			break;
	}
	*out = t_slurp(opath, &len);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

static void
test_ctl_client(struct ctl *c, char *path)
{
	char *ok[] = { "ctl", "-s", path, "echo", "x", "y", NULL };
	char *bad[] = { "ctl", "-s", path, "nope", NULL };
	char *gone[] = { "ctl", "-s", "/nonexistent/ctl.sock", "status",
	    NULL };
	char *help[] = { "ctl", "--help", NULL };
	char *out;
	int rc;

	rc = ctl_run_client(c, ok, 6, &out);
	T_OK(rc == 0 && out && !strcmp(out, "x y\n"), "ghostguard ctl: ok, "
	    "the body on stdout (%d, '%s')", rc, oneline(out));
	free(out);
	rc = ctl_run_client(c, bad, 4, &out);
	T_OK(rc == 1 && out && strstr(out, "ghostguard ctl: error: unknown "
	    "command 'nope'\nsecond line\n"), "an error: exit 1, its details "
	    "on the lines after it (%d, '%s')", rc, oneline(out));
	free(out);
	rc = ctl_run_client(NULL, gone, 4, &out);
	T_OK(rc == 2 && out && strstr(out, "cannot connect to "
	    "/nonexistent/ctl.sock: No such file or directory (is ghostguard "
	    "run running?)"), "no daemon: exit 2, said clearly (%d)", rc);
	free(out);
	rc = ctl_run_client(NULL, help, 2, &out);
	T_OK(rc == 0 && out && strstr(out, "bans [--json]") &&
	    strstr(out, "explain ADDR") && strstr(out, "untrust"),
	    "--help lists the commands");
	free(out);
}

static void
test_ctl(void)
{
	char path[100], err[256], *r;
	struct ctl *c, *c2;
	struct stat st;
	int calls = 0;

	snprintf(path, sizeof(path), "%s/run/sub/ctl.sock", tmpdir);
	c = ctl_open(path, NULL, test_handler, &calls, err, sizeof(err));
	T_OK(c != NULL, "ctl_open makes the directories (%s)", c ? "" : err);
	if (c == NULL)
		return;
	T_OK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    (st.st_mode & 0777) == 0660 && (geteuid() != 0 || st.st_gid == 0),
	    "the socket is 0660, group root (%o)", st.st_mode & 0777);
	c2 = ctl_open(path, NULL, test_handler, &calls, err, sizeof(err));
	T_OK(c2 == NULL && strstr(err, "another ghostguard"),
	    "a live socket is not taken over: %s", err);
	T_OK(ctl_open(path, "no-such-group-gg", test_handler, &calls, err,
	    sizeof(err)) == NULL && strstr(err, "does not exist"),
	    "an unknown group is an error: %s", err);
	test_ctl_basic(c, path, &calls);
	test_ctl_limits(c, path);
	test_ctl_clients(c, path);
	test_ctl_client(c, path);
	ctl_close(c);
	T_OK(access(path, F_OK) < 0, "ctl_close removes the socket file");

	/* A stale socket (a daemon killed) is replaced. */
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		bind(fd, (struct sockaddr *)&sun, sizeof(sun));
		close(fd);
	}
	c = ctl_open(path, NULL, test_handler, &calls, err, sizeof(err));
	r = c ? ctl_talk(c, path, "echo again\n", 11, false) : NULL;
	T_OK(r && !strcmp(r, "ok\nagain\n"), "a stale socket file is "
	    "replaced");
	free(r);
	ctl_close(c);
	test_ctl_peers();
}

/* ---- metrics ---- */

static struct metrics_hist test_hist;

static void
test_render(void *arg, FILE *out)
{
	char labels[128] = "";

	(void)arg;
	metrics_family(out, "gg_packets_total", "counter",
	    "Packets judged, by verdict.\nSecond \\ line.");
	metrics_label_add(labels, sizeof(labels), "verdict", "drop");
	metrics_sample_u64(out, "gg_packets_total", labels, 42);
	labels[0] = '\0';
	metrics_label_add(labels, sizeof(labels), "verdict", "a\"b\\c\nd");
	metrics_label_add(labels, sizeof(labels), "tool", "svmap");
	metrics_sample_u64(out, "gg_packets_total", labels, 7);
	metrics_family(out, "gg_uptime_seconds", "gauge", "Up.");
	metrics_sample(out, "gg_uptime_seconds", NULL, 0.1);
	metrics_family(out, "gg_nan", "gauge", "Odd values.");
	metrics_sample(out, "gg_nan", "k=\"nan\"", 0.0 / 0.0);
	metrics_sample(out, "gg_nan", "k=\"inf\"", 1.0 / 0.0);
	metrics_sample(out, "gg_nan", "k=\"big\"", 1e300);
	metrics_hist_write(out, "gg_packet_seconds", "Time per packet.",
	    &test_hist);
}

static ssize_t
http_get(struct metrics *m, const char *req, size_t len, char **out)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct pollfd p[METRICS_MAX_CLIENTS + 1];
	size_t got = 0, cap = 1 << 16, n;
	char *buf = malloc(cap + 1);
	ssize_t r;
	int fd, i;

	sin.sin_port = htons((uint16_t)metrics_port(m));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		*out = strcpy(buf, "(connect failed)");
		close(fd);
		return -1;
	}
	send(fd, req, len, MSG_NOSIGNAL);
	for (i = 0; i < 10000; i++) {
		n = metrics_pollfds(m, p, GG_NELEM(p));
		if (poll(p, n, 1) > 0)
			metrics_process(m, p, n, 0);
		if (got == cap)
			buf = realloc(buf, (cap *= 2) + 1);
		r = recv(fd, buf + got, cap - got, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN))
			break;
		if (r > 0)
			got += (size_t)r;
	}
	buf[got] = '\0';
	close(fd);
	*out = buf;
	return (ssize_t)got;
}

/* Pipes text to tests/ops/prom_parse.py: 0 parsed, 1 not, 3 skip. */
static int
prom_parse(const char *text)
{
	FILE *p;
	int st;

	p = popen("for py in /usr/bin/python3 python3; do "
	    "$py -c 'import prometheus_client' 2>/dev/null && "
	    "exec $py tests/ops/prom_parse.py >/dev/null; done; exit 3", "w");
	if (p == NULL)
		return 3;
	fputs(text, p);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static void
test_metrics_http(struct metrics *m)
{
	static const struct {
		const char *req;
		const char *want;
	} cases[] = {
		{ "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
		    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; "
		    "version=0.0.4; charset=utf-8\r\n" },
		{ "GET /metrics?x=1 HTTP/1.0\n\n", "HTTP/1.1 200 OK\r\n" },
		{ "HEAD /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n" },
		{ "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found\r\n" },
		{ "GET /metricsx HTTP/1.1\r\n\r\n", "HTTP/1.1 404" },
		{ "POST /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 405" },
		{ "garbage\r\n\r\n", "HTTP/1.1 400" },
		{ "GET /metrics HTTP/2.0\r\n\r\n", "HTTP/1.1 400" },
		{ "GET  /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 400" },
		{ "\x16\x03\x01\x02\x01\xfc\x03\x03\n\n", "HTTP/1.1 400" },
	};
	char big[9000], *r, *body;
	size_t i;

	for (i = 0; i < GG_NELEM(cases); i++) {
		http_get(m, cases[i].req, strlen(cases[i].req), &r);
		T_OK(strncmp(r, cases[i].want, strlen(cases[i].want)) == 0,
		    "http %zu: '%.30s'", i, oneline(r));
		if (i == 2)
			T_OK((body = strstr(r, "\r\n\r\n")) && body[4] == '\0',
			    "HEAD: no body");
		free(r);
	}
	http_get(m, "GET /metrics\0 HTTP/1.1\r\n\r\n", 27, &r);
	T_OK(strncmp(r, "HTTP/1.1 400", 12) == 0, "a NUL in the head: 400");
	free(r);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	http_get(m, big, sizeof(big), &r);
	T_OK(strncmp(r, "HTTP/1.1 400", 12) == 0, "a 9 kB head: 400");
	free(r);
}

static void
test_metrics_text(struct metrics *m)
{
	char *r, *body;
	int rc;

	metrics_hist_observe_ns(&test_hist, 500);
	metrics_hist_observe_ns(&test_hist, 1000);
	metrics_hist_observe_ns(&test_hist, 3000);
	metrics_hist_observe_ns(&test_hist, 20000000);
	http_get(m, "GET /metrics HTTP/1.0\r\n\r\n", 25, &r);
	body = strstr(r, "\r\n\r\n");
	body = body ? body + 4 : r;
	T_OK(strstr(body, "# HELP gg_packets_total Packets judged, by "
	    "verdict.\\nSecond \\\\ line.\n# TYPE gg_packets_total counter\n"
	    "gg_packets_total{verdict=\"drop\"} 42\n"
	    "gg_packets_total{verdict=\"a\\\"b\\\\c\\nd\",tool=\"svmap\"} 7\n")
	    != NULL, "families, samples and escaping");
	T_OK(strstr(body, "gg_uptime_seconds 0.1\n") &&
	    strstr(body, "gg_nan{k=\"nan\"} NaN\n") &&
	    strstr(body, "gg_nan{k=\"inf\"} +Inf\n") &&
	    strstr(body, "gg_nan{k=\"big\"} 1e+300\n"), "values as Go "
	    "parses them");
	T_OK(strstr(body, "# TYPE gg_packet_seconds histogram\n"
	    "gg_packet_seconds_bucket{le=\"1e-06\"} 2\n"
	    "gg_packet_seconds_bucket{le=\"2.5e-06\"} 2\n"
	    "gg_packet_seconds_bucket{le=\"5e-06\"} 3\n") &&
	    strstr(body, "gg_packet_seconds_bucket{le=\"0.01\"} 3\n"
	    "gg_packet_seconds_bucket{le=\"+Inf\"} 4\n"
	    "gg_packet_seconds_sum 0.0200045\n"
	    "gg_packet_seconds_count 4\n"), "histogram: cumulative buckets, "
	    "le inclusive, sum in seconds, count");
	rc = prom_parse(body);
	if (rc == 3)
		T_SKIP("python3 prometheus_client missing",
		    "the real Prometheus parser reads the text");
	else
		T_OK(rc == 0, "the real Prometheus parser reads the text");
	free(r);
}

static void *
hist_thread(void *arg)
{
	int i;

	for (i = 0; i < 100000; i++)
		metrics_hist_observe_ns(arg, (uint64_t)i % 20000);
	return NULL;
}

static void
test_metrics(void)
{
	static const char *bad[] = { "localhost:1", "1.2.3.4", "[::1]",
	    "::1:80", "1.2.3.4:70000", "1.2.3.4:-1", "[1.2.3.4]:80", ":80" };
	struct metrics_hist h;
	struct metrics *m;
	pthread_t t[4];
	char err[256], lab[16], buf[4096];
	uint64_t sum = 0;
	size_t i;
	FILE *f;

	for (i = 0; i < GG_NELEM(bad); i++)
		T_OK(metrics_open(bad[i], test_render, NULL, err,
		    sizeof(err)) == NULL, "bad address '%s' refused", bad[i]);
	m = metrics_open("[::1]:0", test_render, NULL, err, sizeof(err));
	if (m == NULL)
		T_SKIP("no IPv6 loopback", "[::1]:0 binds");
	else
		T_OK(metrics_port(m) != 0, "[::1]:0 binds");
	metrics_close(m);
	m = metrics_open("127.0.0.1:0", test_render, NULL, err, sizeof(err));
	T_OK(m && metrics_port(m) != 0, "127.0.0.1:0 binds port %u",
	    m ? metrics_port(m) : 0);
	if (m == NULL)
		return;
	test_metrics_http(m);
	test_metrics_text(m);
	metrics_close(m);

	lab[0] = '\0';
	T_OK(metrics_label_add(lab, sizeof(lab), "a", "0123456789\"") == -1 &&
	    lab[0] == '\0', "a label that does not fit leaves buf as it was");
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hist_thread, &h);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i <= METRICS_HIST_NBOUNDS; i++)
		sum += h.bucket[i];
	f = fmemopen(buf, sizeof(buf), "w");
	metrics_hist_samples(f, "x", "q=\"1\"", &h);
	fclose(f);
	T_OK(sum == 400000 && strstr(buf, "x_count{q=\"1\"} 400000\n") &&
	    strstr(buf, "x_bucket{q=\"1\",le=\"+Inf\"} 400000\n"),
	    "4 threads x 100000 observations, none lost");
}

/* ---- events ---- */

static void *
events_thread(void *arg)
{
	struct events_line l;
	int i;

	for (i = 0; i < 1000; i++) {
		events_begin(&l, "drop", 0);
		events_add_u64(&l, "i", (uint64_t)i);
		events_add_str(&l, "pad", "padding padding padding padding");
		events_end(arg, &l);
	}
	return NULL;
}

static void
test_events(void)
{
	static const char tail[] = ",\"pad\":\"padding padding padding "
	    "padding\"}";
	char path[128], moved[128], long_val[5000], *text;
	struct events_line l;
	struct events *ev;
	pthread_t t[4];
	size_t len, i, lines = 0, good = 0;
	char *s;

	snprintf(path, sizeof(path), "%s/events.jsonl", tmpdir);
	ev = events_open(path);
	T_OK(ev != NULL, "events_open");
	if (ev == NULL)
		return;
	events_begin(&l, "ban", 1795600800123456789ull);
	events_add_str(&l, "s", "q\"b\\n\nt\t\x01\x7f");
	events_add_str(&l, "u", "\xc3\xa9\xff\xc0\xaf\xed\xa0\x80\xf0\x9f"
	    "\x98\x80\xe2\x82");
	events_add_strn(&l, "n", "a\0b", 3);
	events_add_u64(&l, "big", UINT64_MAX);
	events_add_bool(&l, "yes", true);
	events_add_raw(&l, "arr", "[1,2]");
	events_add_str(&l, "null", NULL);
	T_OK(events_end(ev, &l) == 0, "a line written");
	text = t_slurp(path, &len);
	T_OK(text && !strcmp(text, "{\"ts\":\"2026-11-25T10:00:00.123Z\","
	    "\"type\":\"ban\",\"s\":\"q\\\"b\\\\n\\nt\\t\\u0001\\u007f\","
	    "\"u\":\"\xc3\xa9\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
	    "\xf0\x9f\x98\x80\\ufffd\\ufffd\",\"n\":\"a\\u0000b\","
	    "\"big\":18446744073709551615,\"yes\":true,\"arr\":[1,2],"
	    "\"null\":null}\n"), "escaping, UTF-8, RFC 3339 ms: %s", oneline(text));
	free(text);

	memset(long_val, 'x', sizeof(long_val) - 1);
	long_val[sizeof(long_val) - 1] = '\0';
	events_begin(&l, "big", 0);
	events_add_str(&l, "v", long_val);
	events_add_u64(&l, "after", 1);
	events_end(ev, &l);
	text = t_slurp(path, &len);
	s = text ? strchr(text, '\n') + 1 : NULL;
	T_OK(s && !strcmp(s, "{\"ts\":\"1970-01-01T00:00:00.000Z\","
	    "\"type\":\"big\",\"after\":1,\"truncated\":true}\n"),
	    "a field too long is left out, the line says truncated");
	free(text);

	snprintf(moved, sizeof(moved), "%s/events.jsonl.1", tmpdir);
	rename(path, moved);
	T_OK(events_reopen(ev) == 0, "events_reopen");
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, events_thread, ev);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	text = t_slurp(path, &len);
	for (s = text; s && *s; s = strchr(s, '\n') + 1) {
		lines++;
		good += !strncmp(s, "{\"ts\":\"1970-01-01T00:00:00.000Z\","
		    "\"type\":\"drop\",\"i\":", 50) &&
		    !strncmp(strchr(s, '\n') - strlen(tail), tail,
		    strlen(tail));
	}
	T_OK(lines == 4000 && good == 4000 && events_written(ev) == 4002,
	    "4 threads: 4000 whole lines in the new file (%zu, %zu)", lines,
	    good);
	free(text);
	events_close(ev);

	ev = events_open("/dev/full");
	if (ev == NULL) {
		T_SKIP("no /dev/full", "ENOSPC is counted");
		return;
	}
	events_begin(&l, "x", 0);
	T_OK(events_end(ev, &l) == -1 && errno == ENOSPC &&
	    events_errors(ev) == 1, "ENOSPC is counted, and nothing else "
	    "happens");
	events_close(ev);
}

/* ---- sandbox ---- */

struct sb_result {
	int	rc;		/* sandbox_drop */
	uid_t	uid;
	int	regain;		/* setuid(0) result */
	uint32_t eff[2], prm[2], inh[2];
	int	amb, nnp;
	int	bound_others;	/* other caps left in the bounding set */
	char	exec_eff[32];	/* CapEff of a child exec'd after */
	char	status[512];
	char	err[256];
};

static void
sb_child(const char *user, int fd)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
	    0 };
	struct __user_cap_data_struct data[2];
	struct sb_result r;
	char line[256];
	cap_value_t v;
	FILE *p;

	memset(&r, 0, sizeof(r));
	r.rc = sandbox_drop(user, r.err, sizeof(r.err));
	r.uid = getuid();
	r.regain = setuid(0);
	capget(&hdr, data);
	r.eff[0] = data[0].effective, r.eff[1] = data[1].effective;
	r.prm[0] = data[0].permitted, r.prm[1] = data[1].permitted;
	r.inh[0] = data[0].inheritable, r.inh[1] = data[1].inheritable;
	r.amb = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_ADMIN,
	    0, 0);
	r.nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	for (v = 0; v < cap_max_bits(); v++)
		r.bound_others += v != CAP_NET_ADMIN && cap_get_bound(v) == 1;
	if ((p = popen("exec cat /proc/self/status", "r")) != NULL) {
		while (fgets(line, sizeof(line), p))
			if (!strncmp(line, "CapEff:", 7))
				sscanf(line + 7, "%31s", r.exec_eff);
		pclose(p);
	}
	sandbox_status(r.status, sizeof(r.status));
	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	_exit(0);
}

static int
sb_run(const char *user, struct sb_result *r)
{
	int fds[2], st;
	pid_t pid;
	ssize_t n;

	fflush(stdout);
	if (pipe(fds) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(fds[0]);
		sb_child(user, fds[1]);
	}
	close(fds[1]);
	n = read(fds[0], r, sizeof(*r));
	close(fds[0]);
	waitpid(pid, &st, 0);
	return n == (ssize_t)sizeof(*r) ? 0 : -1;
}

static void
test_sandbox(void)
{
	const uint32_t na = 1u << CAP_NET_ADMIN;
	struct sb_result r;
	char err[1024];

	T_OK(sandbox_drop("no-such-user-gg", err, sizeof(err)) == -1 &&
	    strstr(err, "user no-such-user-gg does not exist (create it: "
	    "useradd --system --no-create-home --shell /usr/sbin/nologin "
	    "no-such-user-gg)"), "a missing user: %s", err);
	T_OK(sandbox_status(err, sizeof(err)) == 0 && !strncmp(err, "uid ", 4)
	    && strstr(err, "no_new_privs"), "sandbox_status: %s", err);
	if (geteuid() != 0 || getpwnam("nobody") == NULL) {
		T_SKIP("needs root and user nobody", "sandbox_drop(nobody)");
		T_SKIP("needs root", "sandbox_drop(NULL)");
		return;
	}
	T_OK(sb_run("nobody", &r) == 0 && r.rc == 0, "sandbox_drop(nobody) "
	    "%s", r.err);
	T_OK(r.uid == getpwnam("nobody")->pw_uid && r.regain == -1,
	    "uid %u, root cannot come back", (unsigned)r.uid);
	T_OK(r.eff[0] == na && r.eff[1] == 0 && r.prm[0] == na &&
	    r.prm[1] == 0 && r.inh[0] == na && r.inh[1] == 0 && r.amb == 1,
	    "CAP_NET_ADMIN alone: effective, permitted, inheritable, ambient "
	    "(%x %x %x)", r.eff[0], r.prm[0], r.inh[0]);
	T_OK(r.nnp == 1 && r.bound_others == 0, "no_new_privs, bounding set "
	    "CAP_NET_ADMIN alone (%d others)", r.bound_others);
	T_OK(!strcmp(r.exec_eff, "0000000000001000"), "an exec'd helper "
	    "keeps CAP_NET_ADMIN (CapEff %s)", r.exec_eff);
	T_OK(strstr(r.status, "uid 65534 (nobody)") &&
	    strstr(r.status, "cap_net_admin=eip") &&
	    strstr(r.status, "ambient cap_net_admin"), "status: %s",
	    r.status);
	T_OK(sb_run(NULL, &r) == 0 && r.rc == 0 && r.uid == 0 &&
	    r.eff[0] == na && r.eff[1] == 0 && r.bound_others == 0 &&
	    !strcmp(r.exec_eff, "0000000000001000"),
	    "sandbox_drop(NULL): still uid 0, CAP_NET_ADMIN alone %s", r.err);
}

static void
rm_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gg-ops.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	test_ctl();
	test_metrics();
	test_events();
	test_sandbox();
	rm_tree();
	return t_done();
}
