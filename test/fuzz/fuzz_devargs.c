/* fuzz_devargs.c: libFuzzer target for device arguments: the EAL's -a/--vdev
 * parser (through eal_parse_args, "-a BDF,iommu=...") and sl_devarg_get,
 * the key=value lookup drivers use. The input is split at the first NUL
 * into the option value and a key; a lookup never writes past the value
 * buffer it is given (a canary after it) and always terminates it. */
#include <errno.h>

#include "eal_private.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct eal_options opts;
	char *buf = malloc(size + 2), *key, val[40];
	bool help;

	fuzz_quiet_logs();
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	key = buf + strlen(buf) + 1;
	if (key > buf + size)
		key = buf + size; /* no NUL in the input: empty key */

	/* the option parser, as -a VALUE and --vdev VALUE */
	char *argv_a[] = {"fuzz", "-a", buf, NULL};
	char *argv_v[] = {"fuzz", "--vdev", buf, NULL};
	int r = eal_parse_args(3, argv_a, &opts, &help);
	FUZZ_ASSERT(r == 2 || (r == -1 && errno == EINVAL), "-a '%s': %d", buf, r);
	if (r == 2) {
		const struct sl_devarg *d = &opts.pub.allow[0];
		FUZZ_ASSERT(opts.pub.nb_allow == 1 && strlen(d->name) == 12, "-a '%s' gave name '%s'", buf, d->name);
	}
	r = eal_parse_args(3, argv_v, &opts, &help);
	FUZZ_ASSERT(r == 2 || (r == -1 && errno == EINVAL), "--vdev '%s': %d", buf, r);

	/* the lookup, with every value buffer size up to the canary */
	size_t len = size % sizeof(val);
	memset(val, 0x7e, sizeof(val));
	if (sl_devarg_get(buf, key, val, len) == 0 && len > 0)
		FUZZ_ASSERT(strlen(val) < len, "value of '%s' in '%s' not terminated within %zu", key, buf, len);
	for (size_t i = len; i < sizeof(val); i++)
		FUZZ_ASSERT(val[i] == 0x7e || len == 0, "sl_devarg_get wrote past %zu bytes", len);
	free(buf);
	return 0;
}
