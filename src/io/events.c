/*
 * events.c - JSON lines, each built in a fixed buffer and written whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"

/* Room kept at the end of a line for ,"truncated":true}\n. */
#define EVENTS_TAIL	sizeof(",\"truncated\":true}\n")

struct events {
	char		*path;		/* for events_reopen() */
	int		 fd;		/* O_APPEND; replaced in place */
	atomic_uint_fast64_t errors;	/* lines lost */
	atomic_uint_fast64_t written;	/* lines written whole */
};

static int
events_openfd(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY, 0640);
}

struct events *
events_open(const char *path)
{
	struct events *ev;
	int saved;

	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	if ((ev->path = strdup(path)) == NULL)
		goto out_free;
	if ((ev->fd = events_openfd(path)) < 0)
		goto out_free;
	return ev;
out_free:
	saved = errno;
	free(ev->path);
	free(ev);
	errno = saved;
	return NULL;
}

int
events_reopen(struct events *ev)
{
	int fd, rc = 0;

	if ((fd = events_openfd(ev->path)) < 0)
		return -1;
	/* dup2 swaps the file under ev->fd atomically: a concurrent
	 * events_end() writes to the old file or the new, never to a
	 * closed or reused descriptor. */
	if (dup3(fd, ev->fd, O_CLOEXEC) < 0)
		rc = -1;
	close(fd);
	return rc;
}

void
events_close(struct events *ev)
{
	if (ev == NULL)
		return;
	close(ev->fd);
	free(ev->path);
	free(ev);
}

uint64_t
events_errors(const struct events *ev)
{
	return ev ? atomic_load(&ev->errors) : 0;
}

uint64_t
events_written(const struct events *ev)
{
	return ev ? atomic_load(&ev->written) : 0;
}

/*
 * Length of the valid UTF-8 sequence at s (at most len bytes), or 0 when
 * the bytes there are not one (bad lead, cut, overlong, surrogate, beyond
 * U+10FFFF).
 */
static size_t
events_utf8_len(const unsigned char *s, size_t len)
{
	uint32_t cp, min;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t
events_json_escape(char *dst, size_t sz, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char tmp[8];
	const char *rep;
	size_t i = 0, out = 0, n, rlen;

	while (i < len) {
		n = 1;
		rep = tmp;
		switch (p[i]) {
		case '"':  rep = "\\\""; break;
		case '\\': rep = "\\\\"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		case '\b': rep = "\\b"; break;
		case '\f': rep = "\\f"; break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f) {
				snprintf(tmp, sizeof(tmp), "\\u%04x", p[i]);
			} else if ((n = events_utf8_len(p + i,
			    len - i)) == 0) {
				rep = "\\ufffd";
				n = 1;
			} else {
				rep = (const char *)p + i;
			}
		}
		rlen = rep == (const char *)p + i ? n : strlen(rep);
		/* Whole characters only, and room for the NUL. */
		if (out < sz && out + rlen < sz)
			memcpy(dst + out, rep, rlen);
		else if (out < sz)
			sz = out + 1;	/* stop copying from here on */
		out += rlen;
		i += n;
	}
	if (sz > 0)
		dst[out < sz ? out : sz - 1] = '\0';
	return out;
}

/* Appends len bytes when they fit (leaving the tail's room); else marks. */
static bool
events_put(struct events_line *l, const char *s, size_t len)
{
	if (l->len + len + EVENTS_TAIL > sizeof(l->buf)) {
		l->truncated = true;
		return false;
	}
	memcpy(l->buf + l->len, s, len);
	l->len += len;
	return true;
}

/*
 * Appends ,"key":"escaped" whole, or nothing. The escape is written in
 * place and undone when it does not fit.
 */
static void
events_put_str(struct events_line *l, const char *key, const char *val,
    size_t vlen, bool quote_val)
{
	size_t start = l->len, room, need;

	if (!events_put(l, ",\"", 2))
		return;
	room = sizeof(l->buf) - EVENTS_TAIL - l->len;
	need = events_json_escape(l->buf + l->len, room + 1, key, strlen(key));
	if (need > room)
		goto out_undo;
	l->len += need;
	if (!events_put(l, quote_val ? "\":\"" : "\":", quote_val ? 3 : 2))
		goto out_undo;
	if (quote_val) {
		room = sizeof(l->buf) - EVENTS_TAIL - l->len;
		need = events_json_escape(l->buf + l->len, room + 1, val,
		    vlen);
		if (need > room)
			goto out_undo;
		l->len += need;
		if (!events_put(l, "\"", 1))
			goto out_undo;
	} else if (!events_put(l, val, vlen)) {
		goto out_undo;
	}
	return;
out_undo:
	l->len = start;
	l->truncated = true;
}

void
events_begin(struct events_line *l, const char *type, uint64_t now_ns)
{
	time_t sec = (time_t)(now_ns / 1000000000u);
	struct tm tm;
	char ts[80];

	l->len = 0;
	l->truncated = false;
	gmtime_r(&sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec,
	    (unsigned)(now_ns % 1000000000u / 1000000u));
	events_put(l, "{\"ts\":\"", 7);
	events_put(l, ts, strlen(ts));
	events_put(l, "\"", 1);
	events_add_str(l, "type", type);
}

void
events_add_str(struct events_line *l, const char *key, const char *val)
{
	if (val == NULL)
		events_put_str(l, key, "null", 4, false);
	else
		events_put_str(l, key, val, strlen(val), true);
}

void
events_add_strn(struct events_line *l, const char *key, const char *val,
    size_t len)
{
	events_put_str(l, key, val, len, true);
}

void
events_add_u64(struct events_line *l, const char *key, uint64_t val)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, val);
	events_put_str(l, key, num, strlen(num), false);
}

void
events_add_bool(struct events_line *l, const char *key, bool val)
{
	events_put_str(l, key, val ? "true" : "false", val ? 4 : 5, false);
}

void
events_add_raw(struct events_line *l, const char *key, const char *json)
{
	events_put_str(l, key, json, strlen(json), false);
}

int
events_end(struct events *ev, struct events_line *l)
{
	static const char trunc[] = ",\"truncated\":true";
	ssize_t n;

	/* EVENTS_TAIL was kept free for exactly this. */
	if (l->truncated) {
		memcpy(l->buf + l->len, trunc, sizeof(trunc) - 1);
		l->len += sizeof(trunc) - 1;
	}
	memcpy(l->buf + l->len, "}\n", 2);
	l->len += 2;
	if (ev == NULL)
		return 0;
	n = write(ev->fd, l->buf, l->len);
	if (n == (ssize_t)l->len) {
		atomic_fetch_add(&ev->written, 1);
		return 0;
	}
	if (n >= 0)
		errno = ENOSPC;	/* a short write: the disk filled up */
	atomic_fetch_add(&ev->errors, 1);
	return -1;
}
