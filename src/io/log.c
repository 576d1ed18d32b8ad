/*
 * log.c - stderr or syslog, one whole line per write.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static bool	log_syslog;	/* else stderr */
static bool	log_copy;	/* syslog lines also to stderr */
static bool	log_verbose;	/* LOG_DEBUG lines too */

void
log_open(bool foreground, bool also_stderr, bool verbose)
{
	log_verbose = verbose;
	log_syslog = !foreground;
	log_copy = also_stderr;
	if (log_syslog)
		openlog("ghostguard", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_detach(void)
{
	log_copy = false;
}

void
log_close(void)
{
	if (log_syslog)
		closelog();
	log_syslog = false;
}

static void
log_stderr(const char *line)
{
	char buf[1100];
	int n;

	n = snprintf(buf, sizeof(buf), "ghostguard: %s\n", line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	/* One write: lines of several threads never interleave. */
	if (write(STDERR_FILENO, buf, (size_t)n) < 0)
		return;
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_syslog) {
		syslog(prio, "%s", line);
		if (log_copy)
			log_stderr(line);
	} else {
		log_stderr(line);
	}
}
