/*
 * ban_state.c - the ban manager's state: a snapshot and a journal.
 *
 * Both files are text, one record a line, after a first line
 * "ghostguard-state 1". A record is ten fields separated by one space:
 *
 *	addr/plen level count flags since expires last reason tool sum
 *
 * times in ms since the epoch (expires: 0 for history, "never" for a ban
 * for ever), level the rung of the latest ladder ban (from 0), count the
 * ladder bans so far (a probation, flag BAN_F_PROBATION, is not one: a
 * first probation has count 0), flags in decimal (BAN_F_*), reason and
 * tool escaped ("-" when
 * empty; bytes outside '!'..'~', a backslash and a leading '-' as \xHH),
 * and sum the low 32 bits of gg_hash(line up to the space before sum, seed
 * 0) in 8 lower-case hex digits. A line that fails its sum or its syntax is
 * skipped with a warning "file:line: why"; the others load.
 *
 * The journal takes one line per change in one write() on an O_APPEND
 * descriptor, so a crash leaves at most one partial last line. Loading
 * reads the snapshot then the journal in 1 MiB chunks, each record put
 * with ban_put(): a later line for an address replaces an earlier one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ban.h"

#define STATE_HEADER	"ghostguard-state 1\n"
#define STATE_MAGIC	"ghostguard-state "
#define STATE_LINE_MAX	1024		/* longest line written or read */
#define STATE_CHUNK	(1 << 20)	/* read size */
#define STATE_WBUF	(1 << 18)	/* snapshot write buffer */
#define MS		1000000ULL	/* ns in a ms */

struct ban_state {
	char		*path;		/* the snapshot */
	char		*jpath;		/* the journal */
	int		 jfd;		/* opened at the first append; -1 */
	size_t		 jsize;		/* bytes in the journal */
	bool		 jbroken;	/* it may end in a partial line */
	uint64_t	 errors;	/* write errors */
};

/* One file being loaded. */
struct loader {
	struct ban	*b;
	const char	*name;		/* for the warnings */
	FILE		*warn;		/* may be NULL */
	unsigned long	 line;		/* the line being read, from 1 */
	long		 loaded;	/* records put */
	bool		 skipping;	/* inside an over-long line */
	bool		 stop;		/* a version we do not know */
};

struct ban_state *
ban_state_open_journal(const char *path, const char *journal)
{
	struct ban_state *st = calloc(1, sizeof(*st));
	struct stat sb;
	size_t len = strlen(path);

	if (st == NULL)
		return NULL;
	st->jfd = -1;
	st->path = strdup(path);
	if (journal != NULL) {
		st->jpath = strdup(journal);
	} else if ((st->jpath = malloc(len + sizeof(".journal"))) != NULL) {
		memcpy(st->jpath, path, len);
		memcpy(st->jpath + len, ".journal", sizeof(".journal"));
	}
	if (st->path == NULL || st->jpath == NULL) {
		ban_state_close(st);
		errno = ENOMEM;
		return NULL;
	}
	if (stat(st->jpath, &sb) == 0 && S_ISREG(sb.st_mode))
		st->jsize = (size_t)sb.st_size;
	return st;
}

struct ban_state *
ban_state_open(const char *path)
{
	return ban_state_open_journal(path, NULL);
}

void
ban_state_close(struct ban_state *st)
{
	if (st == NULL)
		return;
	if (st->jfd >= 0)
		close(st->jfd);
	free(st->path);
	free(st->jpath);
	free(st);
}

size_t
ban_state_journal_size(const struct ban_state *st)
{
	return st->jsize;
}

uint64_t
ban_state_errors(const struct ban_state *st)
{
	return st->errors;
}

/* --- writing ----------------------------------------------------------- */

static char *
put_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static const char hexdig[] = "0123456789abcdef";

/* v as n lower-case hex digits. */
static char *
put_hex(char *p, uint32_t v, int n)
{
	while (n-- > 0)
		*p++ = hexdig[(v >> (4 * n)) & 0xf];
	return p;
}

/* s (at most max - 1 bytes of it), escaped as one field. */
static char *
put_str(char *p, const char *s, size_t max)
{
	size_t i;

	if (s == NULL || s[0] == '\0') {
		*p++ = '-';
		return p;
	}
	for (i = 0; i < max - 1 && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c > ' ' && c <= '~' && c != '\\' && !(i == 0 && c == '-')) {
			*p++ = (char)c;
		} else {
			*p++ = '\\';
			*p++ = 'x';
			p = put_hex(p, c, 2);
		}
	}
	return p;
}

static uint32_t
line_sum(const char *p, size_t len)
{
	return (uint32_t)gg_hash(p, len, 0);
}

/*
 * e as one line with its newline into buf (STATE_LINE_MAX bytes: the
 * fields are bounded). Returns its length.
 */
static size_t
state_format(char *buf, const struct ban_entry *e)
{
	char *p = buf;
	uint32_t sum;

	gg_addr_fmt(&e->addr, p);
	p += strlen(p);
	*p++ = '/';
	p = put_u64(p, e->plen);
	*p++ = ' ';
	p = put_u64(p, e->level);
	*p++ = ' ';
	p = put_u64(p, e->count);
	*p++ = ' ';
	p = put_u64(p, e->flags);
	*p++ = ' ';
	p = put_u64(p, e->since_ns / MS);
	*p++ = ' ';
	if (e->expires_ns == UINT64_MAX) {
		memcpy(p, "never", 5);
		p += 5;
	} else {
		p = put_u64(p, e->expires_ns / MS + (e->expires_ns % MS != 0));
	}
	*p++ = ' ';
	p = put_u64(p, e->last_ns / MS);
	*p++ = ' ';
	p = put_str(p, e->reason, BAN_REASON_MAX);
	*p++ = ' ';
	p = put_str(p, e->tool, BAN_TOOL_MAX);
	sum = line_sum(buf, (size_t)(p - buf));
	*p++ = ' ';
	p = put_hex(p, sum, 8);
	*p++ = '\n';
	return (size_t)(p - buf);
}

/* Opens the journal for appending; notes whether it ends mid-line. */
static int
journal_open(struct ban_state *st)
{
	struct stat sb;
	char c;

	st->jfd = open(st->jpath, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600);
	if (st->jfd < 0)
		return -1;
	st->jsize = 0;
	if (fstat(st->jfd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size > 0) {
		st->jsize = (size_t)sb.st_size;
		st->jbroken = pread(st->jfd, &c, 1, sb.st_size - 1) != 1 ||
		    c != '\n';
	}
	return 0;
}

int
ban_state_append(struct ban_state *st, const struct ban_entry *e)
{
	char buf[1 + sizeof(STATE_HEADER) + STATE_LINE_MAX];
	size_t n = 0;
	ssize_t w;
	int err;

	if (st->jfd < 0 && journal_open(st) != 0) {
		err = errno;
		goto out_err;
	}
	if (st->jbroken)
		buf[n++] = '\n';	/* ends the partial line before */
	else if (st->jsize == 0) {
		memcpy(buf, STATE_HEADER, sizeof(STATE_HEADER) - 1);
		n = sizeof(STATE_HEADER) - 1;
	}
	n += state_format(buf + n, e);
	do
		w = write(st->jfd, buf, n);
	while (w < 0 && errno == EINTR);
	if (w >= 0 && (size_t)w == n) {
		st->jsize += n;
		st->jbroken = false;
		return 0;
	}
	err = w < 0 ? errno : ENOSPC;
	/* Cut a partial line off again; failing that, end it next time. */
	if (w > 0 && ftruncate(st->jfd, (off_t)st->jsize) != 0)
		st->jbroken = true;
out_err:
	st->errors++;
	errno = err;
	return -1;
}

/* What ban_state_write() carries through ban_walk(). */
struct writer {
	FILE		*f;
	int		 err;		/* errno of the first failure */
};

static void
write_one(void *arg, const struct ban_entry *e)
{
	struct writer *w = arg;
	char buf[STATE_LINE_MAX];
	size_t n;

	if (w->err)
		return;
	n = state_format(buf, e);
	if (fwrite(buf, 1, n, w->f) != n)
		w->err = errno ? errno : EIO;
}

int
ban_state_write(const struct ban *b, FILE *f)
{
	struct writer w = { f, 0 };

	errno = 0;
	if (fputs(STATE_HEADER, f) == EOF)
		w.err = errno ? errno : EIO;
	ban_walk(b, false, write_one, &w);
	if (w.err) {
		errno = w.err;
		return -1;
	}
	return 0;
}

/* fsync()s the directory holding path, so a rename in it is durable. */
static int
dir_sync(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc;

	if (slash == NULL)
		dir = strdup(".");
	else
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (dir == NULL)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (rc != 0 && errno == EINVAL)
		rc = 0;		/* a file system that cannot: nothing to do */
	close(fd);
	return rc;
}

/* Writes b to tmp and makes it durable. 0, or -1 with errno. */
static int
snapshot_write(const struct ban *b, const char *tmp)
{
	char *wbuf = malloc(STATE_WBUF);
	FILE *f = NULL;
	int fd, err = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (wbuf == NULL || fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		err = wbuf == NULL ? ENOMEM : errno;
		if (fd >= 0)
			close(fd);
		free(wbuf);
		errno = err;
		return -1;
	}
	setvbuf(f, wbuf, _IOFBF, STATE_WBUF);
	if (ban_state_write(b, f) != 0 || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0)
		err = errno;
	if (fclose(f) != 0 && err == 0)
		err = errno;
	free(wbuf);
	errno = err;
	return err ? -1 : 0;
}

/* Empties the journal: its changes are in the snapshot now. */
static int
journal_reset(struct ban_state *st)
{
	if (st->jfd >= 0 ? ftruncate(st->jfd, 0) != 0 :
	    truncate(st->jpath, 0) != 0 && errno != ENOENT)
		return -1;
	st->jsize = 0;
	st->jbroken = false;
	return 0;
}

int
ban_state_save(struct ban_state *st, const struct ban *b)
{
	size_t len = strlen(st->path);
	char *tmp = malloc(len + sizeof(".tmp"));
	int err;

	if (tmp == NULL) {
		err = ENOMEM;
		goto out_err;
	}
	memcpy(tmp, st->path, len);
	memcpy(tmp + len, ".tmp", sizeof(".tmp"));
	if (snapshot_write(b, tmp) != 0 || rename(tmp, st->path) != 0) {
		err = errno;
		unlink(tmp);
		goto out_err;
	}
	/* Until the rename is durable, the journal must stay. */
	if (dir_sync(st->path) != 0 || journal_reset(st) != 0) {
		err = errno;
		goto out_err;
	}
	free(tmp);
	return 0;
out_err:
	free(tmp);
	st->errors++;
	errno = err;
	return -1;
}

/* --- reading ----------------------------------------------------------- */

static void __attribute__((format(printf, 2, 3)))
load_warn(const struct loader *l, const char *fmt, ...)
{
	va_list ap;

	if (l->warn == NULL)
		return;
	fprintf(l->warn, "%s:%lu: ", l->name, l->line);
	va_start(ap, fmt);
	vfprintf(l->warn, fmt, ap);
	va_end(ap);
	fputc('\n', l->warn);
}

/* The next field of *s (up to a space or end), moving *s past it. */
static struct gg_str
next_field(const char **s, const char *end)
{
	const char *p = *s, *q = memchr(p, ' ', (size_t)(end - p));
	struct gg_str f;

	if (q == NULL)
		q = end;
	f.p = p;
	f.len = (size_t)(q - p);
	*s = q < end ? q + 1 : end;
	return f;
}

static bool
parse_u64(struct gg_str s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (s.len == 0 || s.len > 20)
		return false;
	for (i = 0; i < s.len; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';

		if (d > 9 || d > max || x > (max - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

static int
hex_val(char c)
{
	const char *p = c ? strchr(hexdig, c) : NULL;

	return p ? (int)(p - hexdig) : -1;
}

static bool
parse_hex32(struct gg_str s, uint32_t *v)
{
	uint32_t x = 0;
	size_t i;

	if (s.len != 8)
		return false;
	for (i = 0; i < 8; i++) {
		int d = hex_val(s.p[i]);

		if (d < 0)
			return false;
		x = x << 4 | (uint32_t)d;
	}
	*v = x;
	return true;
}

/* Undoes put_str() into out (outsz bytes, the rest cut off). */
static bool
parse_str(struct gg_str s, char *out, size_t outsz)
{
	size_t i = 0, o = 0;

	if (s.len == 1 && s.p[0] == '-')
		s.len = 0;
	while (i < s.len) {
		int c = (unsigned char)s.p[i++], hi, lo;

		if (c == '\\') {
			if (s.len - i < 3 || s.p[i] != 'x' ||
			    (hi = hex_val(s.p[i + 1])) < 0 ||
			    (lo = hex_val(s.p[i + 2])) < 0 ||
			    (c = hi << 4 | lo) == 0)
				return false;
			i += 3;
		} else if (c <= ' ' || c > '~') {
			return false;
		}
		if (o < outsz - 1)
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
}

/* addr/plen, host bits as written. */
static bool
parse_net(struct gg_str s, struct gg_addr *a, uint8_t *plen)
{
	const char *slash = memchr(s.p, '/', s.len);
	struct gg_str as, ps;
	uint64_t v;

	if (slash == NULL)
		return false;
	as.p = s.p;
	as.len = (size_t)(slash - s.p);
	ps.p = slash + 1;
	ps.len = s.len - as.len - 1;
	if (gg_addr_parse_str(as, a) != 0 ||
	    !parse_u64(ps, a->family == AF_INET ? 32 : 128, &v))
		return false;
	*plen = (uint8_t)v;
	return true;
}

/* A time field in ms as ns; "never" only where never_ok. */
static bool
parse_time(struct gg_str s, bool never_ok, uint64_t *ns)
{
	uint64_t ms;

	if (never_ok && gg_str_eq(s, "never")) {
		*ns = UINT64_MAX;
		return true;
	}
	if (!parse_u64(s, (UINT64_MAX - 1) / MS, &ms))
		return false;
	*ns = ms * MS;
	return true;
}

/*
 * One record line (no newline) into e, its strings into reason and tool.
 * NULL, or why it is damaged.
 */
static const char *
parse_record(const char *p, size_t len, struct ban_entry *e, char *reason,
    char *tool)
{
	const char *s = p, *end;
	struct gg_str f[9];
	uint64_t v[3];
	uint32_t sum;
	size_t i;

	if (len > STATE_LINE_MAX)
		return "line too long";
	if (len < 10 || p[len - 9] != ' ' ||
	    !parse_hex32((struct gg_str){ p + len - 8, 8 }, &sum) ||
	    line_sum(p, len - 9) != sum)
		return "bad checksum";
	end = p + len - 9;
	for (i = 0; i < GG_NELEM(f); i++)
		f[i] = next_field(&s, end);
	if (s != end || f[8].len == 0 || end[-1] == ' ')
		return "wrong number of fields";
	memset(e, 0, sizeof(*e));
	if (!parse_net(f[0], &e->addr, &e->plen))
		return "bad address";
	if (!parse_u64(f[1], UINT8_MAX, &v[0]) ||
	    !parse_u64(f[2], UINT32_MAX, &v[1]) ||
	    !parse_u64(f[3], BAN_F_MANUAL | BAN_F_PROBATION | BAN_F_PREFIX,
	    &v[2]))
		return "bad level, count or flags";
	e->level = (uint8_t)v[0];
	e->count = (uint32_t)v[1];
	e->flags = (uint8_t)v[2];
	if (!parse_time(f[4], false, &e->since_ns) ||
	    !parse_time(f[5], true, &e->expires_ns) ||
	    !parse_time(f[6], false, &e->last_ns))
		return "bad time";
	if (!parse_str(f[7], reason, BAN_REASON_MAX) ||
	    !parse_str(f[8], tool, BAN_TOOL_MAX))
		return "bad reason or tool";
	e->reason = reason;
	e->tool = tool;
	return NULL;
}

/* One line without its newline; partial: the file ended before one. */
static void
load_line(struct loader *l, const char *p, size_t len, bool partial)
{
	char reason[BAN_REASON_MAX], tool[BAN_TOOL_MAX];
	struct ban_entry e;
	const char *why;

	l->line++;
	if (len == 0)
		return;
	if (l->line == 1 && len >= sizeof(STATE_MAGIC) - 1 &&
	    memcmp(p, STATE_MAGIC, sizeof(STATE_MAGIC) - 1) == 0) {
		if (len != sizeof(STATE_HEADER) - 2 ||
		    memcmp(p, STATE_HEADER, len) != 0) {
			load_warn(l, "unknown version: file skipped");
			l->stop = true;
		}
		return;
	}
	if (l->line == 1)
		load_warn(l, "no version header");
	if ((why = parse_record(p, len, &e, reason, tool)) != NULL) {
		load_warn(l, "%s", partial ? "truncated last line" : why);
		return;
	}
	switch (ban_put(l->b, &e)) {
	case BAN_OK:
		l->loaded++;
		break;
	case BAN_ETRUST:
		load_warn(l, "a never-ban address: dropped");
		break;
	default:
		load_warn(l, "no room for the record: dropped");
		break;
	}
}

/*
 * Loads the complete lines of p (and, at eof, the last partial one).
 * Returns the bytes used.
 */
static size_t
load_lines(struct loader *l, const char *p, size_t len, bool eof)
{
	size_t off = 0;

	while (off < len && !l->stop) {
		const char *nl = memchr(p + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (p + off)) : len - off;

		if (nl == NULL && !eof)
			break;
		if (l->skipping)
			l->skipping = false;	/* the end of a long line */
		else
			load_line(l, p + off, n, nl == NULL);
		off += n + (nl != NULL);
	}
	return off;
}

static void
loader_init(struct loader *l, struct ban *b, const char *name, FILE *warn)
{
	memset(l, 0, sizeof(*l));
	l->b = b;
	l->name = name;
	l->warn = warn;
}

/* Loads one file into l; a missing one is empty. 0, or -1 with errno. */
static int
load_file(struct loader *l, const char *path)
{
	char *buf;
	size_t have = 0, used;
	ssize_t r;
	int fd, err = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if ((buf = malloc(STATE_CHUNK)) == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		r = read(fd, buf + have, STATE_CHUNK - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			break;
		}
		have += (size_t)r;
		used = load_lines(l, buf, have, r == 0);
		if (r == 0 || l->stop)
			break;
		memmove(buf, buf + used, have - used);
		have -= used;
		if (have == STATE_CHUNK) {
			/* No newline in a whole chunk: skip to the next. */
			if (!l->skipping) {
				l->line++;
				load_warn(l, "line too long");
			}
			l->skipping = true;
			have = 0;
		}
	}
	free(buf);
	close(fd);
	errno = err;
	return err ? -1 : 0;
}

long
ban_state_load(struct ban_state *st, struct ban *b, uint64_t now,
    FILE *warn)
{
	struct loader l;
	long n;

	loader_init(&l, b, st->path, warn);
	if (load_file(&l, st->path) != 0)
		return -1;
	n = l.loaded;
	loader_init(&l, b, st->jpath, warn);
	if (load_file(&l, st->jpath) != 0)
		return -1;
	ban_tick(b, now, NULL, NULL);
	return n + l.loaded;
}

long
ban_state_load_buf(struct ban *b, const char *name, const char *buf,
    size_t len, uint64_t now, FILE *warn)
{
	struct loader l;

	loader_init(&l, b, name, warn);
	load_lines(&l, buf, len, true);
	ban_tick(b, now, NULL, NULL);
	return l.loaded;
}
