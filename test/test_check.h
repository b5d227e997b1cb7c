/* test_check.h: the assertion macros of the host unit tests that count
 * failures and go on (CHECK, CHECK_EQ) or stop (REQUIRE); the program
 * ends by returning failures != 0. */
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

#endif
