/* test_util.h: tiny assertion and log-capture helpers shared by the
 * bus_vfio/dma_map host unit tests. */
#ifndef SL_TEST_BUS_VFIO_UTIL_H
#define SL_TEST_BUS_VFIO_UTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_eal.h"
#include "../test_report.h"

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			test_failures++;                                             \
		}                                                                    \
	} while (0)

static inline void check_contains(const char *hay, const char *needle, const char *file, int line)
{
	if (!hay || !needle || !strstr(hay, needle)) {
		fprintf(stderr, "%s:%d: expected \"%s\" in:\n  %s\n", file, line,
			needle ? needle : "(null)", hay ? hay : "(null)");
		test_failures++;
	}
}

#define CHECK_CONTAINS(hay, needle) check_contains((hay), (needle), __FILE__, __LINE__)

/* Log capture: everything sl_log prints between begin and end lands in a
 * memory buffer returned by end (valid until the next begin). */
static char *capture_buf;
static size_t capture_len;
static FILE *capture_f;

static inline void capture_begin(void)
{
	free(capture_buf);
	capture_buf = NULL;
	capture_len = 0;
	capture_f = open_memstream(&capture_buf, &capture_len);
	sl_log_set_stream(capture_f);
}

static inline const char *capture_end(void)
{
	sl_log_set_stream(stderr);
	fclose(capture_f);
	capture_f = NULL;
	fprintf(stderr, "%s", capture_buf ? capture_buf : "");
	return capture_buf ? capture_buf : "";
}

static inline int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static inline int test_result(const char *name)
{
	if (test_failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

#endif
