/* dispatch.c: which SHA-256 kernel runs, chosen once at run time.
 *
 * The table lists every kernel this binary was built with, best first; the
 * default is the first one the CPU can run.  FIND_HASH_KERNEL=NAME forces
 * one (tests run each kernel this way).  This file is compiled with the
 * baseline flags only: it must run on any CPU of the architecture. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "kernel.h"

static int cpu_has_always(void)
{
	return 1;
}

static const struct fh_kernel kernels[] = {
	{ "portable", fh_kernel_portable, cpu_has_always },
};

const struct fh_kernel *fh_kernel_list(size_t *n)
{
	*n = sizeof kernels / sizeof kernels[0];
	return kernels;
}

const struct fh_kernel *fh_kernel_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
		if (strcmp(kernels[i].name, name) == 0)
			return &kernels[i];
	return NULL;
}

const struct fh_kernel *fh_kernel_default(void)
{
	const char *forced = getenv("FIND_HASH_KERNEL");
	size_t i;

	if (forced && *forced) {
		const struct fh_kernel *k = fh_kernel_find(forced);
		return k && k->cpu_has() ? k : NULL;
	}
	for (i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
		if (kernels[i].cpu_has())
			return &kernels[i];
	return &kernels[sizeof kernels / sizeof kernels[0] - 1];
}
