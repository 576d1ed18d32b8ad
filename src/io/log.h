/*
 * log.h - the daemon's log: stderr in the foreground, else syslog.
 *
 * One line per call, written with a single write so that lines from several
 * threads never interleave. Before log_open() lines go to stderr. Logging is
 * for events (start, stop, a source's first drop or detection, errors), never
 * for every packet: each call may cost a syscall.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <syslog.h>

/*
 * Opens the log: stderr when foreground, else syslog as "ghostguard"
 * (daemon facility). With also_stderr, syslog lines are copied to stderr
 * (start-up, before the daemon leaves its terminal). verbose enables
 * LOG_DEBUG lines.
 */
void	log_open(bool foreground, bool also_stderr, bool verbose);

/* Stops copying syslog lines to stderr (after daemon()). */
void	log_detach(void);

void	log_close(void);

/* Logs one line at prio (LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO,
 * LOG_DEBUG). */
void	log_msg(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* LOG_H */
