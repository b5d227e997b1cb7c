/* test_report.h: the failure count and the two printf-style reporters
 * ("FAIL: ..." counted, "  ..." a note) shared by the test programs under
 * test/ (included by test/bus_vfio/test_util.h and the in-guest programs). */
#ifndef SL_TEST_REPORT_H
#define SL_TEST_REPORT_H

#include <stdarg.h>
#include <stdio.h>

static int test_failures;

/* Print an indented note line (flushed: the guest checks' logs interleave). */
static inline void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("  ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

/* Print "FAIL: <message>" and count the failure in test_failures. */
static inline void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
	test_failures++;
}

#endif
