/* cpus.c: how many CPUs this process may really use.
 *
 * nproc-style counting is wrong in a container: a pod limited to 2 CPUs on
 * a 64-core node sees 64 in its affinity mask, and 64 threads sharing a
 * 2-CPU quota are throttled in bursts.  So the affinity mask is capped by
 * the cgroup v2 cpu.max quota of this process's cgroup and its ancestors. */
#include <config.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "search.h"

static unsigned affinity_cpus(void)
{
#ifdef HAVE_SCHED_GETAFFINITY
	/* Start with room for 1024 CPUs and grow: a fixed cpu_set_t fails
	 * with EINVAL on machines with more CPUs than it holds. */
	for (size_t n = 1024; n <= 1u << 20; n *= 2) {
		cpu_set_t *set = CPU_ALLOC(n);
		size_t size = CPU_ALLOC_SIZE(n);
		int count;

		if (!set)
			break;
		CPU_ZERO_S(size, set);
		if (sched_getaffinity(0, size, set) == 0) {
			count = CPU_COUNT_S(size, set);
			CPU_FREE(set);
			return count > 0 ? (unsigned)count : 1;
		}
		CPU_FREE(set);
	}
#endif
	{
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		return n > 0 ? (unsigned)n : 1;
	}
}

/* The quota in dir/cpu.max, "QUOTA PERIOD" or "max PERIOD", as whole CPUs
 * rounded up; 0 when there is no limit or no file. */
static unsigned quota_at(const char *dir)
{
	char path[8300], line[128];
	unsigned long long quota, period;
	unsigned cpus = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/cpu.max", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(line, sizeof line, f) &&
	    sscanf(line, "%llu %llu", &quota, &period) == 2 && period > 0)
		cpus = (unsigned)((quota + period - 1) / period);
	fclose(f);
	return cpus;
}

unsigned fh_cgroup_cpu_limit(const char *self_cgroup, const char *mount)
{
	char line[4096], dir[8192];
	unsigned limit = 0;
	FILE *f = fopen(self_cgroup, "r");
	char *path = NULL;

	if (!f)
		return 0;
	/* cgroup v2 has one line "0::/path"; v1 lines have controllers. */
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "0::", 3) == 0) {
			path = line + 3;
			path[strcspn(path, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
	if (!path)
		return 0;

	/* A quota on any ancestor binds too; the tightest one wins. */
	for (;;) {
		unsigned q;
		char *slash;

		snprintf(dir, sizeof dir, "%s%s", mount, path);
		q = quota_at(dir);
		if (q && (!limit || q < limit))
			limit = q;
		slash = strrchr(path, '/');
		if (!slash || slash == path) {
			if (path[0] && strcmp(path, "/") != 0) {
				path[1] = '\0';
				continue;
			}
			break;
		}
		*slash = '\0';
	}
	return limit;
}

unsigned fh_usable_cpus(void)
{
	unsigned cpus = affinity_cpus();
	unsigned quota = fh_cgroup_cpu_limit("/proc/self/cgroup",
					     "/sys/fs/cgroup");

	return quota && quota < cpus ? quota : cpus;
}
