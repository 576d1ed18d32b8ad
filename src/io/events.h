/*
 * events.h - the JSON-lines event log: one JSON object a line, one line a
 * write().
 *
 * A line is built in a caller-owned struct events_line (no allocation, fixed
 * size EVENTS_LINE_MAX) and written by events_end() with a single write(2) on
 * an O_APPEND descriptor, so lines of several threads never interleave and a
 * kill -9 can leave at worst the last line cut. Nothing is buffered between
 * lines: a failed or short write (ENOSPC, EIO) is counted (events_errors())
 * and the line is lost; the daemon goes on. A field that does not fit in the
 * line is left out and the line ends with "truncated":true.
 *
 * Every line starts with "ts" (RFC 3339 UTC with milliseconds,
 * "2026-11-25T10:00:00.123Z") and "type". Strings are escaped fully: quote,
 * backslash and control characters (\n, \t, ... or \u00XX), and each byte
 * that is not part of valid UTF-8 (also overlong forms, surrogates) becomes
 * \ufffd, so every line is valid JSON whatever bytes a packet carried.
 *
 * events_end() may be called from any thread concurrently with another's
 * events_end() and with events_reopen() (SIGHUP, after logrotate moved the
 * file): the new file is put in place of the old descriptor with dup2(), so
 * a writer never sees a closed or reused descriptor.
 */
#ifndef EVENTS_H
#define EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENTS_LINE_MAX	4096	/* one line, with its newline */

struct events;

/* One line being built. Fields are private to events.c. */
struct events_line {
	char	buf[EVENTS_LINE_MAX];	/* the line so far, no closing brace */
	size_t	len;			/* bytes used in buf */
	bool	truncated;		/* a field was left out */
};

/*
 * Opens (creates, mode 0640) path for appending. Returns the log, or NULL
 * with errno set. The path is kept for events_reopen().
 */
struct events	*events_open(const char *path);

/*
 * Opens the path again (a new file after logrotate moved the old one) and
 * puts it in place of the old descriptor. 0, or -1 with errno: the old file
 * stays in use.
 */
int		 events_reopen(struct events *ev);

/* Closes the log and frees it. NULL is fine. */
void		 events_close(struct events *ev);

/* Lines lost to a failed or short write, since events_open(). */
uint64_t	 events_errors(const struct events *ev);

/* Lines written whole, since events_open(). */
uint64_t	 events_written(const struct events *ev);

/*
 * Starts a line: {"ts":"...","type":"<type>". now_ns is wall-clock time,
 * nanoseconds since the epoch.
 */
void	events_begin(struct events_line *l, const char *type, uint64_t now_ns);

/* Adds "key":"val" (escaped; val NULL adds "key":null). */
void	events_add_str(struct events_line *l, const char *key, const char *val);

/* Adds "key":"..." from len bytes that need not be NUL-terminated. */
void	events_add_strn(struct events_line *l, const char *key,
	    const char *val, size_t len);

void	events_add_u64(struct events_line *l, const char *key, uint64_t val);
void	events_add_bool(struct events_line *l, const char *key, bool val);

/*
 * Adds "key":<json>, json being pre-built JSON (an array, an object, a
 * number) copied as it is: the caller answers for its validity.
 */
void	events_add_raw(struct events_line *l, const char *key,
	    const char *json);

/*
 * Closes the line ("}\n") and writes it with one write(2). ev NULL (the log
 * is off) writes nothing and returns 0. Returns 0, or -1 with errno (the
 * error is counted).
 */
int	events_end(struct events *ev, struct events_line *l);

/*
 * Escapes len bytes as the inside of a JSON string into dst (size sz > 0,
 * always NUL-terminated). Returns the length the whole escape needs (not
 * counting the NUL): a value >= sz means dst was cut, at a character
 * boundary.
 */
size_t	events_json_escape(char *dst, size_t sz, const char *s, size_t len);

#endif /* EVENTS_H */
