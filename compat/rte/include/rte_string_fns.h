/* rte_string_fns.h (Sluice rte_ compatibility layer). */
#ifndef SLUICE_RTE_STRING_FNS_H
#define SLUICE_RTE_STRING_FNS_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Split STRING (of at most STRINGLEN bytes) in place at DELIM into at most
 * MAXTOKENS tokens; returns how many, or -1 (errno EINVAL) for NULL
 * arguments. */
int rte_strsplit(char *string, int stringlen, char **tokens, int maxtokens, char delim);

static inline size_t rte_strlcpy(char *dst, const char *src, size_t size)
{
	return (size_t)snprintf(dst, size, "%s", src);
}

static inline size_t rte_strlcat(char *dst, const char *src, size_t size)
{
	size_t l = strnlen(dst, size);
	if (l < size)
		return l + rte_strlcpy(&dst[l], src, size - l);
	return l + strlen(src);
}

#ifndef strlcpy
#define strlcpy(dst, src, size) rte_strlcpy(dst, src, size)
#endif
#ifndef strlcat
#define strlcat(dst, src, size) rte_strlcat(dst, src, size)
#endif

/* Copy SRC into DST (DSIZE bytes); the length copied, or -E2BIG when it
 * did not fit (DST then holds the truncated string). */
ssize_t rte_strscpy(char *dst, const char *src, size_t dsize);

#ifdef __cplusplus
}
#endif
#endif
