/*
 * parse_bench.c - the cost of sip_parse() on one message, for callgrind.
 *
 *	parse_bench parse|split|none N FILE
 *
 * Reads FILE (one SIP message) into memory, then runs N iterations of:
 *	parse	sip_parse() over the message;
 *	split	the baseline: memchr() for each '\n' in the message, counting
 *		lines (what any parser must do at the least);
 *	none	nothing (the loop and the sink alone).
 * Every result goes to a volatile sink, and an empty asm with a memory
 * clobber before each iteration tells the compiler the buffer may have
 * changed, so no iteration can be hoisted or folded away. Start-up (reading
 * the file, the dynamic loader) costs the same for any N: run it with two
 * values of N under `valgrind --tool=callgrind` and divide the difference in
 * instructions by the difference in N to get the cost of one iteration
 * (bench/run.sh does). All allocation happens before the loop, so the heap
 * totals of memcheck must not depend on N either.
 *
 * Prints the parse result once, so a message the parser rejects is noticed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/sip/sip.h"

static volatile size_t sink;

/* The baseline: count lines with memchr, as a line splitter would. */
static size_t
split_lines(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t lines = 0;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p = nl + 1;
	}
	if (p < end)
		lines++;
	return lines;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f;
	char *buf;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

int
main(int argc, char **argv)
{
	static struct sip_msg m;
	enum sip_rc rc;
	unsigned long n, i;
	size_t len;
	char *buf;
	int mode;

	if (argc != 4) {
		fprintf(stderr, "usage: parse_bench parse|split|none N FILE\n");
		return 2;
	}
	if (strcmp(argv[1], "parse") == 0)
		mode = 0;
	else if (strcmp(argv[1], "split") == 0)
		mode = 1;
	else if (strcmp(argv[1], "none") == 0)
		mode = 2;
	else {
		fprintf(stderr, "parse_bench: unknown mode %s\n", argv[1]);
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	if ((buf = read_file(argv[3], &len)) == NULL) {
		fprintf(stderr, "parse_bench: %s: %s\n", argv[3],
		    strerror(errno));
		return 1;
	}
	rc = sip_parse(&m, buf, len);
	printf("%s: %zu bytes, %zu lines, sip_parse %d (err %s), "
	    "%u headers\n", argv[3], len, split_lines(buf, len), (int)rc,
	    sip_err_str(m.err), m.hdr_count);
	fflush(stdout);

	for (i = 0; i < n; i++) {
		__asm__ volatile("" : : "r"(buf), "r"(&m) : "memory");
		switch (mode) {
		case 0:
			sink = (size_t)sip_parse(&m, buf, len) + m.hdr_count;
			break;
		case 1:
			sink = split_lines(buf, len);
			break;
		default:
			sink = i;
			break;
		}
	}
	free(buf);
	return rc == SIP_OK ? 0 : 3;
}
