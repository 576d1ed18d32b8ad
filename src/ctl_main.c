/*
 * ctl_main.c - `ghostguard ctl`: one request to the daemon's control
 * socket (io/ctl.h), its reply to stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "io/ctl.h"

#define CTL_CLIENT_TIMEOUT_S	60	/* without a byte from the daemon */

static void
ctl_usage(FILE *out)
{
	fprintf(out,
	    "usage: ghostguard ctl [-s SOCKET] COMMAND [ARGS...]\n"
	    "\n"
	    "Talks to the running daemon (ghostguard run) over its control "
	    "socket;\n"
	    "needs root or the control group.\n"
	    "\n"
	    "options:\n"
	    "  -s, --socket SOCKET           the control socket\n"
	    "                                (default " CTL_DEFAULT_PATH ")\n"
	    "  -h, --help                    this text\n"
	    "\n"
	    "commands:\n"
	    "  status                        the daemon: uptime, queues, "
	    "privileges\n"
	    "  bans [--json]                 the bans in force: address, "
	    "since, expires,\n"
	    "                                count, tool, reason\n"
	    "  explain ADDR                  what the daemon knows of a "
	    "source, and why\n"
	    "  ban ADDR[/PLEN] [DURATION]    ban by hand (DURATION: 90, "
	    "10m, 2h, 1d, 1w)\n"
	    "  unban ADDR[/PLEN]             lift a ban\n"
	    "  trust ADDR[/PLEN]             never judge or ban a source "
	    "(until the\n"
	    "                                next reload or restart)\n"
	    "  untrust ADDR[/PLEN]           undo trust, or untrust a "
	    "configured server\n"
	    "                                until the next reload\n"
	    "  reload                        read the configuration again "
	    "(like SIGHUP);\n"
	    "                                errors are printed as "
	    "file:line\n"
	    "  stats                         counters since start, one "
	    "'name value' a line\n"
	    "\n"
	    "Exit status: 0 done; 1 the daemon answered an error (printed on "
	    "stderr);\n"
	    "2 a usage error or no answer (no daemon, permission denied, "
	    "timeout).\n");
}

/* Why connect() failed, said so that the reader knows what to do. */
static void
ctl_connect_error(const char *path, int err)
{
	struct stat st;
	struct group *gr;

	if (err == EACCES || err == EPERM) {
		gr = stat(path, &st) == 0 && st.st_gid != 0 ?
		    getgrgid(st.st_gid) : NULL;
		fprintf(stderr, "ghostguard ctl: permission denied: "
		    "ghostguard ctl needs root%s%s (%s)\n",
		    gr ? " or group " : "", gr ? gr->gr_name : "", path);
	} else if (err == ENOENT || err == ECONNREFUSED) {
		fprintf(stderr, "ghostguard ctl: cannot connect to %s: %s "
		    "(is ghostguard run running?)\n", path, strerror(err));
	} else {
		fprintf(stderr, "ghostguard ctl: cannot connect to %s: %s\n",
		    path, strerror(err));
	}
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { CTL_CLIENT_TIMEOUT_S, 0 };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ghostguard ctl: %s: path too long\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		ctl_connect_error(path, errno);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = errno;
		close(fd);
		ctl_connect_error(path, err);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Joins the words with spaces and a final newline. -1: does not fit. */
static int
ctl_build_line(int argc, char **argv, char *line, size_t sz)
{
	size_t len = 0, wl;
	int i;

	for (i = 0; i < argc; i++) {
		if (argv[i][0] == '\0' || strpbrk(argv[i], " \t\r\n")) {
			fprintf(stderr, "ghostguard ctl: argument '%s' is "
			    "empty or has white space\n", argv[i]);
			return -1;
		}
		wl = strlen(argv[i]);
		if (len + wl + 2 > sz) {
			fprintf(stderr, "ghostguard ctl: request too long "
			    "(max %d bytes)\n", CTL_LINE_MAX);
			return -1;
		}
		if (i)
			line[len++] = ' ';
		memcpy(line + len, argv[i], wl);
		len += wl;
	}
	line[len++] = '\n';
	return (int)len;
}

/*
 * Reads the reply: its first line decides, the rest goes to stdout (ok)
 * or stderr (error). Returns the exit status.
 */
static int
ctl_read_reply(int fd)
{
	char buf[65536], first[1024];
	size_t flen = 0;
	ssize_t n, off;
	int rc = -1;
	FILE *out = stdout;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		off = 0;
		while (rc < 0 && off < n) {
			if (buf[off] == '\n') {
				first[flen] = '\0';
				rc = strcmp(first, "ok") == 0 ? 0 : 1;
				if (rc)
					fprintf(stderr, "ghostguard ctl: %s\n",
					    first);
				out = rc ? stderr : stdout;
			} else if (flen < sizeof(first) - 1) {
				first[flen++] = buf[off];
			}
			off++;
		}
		if (rc >= 0 && off < n)
			fwrite(buf + off, 1, (size_t)(n - off), out);
	}
	if (n < 0 && rc < 0)
		fprintf(stderr, "ghostguard ctl: reading the reply: %s\n",
		    errno == EAGAIN ? "timed out" : strerror(errno));
	else if (rc < 0)
		fprintf(stderr, "ghostguard ctl: the daemon closed the "
		    "connection without a reply\n");
	if (n < 0 && rc >= 0) {
		fprintf(stderr, "ghostguard ctl: the reply was cut: %s\n",
		    errno == EAGAIN ? "timed out" : strerror(errno));
		rc = 2;
	}
	if (fflush(stdout) != 0 && rc == 0)
		rc = 1;
	return rc < 0 ? 2 : rc;
}

int
ctl_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CTL_DEFAULT_PATH;
	char line[CTL_LINE_MAX];
	ssize_t w;
	int ch, len, fd, rc;

	/* '+': options stop at the command (its own --json and such). */
	while ((ch = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return 0;
		default:
			ctl_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		ctl_usage(stderr);
		return 2;
	}
	if ((len = ctl_build_line(argc - optind, argv + optind, line,
	    sizeof(line))) < 0)
		return 2;
	if ((fd = ctl_connect(path)) < 0)
		return 2;
	/*
	 * A refused or busy client may find the socket closed before it
	 * writes (EPIPE): the daemon's answer is still there to read.
	 */
	w = send(fd, line, (size_t)len, MSG_NOSIGNAL);
	if (w < 0 && errno != EPIPE && errno != ECONNRESET) {
		fprintf(stderr, "ghostguard ctl: sending to %s: %s\n", path,
		    strerror(errno));
		close(fd);
		return 2;
	}
	rc = ctl_read_reply(fd);
	close(fd);
	return rc;
}
