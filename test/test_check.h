/* test_check.h: the assertion macros of the host unit tests that count
 * failures and go on (CHECK, CHECK_EQ) or stop (REQUIRE); the program
 * ends with `return check_result("name");`. */
#ifndef SL_TEST_CHECK_H
#define SL_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int failures;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                   \
		}                                                                     \
	} while (0)

#define CHECK_EQ(a, b)                                                                         \
	do {                                                                                   \
		long long va_ = (long long)(a), vb_ = (long long)(b);                          \
		if (va_ != vb_) {                                                              \
			fprintf(stderr, "FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, \
				#a, #b, va_, vb_);                                             \
			failures++;                                                            \
		}                                                                              \
	} while (0)

#define REQUIRE(cond)                                                                   \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "FATAL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			exit(1);                                                        \
		}                                                                       \
	} while (0)

/* The end of a test program: the failure count on stderr and exit status
 * 1, or "NAME: all checks passed" and 0. */
static inline int check_result(const char *name)
{
	if (failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

#endif
