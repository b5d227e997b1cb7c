/* fuzz_eal_options.c: libFuzzer target for the EAL command-line parser
 * (eal_parse_args). The input is split at NUL bytes into up to 32
 * arguments after argv[0]; the parser must return how many it consumed
 * (never more than there are) or -1 with EINVAL, and leave a consistent
 * configuration when it accepts the line. */
#include <errno.h>

#include "eal_private.h"
#include "fuzz_common.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct eal_options opts;
	char *buf = malloc(size + 1);
	char *argv[MAX_ARGS + 2];
	int argc = 1;
	bool help;

	fuzz_quiet_logs();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "fuzz";
	for (char *p = buf; p < buf + size && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	errno = 0;
	int r = eal_parse_args(argc, argv, &opts, &help);
	FUZZ_ASSERT(r == -1 ? errno == EINVAL : (r >= 0 && r < argc), "parse returned %d (errno %d) for %d args", r,
		    errno, argc - 1);
	if (r >= 0) {
		FUZZ_ASSERT(opts.pub.nb_allow <= SL_MAX_DEVARGS && opts.pub.nb_vdev <= SL_MAX_DEVARGS,
			    "%u -a and %u --vdev items", opts.pub.nb_allow, opts.pub.nb_vdev);
		FUZZ_ASSERT(opts.nb_log_comp <= EAL_MAX_LOG_OPTS, "%u log options", opts.nb_log_comp);
		FUZZ_ASSERT(memchr(opts.pub.vfio_backend, 0, sizeof(opts.pub.vfio_backend)) != NULL,
			    "vfio backend not terminated");
		for (unsigned i = 0; i < opts.pub.nb_allow; i++)
			FUZZ_ASSERT(memchr(opts.pub.allow[i].args, 0, SL_DEVARG_ARGS_LEN) != NULL, "args not terminated");
	}
	free(buf);
	return 0;
}
