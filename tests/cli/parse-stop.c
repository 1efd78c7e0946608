/* parse-stop.c: an LD_PRELOAD helper for tests/cli/hardening-argv.sh.  The
 * program stops itself (SIGSTOP) as it hands the broker URL to
 * amqp_parse_url, then parses as usual once continued: a known moment
 * after main has hidden --url's password in argv, and before a URL the
 * parser refuses ends the program, for the test to read
 * /proc/PID/cmdline. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>

struct amqp_connection_info;

int amqp_parse_url(char *url, struct amqp_connection_info *parsed)
{
	int (*real)(char *, struct amqp_connection_info *);

	real = (int (*)(char *, struct amqp_connection_info *))dlsym(
		RTLD_NEXT, "amqp_parse_url");
	raise(SIGSTOP);
	return real(url, parsed);
}
