/* test_backend.h: the in-guest programs' --backend option, one backend for
 * every device ("type1") or one per device in command-line order
 * ("iommufd,type1": the mixed scenario, the first device through iommufd,
 * the second through the type1 container, in one process). */
#ifndef SL_TEST_BACKEND_H
#define SL_TEST_BACKEND_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Item I of the comma-separated LIST into BUF (the last item when LIST
 * has fewer); returns BUF. */
static inline const char *test_backend_at(const char *list, unsigned i, char *buf, size_t n)
{
	const char *p = list, *comma;
	while (i > 0 && (comma = strchr(p, ',')) != NULL) {
		p = comma + 1;
		i--;
	}
	comma = strchr(p, ',');
	size_t len = comma ? (size_t)(comma - p) : strlen(p);
	snprintf(buf, n, "%.*s", (int)len, p);
	return buf;
}

/* Whether any device of LIST uses BACKEND. */
static inline bool test_backend_any(const char *list, const char *backend)
{
	char b[32];
	for (unsigned i = 0; i < 8; i++)
		if (strcmp(test_backend_at(list, i, b, sizeof(b)), backend) == 0)
			return true;
	return false;
}

/* Whether any device of LIST has no IOMMU (noiommu through its group,
 * noiommu-cdev through its cdev): the EAL then needs --allow-noiommu and
 * --iova-mode pa. */
static inline bool test_backend_any_noiommu(const char *list)
{
	return test_backend_any(list, "noiommu") || test_backend_any(list, "noiommu-cdev");
}

#endif
