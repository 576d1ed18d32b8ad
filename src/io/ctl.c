/*
 * ctl.c - the control socket's server: peer check, one line in, one reply
 * out, never blocking.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

#define CTL_GROUPS_MAX	256	/* supplementary groups looked at */

/* One client: reading its line, then sending the reply. */
struct ctl_client {
	int		 fd;		/* -1: slot free */
	char		 line[CTL_LINE_MAX + 1]; /* the request so far */
	size_t		 len;		/* bytes in line */
	char		*reply;		/* NULL while reading */
	size_t		 replylen;	/* its size */
	size_t		 sent;		/* bytes of it sent */
	uint64_t	 deadline_ms;	/* dropped when reached */
};

struct ctl {
	int		 lfd;		/* listening socket */
	char		*path;		/* removed by ctl_close() */
	gid_t		 gid;		/* the control group */
	char		*denied;	/* the refusal's text */
	ctl_handler	 fn;
	void		*arg;		/* fn's */
	struct ctl_client cl[CTL_MAX_CLIENTS];
	size_t		 ncl;		/* slots in use */
};

/* The handler's output: grows up to CTL_REPLY_MAX, then refuses. */
struct ctl_buf {
	char	*p;		/* "ok\n" and the body */
	size_t	 len;		/* bytes in p */
	size_t	 cap;		/* allocated */
	bool	 over;		/* a write was refused */
};

/* Makes each missing directory of path's parent, mode 0755. */
static int
ctl_mkdirs(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *s, c;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((s = strrchr(dir, '/')) == NULL || s == dir)
		return 0;
	*s = '\0';
	for (s = dir + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -1;
		if ((*s = c) == '\0')
			return 0;
	}
}

/*
 * Clears the way for bind: no file, or a socket nobody answers on (left by
 * a daemon that died), which is removed.
 */
static int
ctl_clear_stale(const struct sockaddr_un *sun, char *err, size_t errsz)
{
	struct stat st;
	int fd, rc;

	if (lstat(sun->sun_path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errsz, "%s exists and is not a socket",
		    sun->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto out_err;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0) {
		snprintf(err, errsz, "%s: another ghostguard is listening "
		    "there", sun->sun_path);
		return -1;
	}
	if (unlink(sun->sun_path) == 0 || errno == ENOENT)
		return 0;
out_err:
	snprintf(err, errsz, "%s: %s", sun->sun_path, strerror(errno));
	return -1;
}

/* Binds and listens with the file's mode and group in place. */
static int
ctl_listen(struct ctl *c, const struct sockaddr_un *sun, bool group_set,
    char *err, size_t errsz)
{
	mode_t old;
	int rc;

	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->lfd < 0)
		goto out_err;
	/* The file is born 0660: never a moment open to everyone. */
	old = umask(0117);
	rc = bind(c->lfd, (const struct sockaddr *)sun, sizeof(*sun));
	umask(old);
	if (rc < 0)
		goto out_err;
	/*
	 * Not root, without a configured group: the file keeps the
	 * daemon's own group (only root may give it to gid 0).
	 */
	if (chown(sun->sun_path, (uid_t)-1, c->gid) < 0 &&
	    (group_set || geteuid() == 0)) {
		snprintf(err, errsz, "%s: chown to group %u: %s%s",
		    sun->sun_path, (unsigned)c->gid, strerror(errno),
		    errno == EPERM ? " (the daemon's user must be a member "
		    "of the control group)" : "");
		goto out_unlink;
	}
	if (chmod(sun->sun_path, 0660) < 0 || listen(c->lfd, 64) < 0)
		goto out_err_unlink;
	return 0;
out_err_unlink:
	snprintf(err, errsz, "%s: %s", sun->sun_path, strerror(errno));
out_unlink:
	unlink(sun->sun_path);
	return -1;
out_err:
	snprintf(err, errsz, "%s: %s", sun->sun_path, strerror(errno));
	return -1;
}

struct ctl *
ctl_open(const char *path, const char *group, ctl_handler fn, void *arg,
    char *err, size_t errsz)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	bool group_set = group && *group;
	struct group *gr = NULL;
	struct ctl *c;
	size_t i;

	if (path == NULL)
		path = CTL_DEFAULT_PATH;
	if (group_set && (gr = getgrnam(group)) == NULL) {
		snprintf(err, errsz, "control group '%s' does not exist",
		    group);
		return NULL;
	}
	if (strlen(path) >= sizeof(sun.sun_path) || path[0] == '\0') {
		snprintf(err, errsz, "%s: control socket path too long (max "
		    "%zu bytes)", path, sizeof(sun.sun_path) - 1);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out_errno;
	c->lfd = -1;
	c->fn = fn;
	c->arg = arg;
	c->gid = gr ? gr->gr_gid : 0;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		c->cl[i].fd = -1;
	if ((c->path = strdup(path)) == NULL ||
	    asprintf(&c->denied, "error: permission denied (root or group "
	    "%s only)\n", group_set ? group : "root") < 0) {
		c->denied = NULL;
		goto out_errno;
	}
	if (ctl_mkdirs(path) < 0) {
		snprintf(err, errsz, "%s: cannot make its directory: %s",
		    path, strerror(errno));
		goto out_free;
	}
	if (ctl_clear_stale(&sun, err, errsz) < 0 ||
	    ctl_listen(c, &sun, group_set, err, errsz) < 0)
		goto out_free;
	return c;
out_errno:
	snprintf(err, errsz, "control socket: %s", strerror(errno));
out_free:
	if (c && c->lfd >= 0)
		close(c->lfd);
	if (c) {
		free(c->path);
		free(c->denied);
	}
	free(c);
	return NULL;
}

/* True when the peer's gid or a supplementary group is gid. */
static bool
ctl_peer_in_group(const struct ucred *uc, gid_t gid)
{
	gid_t groups[CTL_GROUPS_MAX];
	char path[64], line[4096], *s, *end;
	struct passwd *pw;
	int n = CTL_GROUPS_MAX, i;
	bool found = false, read_proc = false;
	FILE *f;

	if (uc->gid == gid)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)uc->pid);
	if ((f = fopen(path, "re")) != NULL) {
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "Groups:", 7) == 0) {
				read_proc = true;
				for (s = line + 7; ; s = end) {
					unsigned long g = strtoul(s, &end, 10);

					if (end == s)
						break;
					if ((gid_t)g == gid)
						found = true;
				}
				break;
			}
		fclose(f);
	}
	if (read_proc)
		return found;
	/* The process is gone or hidden: what its user's entry says. */
	if ((pw = getpwuid(uc->uid)) == NULL ||
	    getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return false;
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static bool
ctl_peer_allowed(const struct ctl *c, int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return false;
	return uc.uid == 0 || uc.uid == geteuid() ||
	    ctl_peer_in_group(&uc, c->gid);
}

/*
 * A one-line answer at accept (busy, refused): best effort, then close.
 * A socket closed with unread bytes resets its peer (ECONNRESET), and the
 * client would lose the answer to the request it sent at once: so no more
 * bytes may come in (SHUT_RD: the client's later send gets EPIPE), and
 * those already in are read away, a bounded number of times, first.
 */
static void
ctl_refuse(int fd, const char *msg)
{
	ssize_t n = send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
	char sink[4096];
	int i;

	shutdown(fd, SHUT_RDWR);
	for (i = 0; i < 64 && n != 0; i++)
		if ((n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT)) < 0)
			break;
	close(fd);
}

static void
ctl_accept(struct ctl *c, uint64_t now_ms)
{
	struct ctl_client *cl;
	size_t i;
	int fd;

	/* A bounded number per call: the loop's other work goes on. */
	for (i = 0; i < 2 * CTL_MAX_CLIENTS; i++) {
		fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (!ctl_peer_allowed(c, fd)) {
			ctl_refuse(fd, c->denied);
			continue;
		}
		if (c->ncl == CTL_MAX_CLIENTS) {
			ctl_refuse(fd, "error: busy (too many ghostguard ctl "
			    "clients at once)\n");
			continue;
		}
		for (cl = c->cl; cl->fd >= 0; cl++)
			;
		cl->fd = fd;
		cl->len = 0;
		cl->deadline_ms = now_ms + CTL_READ_TIMEOUT_MS;
		c->ncl++;
	}
}

size_t
ctl_pollfds(struct ctl *c, struct pollfd *p, size_t max)
{
	size_t i, n = 0;

	/* Always listening, also when full: extra clients hear "busy". */
	if (n < max)
		p[n++] = (struct pollfd){ .fd = c->lfd, .events = POLLIN };
	for (i = 0; i < CTL_MAX_CLIENTS && n < max; i++)
		if (c->cl[i].fd >= 0)
			p[n++] = (struct pollfd){ .fd = c->cl[i].fd,
			    .events = c->cl[i].reply ? POLLOUT : POLLIN };
	return n;
}

static void
ctl_drop(struct ctl *c, struct ctl_client *cl)
{
	close(cl->fd);
	free(cl->reply);
	cl->fd = -1;
	cl->reply = NULL;
	c->ncl--;
}

/* Sets a small reply made of a fixed text. */
static void
ctl_reply_text(struct ctl *c, struct ctl_client *cl, const char *text)
{
	if ((cl->reply = strdup(text)) == NULL) {
		ctl_drop(c, cl);
		return;
	}
	cl->replylen = strlen(text);
	cl->sent = 0;
}

static ssize_t
ctl_buf_write(void *cookie, const char *p, size_t n)
{
	struct ctl_buf *b = cookie;
	size_t ncap;
	char *np;

	if (b->over || n > CTL_REPLY_MAX + 3 - b->len) {
		b->over = true;
		errno = EFBIG;
		return -1;
	}
	if (b->len + n > b->cap) {
		ncap = b->cap * 2 > b->len + n ? b->cap * 2 : b->len + n;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->over = true;
			return -1;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return (ssize_t)n;
}

/*
 * The handler's failure: "error: " and its first line, then its later
 * lines as they are (a reload's file:line messages, for the client's
 * stderr), bounded by CTL_ERROR_MAX.
 */
static void
ctl_reply_error(struct ctl *c, struct ctl_client *cl, const struct ctl_buf *b)
{
	size_t blen = b->len - 3;
	const char *t = b->p + 3;

	while (blen && (t[blen - 1] == '\n' || t[blen - 1] == ' '))
		blen--;
	if (blen > CTL_ERROR_MAX)
		blen = CTL_ERROR_MAX;
	if (blen == 0) {
		t = "request failed";
		blen = strlen(t);
	}
	if ((cl->reply = malloc(blen + 16)) == NULL) {
		ctl_drop(c, cl);
		return;
	}
	cl->replylen = (size_t)snprintf(cl->reply, blen + 16, "error: %.*s\n",
	    (int)blen, t);
	cl->sent = 0;
}

/* Runs the handler on the words of a whole line, and makes the reply. */
static void
ctl_request(struct ctl *c, struct ctl_client *cl)
{
	static cookie_io_functions_t io = { .write = ctl_buf_write };
	char *argv[CTL_ARGS_MAX + 1], *s, *save = NULL;
	struct ctl_buf b = { NULL, 0, 0, false };
	int argc = 0, rc;
	FILE *out;

	for (s = strtok_r(cl->line, " \t", &save); s;
	    s = strtok_r(NULL, " \t", &save)) {
		if (argc == CTL_ARGS_MAX) {
			ctl_reply_text(c, cl, "error: too many words in the "
			    "request\n");
			return;
		}
		argv[argc++] = s;
	}
	argv[argc] = NULL;
	if (argc == 0) {
		ctl_reply_text(c, cl, "error: empty request (try: ghostguard "
		    "ctl --help)\n");
		return;
	}
	if ((b.p = malloc(4096)) == NULL || (out = fopencookie(&b, "w",
	    io)) == NULL) {
		free(b.p);
		ctl_reply_text(c, cl, "error: out of memory\n");
		return;
	}
	b.cap = 4096;
	memcpy(b.p, "ok\n", 3);
	b.len = 3;
	rc = c->fn(c->arg, argc, argv, out);
	if (fclose(out) != 0)
		b.over = true;
	if (b.over) {
		ctl_reply_text(c, cl, "error: reply too large (over 256 MiB, "
		    "or out of memory)\n");
	} else if (rc != 0) {
		ctl_reply_error(c, cl, &b);
	} else {
		/* A body always ends with a newline. */
		if (b.len > 3 && b.p[b.len - 1] != '\n')
			ctl_buf_write(&b, "\n", 1);
		cl->reply = b.p;
		cl->replylen = b.len;
		cl->sent = 0;
		b.p = NULL;
	}
	free(b.p);
}

/*
 * Judges the bytes received so far: a whole line is answered, garbage gets
 * its error. eof: the client will send no more.
 */
static void
ctl_scan(struct ctl *c, struct ctl_client *cl, size_t from, bool eof)
{
	size_t i;
	unsigned char ch;

	for (i = from; i < cl->len; i++) {
		ch = (unsigned char)cl->line[i];
		if (ch == '\n') {
			if (i > 0 && cl->line[i - 1] == '\r')
				i--;
			cl->line[i] = '\0';
			ctl_request(c, cl);
			return;
		}
		/* A '\r' is fine before '\n', or last (its '\n' may
		 * follow). */
		if ((ch < 0x20 && ch != '\t' && !(ch == '\r' &&
		    (i + 1 == cl->len || cl->line[i + 1] == '\n'))) ||
		    ch == 0x7f) {
			ctl_reply_text(c, cl, "error: request is not a text "
			    "line (control byte or NUL)\n");
			return;
		}
	}
	if (cl->len >= CTL_LINE_MAX)
		ctl_reply_text(c, cl, "error: request line too long (max "
		    "4096 bytes)\n");
	else if (eof && cl->len > 0)
		ctl_reply_text(c, cl, "error: request not terminated by a "
		    "newline\n");
	else if (eof)
		ctl_drop(c, cl);
}

static void
ctl_read(struct ctl *c, struct ctl_client *cl)
{
	size_t from = cl->len;
	ssize_t n;

	n = recv(cl->fd, cl->line + cl->len, CTL_LINE_MAX - cl->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		ctl_drop(c, cl);
		return;
	}
	cl->len += (size_t)n;
	/* A '\r' at the end may yet be followed by its '\n'. */
	if (from > 0 && cl->line[from - 1] == '\r')
		from--;
	ctl_scan(c, cl, from, n == 0);
}

static void
ctl_write(struct ctl *c, struct ctl_client *cl, uint64_t now_ms)
{
	ssize_t n;

	n = send(cl->fd, cl->reply + cl->sent, cl->replylen - cl->sent,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		ctl_drop(c, cl);	/* the client went away */
		return;
	}
	cl->sent += (size_t)n;
	cl->deadline_ms = now_ms + CTL_SEND_TIMEOUT_MS;
	if (cl->sent == cl->replylen)
		ctl_drop(c, cl);
}

void
ctl_process(struct ctl *c, const struct pollfd *p, size_t n, uint64_t now_ms)
{
	struct ctl_client *cl;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (p[i].revents == 0 || p[i].fd < 0 || p[i].fd == c->lfd)
			continue;
		for (j = 0; j < CTL_MAX_CLIENTS; j++)
			if (c->cl[j].fd == p[i].fd)
				break;
		if (j == CTL_MAX_CLIENTS)
			continue;
		cl = &c->cl[j];
		if (cl->reply == NULL) {
			ctl_read(c, cl);
			if (cl->fd >= 0 && cl->reply)
				cl->deadline_ms = now_ms + CTL_SEND_TIMEOUT_MS;
		}
		/* A reply just made is sent at once, mostly whole. */
		if (cl->fd >= 0 && cl->reply)
			ctl_write(c, cl, now_ms);
	}
	/* New clients after the old: a freed slot's fd may come back. */
	for (i = 0; i < n; i++)
		if (p[i].fd == c->lfd && p[i].revents)
			ctl_accept(c, now_ms);
	for (j = 0; j < CTL_MAX_CLIENTS; j++)
		if (c->cl[j].fd >= 0 && now_ms >= c->cl[j].deadline_ms)
			ctl_drop(c, &c->cl[j]);
}

int
ctl_timeout(const struct ctl *c, uint64_t now_ms)
{
	uint64_t next = UINT64_MAX;
	size_t j;

	for (j = 0; j < CTL_MAX_CLIENTS; j++)
		if (c->cl[j].fd >= 0 && c->cl[j].deadline_ms < next)
			next = c->cl[j].deadline_ms;
	if (next == UINT64_MAX)
		return -1;
	return next <= now_ms ? 0 : (int)(next - now_ms);
}

void
ctl_close(struct ctl *c)
{
	size_t j;

	if (c == NULL)
		return;
	for (j = 0; j < CTL_MAX_CLIENTS; j++)
		if (c->cl[j].fd >= 0)
			ctl_drop(c, &c->cl[j]);
	close(c->lfd);
	unlink(c->path);
	free(c->path);
	free(c->denied);
	free(c);
}
