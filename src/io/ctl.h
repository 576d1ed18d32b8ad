/*
 * ctl.h - the control socket: `ghostguard ctl` talks to the daemon here.
 *
 * A Unix stream socket (default CTL_DEFAULT_PATH; its directory is made
 * 0755 when missing, a stale socket file is removed, one a live daemon
 * answers on is an error), mode 0660, group the configured control group
 * (or root). Every connection is checked with SO_PEERCRED when accepted: it
 * is let in when the peer is uid 0, or the daemon's own euid, or when its
 * gid or one of its supplementary groups (from /proc/PID/status "Groups:",
 * else getgrouplist() of its passwd entry) is the control group (gid 0 when
 * none is configured); else it is answered "error: permission denied (root
 * or group X only)" and closed.
 *
 * The protocol: the client sends ONE request line (at most CTL_LINE_MAX
 * bytes with its '\n'; words separated by spaces or tabs; a '\r' before the
 * '\n' is ignored); the server answers and closes. The answer's first line
 * is "ok" or "error: <why>"; body lines follow (after an error, its
 * details: the file:line messages of a reload). Garbage gets an error line
 * and the close: a NUL or another control byte ("error: request is not a
 * text line"), a line too long, a client that half-closes before its
 * newline; a client that sends no whole line within CTL_READ_TIMEOUT_MS
 * is dropped silently. More than CTL_MAX_CLIENTS at once: the extra ones
 * get "error: busy". Nothing a client does stops the server.
 *
 * The server lives in the daemon's poll loop and never blocks: ctl_pollfds()
 * fills pollfds, ctl_process() handles what poll() found, ctl_timeout()
 * gives poll()'s timeout. Requests are answered by the handler, in the
 * calling thread, one at a time. A reply is sent non-blocking from a
 * per-client buffer (at most CTL_REPLY_MAX bytes: a bigger one is replaced
 * by "error: reply too large ..."); a client that takes none of it for
 * CTL_SEND_TIMEOUT_MS is dropped.
 */
#ifndef CTL_H
#define CTL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CTL_DEFAULT_PATH	"/run/ghostguard/ctl.sock"
#define CTL_LINE_MAX		4096		/* request, with its '\n' */
#define CTL_ARGS_MAX		64		/* words in a request */
#define CTL_MAX_CLIENTS		32		/* connections at once */
#define CTL_READ_TIMEOUT_MS	2000		/* to send the whole line */
#define CTL_SEND_TIMEOUT_MS	10000		/* to take some of the reply */
#define CTL_REPLY_MAX		(256u << 20)	/* reply body, bytes */
#define CTL_ERROR_MAX		65536		/* an error and its details */

struct ctl;

/*
 * Answers one request: argv[0] is the command, argv[1..argc-1] its
 * arguments (argc >= 1; the strings live until the handler returns). The
 * handler writes the reply's body to out and returns 0 ("ok" and the body
 * are sent), or writes the reason to out and returns -1 ("error: <reason>"
 * is sent). Writes past CTL_REPLY_MAX fail (ferror(out)) and the client
 * gets "error: reply too large".
 */
typedef int (*ctl_handler)(void *arg, int argc, char **argv, FILE *out);

/*
 * Creates the socket at path (NULL: CTL_DEFAULT_PATH) for members of group
 * (a group name; NULL or "": root only). fn(arg, ...) answers requests.
 * Returns the server, or NULL with a message in err (errsz bytes): a group
 * that does not exist, a path too long, a live socket there, bind or chown
 * errors. Sets the umask for a moment: call it before starting threads that
 * create files.
 */
struct ctl	*ctl_open(const char *path, const char *group, ctl_handler fn,
		    void *arg, char *err, size_t errsz);

/*
 * Fills at most max pollfds: the listening socket, then each client's
 * socket. Returns how many; CTL_MAX_CLIENTS + 1 always suffice.
 */
size_t		 ctl_pollfds(struct ctl *c, struct pollfd *p, size_t max);

/*
 * Handles the n pollfds as filled by ctl_pollfds() with poll()'s revents
 * (pollfds of other fds are ignored), then drops clients past their
 * deadline. now_ms is a monotonic clock in milliseconds. A request made
 * whole here is answered here, through the handler.
 */
void		 ctl_process(struct ctl *c, const struct pollfd *p, size_t n,
		    uint64_t now_ms);

/* Milliseconds until the next client deadline (for poll()), -1: none. */
int		 ctl_timeout(const struct ctl *c, uint64_t now_ms);

/* Closes every client and the socket, and removes its file. NULL is fine. */
void		 ctl_close(struct ctl *c);

/*
 * `ghostguard ctl [-s SOCKET] COMMAND [ARGS...]` (ctl_main.c), argv[0]
 * being "ctl": sends the request, copies the body to stdout. Returns the
 * exit status: 0 ok, 1 the daemon answered an error (on stderr), 2 no
 * answer (cannot connect, usage).
 */
int		 ctl_main(int argc, char **argv);

#endif /* CTL_H */
