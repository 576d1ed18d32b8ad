/*
 * t.h - the unit-test harness: TAP-style lines that tests/run.sh counts.
 *
 * Each check prints "ok N - what" or "not ok N - what" with the file:line of
 * a failure. t_done() prints the plan and returns the exit status. Header-only
 * so each test binary links its module and nothing else.
 */
#ifndef T_H
#define T_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int t_count, t_fails;

static void __attribute__((format(printf, 4, 5)))
t_report(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t_count++;
	if (!ok)
		t_fails++;
	printf("%sok %d - ", ok ? "" : "not ", t_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf(" (%s:%d)", file, line);
	putchar('\n');
	fflush(stdout);
}

/* A check with a description. */
#define T_OK(cond, ...)	t_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Skips one check visibly, with its reason. */
#define T_SKIP(why, ...) do {						\
	t_count++;							\
	printf("ok %d - ", t_count);					\
	printf(__VA_ARGS__);						\
	printf(" # SKIP %s\n", (why));					\
} while (0)

static inline int
t_done(void)
{
	printf("1..%d\n", t_count);
	return t_fails ? 1 : 0;
}

/*
 * Copies len bytes to the very end of a read-write page followed by a
 * PROT_NONE page, so a read one byte too far faults. Returns the copy; free
 * it with t_guard_free(p, len).
 */
static inline const char *
t_guard_copy(const void *data, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (len + pg - 1) / pg * pg;
	char *base;

	if (span == 0)
		span = pg;
	base = mmap(NULL, span + pg, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		abort();
	if (mprotect(base + span, pg, PROT_NONE) != 0)
		abort();
	memcpy(base + span - len, data, len);
	return base + span - len;
}

static inline void
t_guard_free(const char *p, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (len + pg - 1) / pg * pg;

	if (span == 0)
		span = pg;
	munmap((void *)((uintptr_t)p + len - span), span + pg);
}

/* Reads a whole file into a malloc'd buffer; NULL on error. */
static inline char *
t_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
		buf[n] = '\0';
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

#endif /* T_H */
