/*
 * report_test.c - the analyze report's own limits: report_new() and
 * report_merge() size their tables without wrapping, whatever the limit
 * (--max-sources caps it today, but the report must not rely on that).
 */
#include <errno.h>
#include <stdint.h>

#include "../lib/t.h"
#include "../../src/io/report.h"

static void
test_new_limits(void)
{
	static const size_t bad[] = {
		SIZE_MAX, SIZE_MAX / 2 + 1, SIZE_MAX / 2,
		REPORT_MAX_SOURCES + 1
	};
	static const size_t good[] = { 0, 1, 8, 9, 1000, 10000000 };
	struct report *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		r = report_new(bad[i]);
		T_OK(r == NULL && errno == ENOMEM, "report_new(%zu): refused "
		    "with ENOMEM (its table would wrap)", bad[i]);
		report_free(r);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		r = report_new(good[i]);
		T_OK(r != NULL, "report_new(%zu): a report", good[i]);
		report_free(r);
	}
}

static void
test_merge(void)
{
	struct report *a = report_new(10), *b = report_new(7);

	T_OK(a != NULL && b != NULL && report_merge(a, b) == 0,
	    "two small reports merge");
	report_free(a);
	report_free(b);
}

int
main(void)
{
	test_new_limits();
	test_merge();
	return t_done();
}
