/* thread-limit.c: an LD_PRELOAD helper for tests/queue/hardening-limits.sh
 * that plays a machine out of threads (a pod's pids limit, RLIMIT_NPROC,
 * no memory for a stack) at a chosen moment: pthread_create succeeds for
 * the first $FH_THREADS_OK calls of the process, then fails with EAGAIN,
 * as glibc's does when the kernel refuses clone(2).  Built by the test
 * with the C compiler, as tests/cli/clock-ahead.c is. */
#define _GNU_SOURCE /* RTLD_NEXT */

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef int create_fn(pthread_t *, const pthread_attr_t *,
		      void *(*)(void *), void *);

int pthread_create(pthread_t *t, const pthread_attr_t *attr,
		   void *(*start)(void *), void *arg)
{
	static atomic_long calls;
	static create_fn *real;
	const char *ok = getenv("FH_THREADS_OK");

	if (!real)
		real = (create_fn *)dlsym(RTLD_NEXT, "pthread_create");
	if (ok && atomic_fetch_add(&calls, 1) >= atol(ok))
		return EAGAIN;
	return real(t, attr, start, arg);
}
