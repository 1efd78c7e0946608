/* clock-ahead.c: an LD_PRELOAD helper for tests/cli/clock-step.sh.  The
 * wall clock (CLOCK_REALTIME) reads an hour ahead of the kernel's, as it
 * would for a program that computed a deadline just before an operator or
 * NTP set the clock back an hour: a wait on a wall-clock deadline then
 * lasts an hour.  The monotonic clock is left alone. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	int r;

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(
			RTLD_NEXT, "clock_gettime");
	r = real(clock, ts);
	if (r == 0 && clock == CLOCK_REALTIME)
		ts->tv_sec += 3600;
	return r;
}
