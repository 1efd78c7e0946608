/* main.c: find-hash's command line: options, their checks, which mode
 * runs, exit statuses.  --offline is in offline.c, queue mode behind
 * queue.h, the engine behind search.h. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fh-exit.h"
#include "queue.h"
#include "run.h"
#include "search.h"

#define MAX_THREADS 4096
#define MAX_SECONDS 1e9

/* What the command line says, before it is checked. */
struct cli_args {
	int offline, enqueue, benchmark, version, json, quiet;
	char *queue, *threads, *max_tries, *timeout, *seed, *kernel;
	char *shard, *shards;
	const char **rest; /* prefixes */
	int n_rest;
};

static struct cli_args args;

static struct poptOption mode_options[] = {
	{ "offline", 'o', POPT_ARG_NONE, &args.offline, 0,
	  "search for the PREFIX arguments on this machine", NULL },
	{ "queue", 'Q', POPT_ARG_STRING, &args.queue, 0,
	  "take prefixes from the RabbitMQ queue NAME (queue mode)", "NAME" },
	{ "enqueue", 'e', POPT_ARG_NONE, &args.enqueue, 0,
	  "with --queue: publish the PREFIX arguments (- reads stdin) to it",
	  NULL },
	{ "benchmark", 'b', POPT_ARG_NONE, &args.benchmark, 0,
	  "print the hash rate of each SHA-256 kernel this CPU supports",
	  NULL },
	{ "version", 'V', POPT_ARG_NONE, &args.version, 0,
	  "print the version and exit", NULL },
	POPT_TABLEEND
};

static struct poptOption search_options[] = {
	{ "threads", 't', POPT_ARG_STRING, &args.threads, 0,
	  "search threads (default: the CPUs this process may use)", "N" },
	{ "max-tries", 'm', POPT_ARG_STRING, &args.max_tries, 0,
	  "give up after N candidates, summed over threads (k, M, G, T)",
	  "N" },
	{ "timeout", 'T', POPT_ARG_STRING, &args.timeout, 0,
	  "give up after SECONDS", "SECONDS" },
	{ "seed", 's', POPT_ARG_STRING, &args.seed, 0,
	  "derive the candidates from N: the same seed gives the same answer",
	  "N" },
	{ "shard", 0, POPT_ARG_STRING, &args.shard, 0,
	  "search only shard I of N disjoint shards of the candidates",
	  "I/N" },
	{ "shards", 0, POPT_ARG_STRING, &args.shards, 0,
	  "N shards, I from JOB_COMPLETION_INDEX (an Indexed Job)", "N" },
	{ "kernel", 'k', POPT_ARG_STRING, &args.kernel, 0,
	  "use the SHA-256 kernel NAME (see --benchmark)", "NAME" },
	{ "json", 'j', POPT_ARG_NONE, &args.json, 0,
	  "print one JSON object per answer", NULL },
	{ "quiet", 'q', POPT_ARG_NONE, &args.quiet, 0,
	  "no progress line and no notes on stderr", NULL },
	POPT_TABLEEND
};

static struct poptOption no_options[] = { POPT_TABLEEND };

/* --help and --usage, as POPT_AUTOHELP prints them, but written with
 * fh_write_stdout: popt's own printing leaves a failed write to be found
 * at exit, its cause gone by then ("write error on standard output", and
 * no why).  The text is made whole first, then written; status 5 on a
 * failed write, 0 otherwise. */
static void print_help(poptContext con, enum poptCallbackReason reason,
		       const struct poptOption *opt, const char *arg,
		       const void *data)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int st;

	(void)reason;
	(void)arg;
	(void)data;
	if (!f) {
		fh_err("cannot print %s: %s", opt->shortName == '?' ?
			       "--help" : "--usage", strerror(errno));
		exit(FH_EXIT_SYSTEM);
	}
	if (opt->shortName == '?')
		poptPrintHelp(con, f, 0);
	else
		poptPrintUsage(con, f, 0);
	st = fclose(f) != 0 || fh_write_stdout(text, len) != 0;
	free(text);
	poptFreeContext(con);
	exit(st ? FH_EXIT_SYSTEM : FH_EXIT_OK);
}

static struct poptOption help_options[] = {
	{ NULL, '\0', POPT_ARG_CALLBACK, (void *)print_help, 0, NULL, NULL },
	{ "help", '?', POPT_ARG_NONE, NULL, '?', "Show this help message",
	  NULL },
	{ "usage", '\0', POPT_ARG_NONE, NULL, 'u',
	  "Display brief usage message", NULL },
	POPT_TABLEEND
};

/* --help's last paragraph, made from fh-exit.h's list (exit_help_init). */
static char exit_help[1024];

static struct poptOption options[] = {
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, mode_options, 0, "Modes:", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, search_options, 0,
	  "Search options:", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, fh_queue_popt, 0,
	  "Queue mode options:", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, help_options, 0, "Help options:",
	  NULL },
	/* popt prints an included table's title even when it is empty: the
	 * way to end --help with the exit statuses. */
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, no_options, 0, exit_help, NULL },
	POPT_TABLEEND
};

/* "Exit status: 0 all found (...), 1 ..., 143 SIGTERM." from fh-exit.h,
 * its words wrapped as popt wraps the option help, before 80 columns.  A
 * status stays on the line of the word after it ("143 SIGTERM", not "143"
 * at a line's end): they are joined by '\1' until the words are placed. */
static void exit_help_init(void)
{
#define FH_EXIT_HELP(name, value, help) #value "\1" help,
	static const char *const item[] = { FH_EXIT_LIST(FH_EXIT_HELP) };
#undef FH_EXIT_HELP
	char words[1024] = "Exit status:";
	size_t n = sizeof item / sizeof item[0], col = 0, len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t end = strlen(words);

		snprintf(words + end, sizeof words - end, " %s%s", item[i],
			 i + 1 < n ? "," : ".");
	}
	for (char *w = strtok(words, " "); w; w = strtok(NULL, " ")) {
		size_t wl = strlen(w);

		if (col && col + 1 + wl >= 80) {
			exit_help[len++] = '\n';
			col = 0;
		} else if (col) {
			exit_help[len++] = ' ';
			col++;
		}
		for (size_t i = 0; i < wl; i++)
			exit_help[len++] = w[i] == '\1' ? ' ' : w[i];
		col += wl;
	}
	exit_help[len] = '\0';
}

/* --- checking values ----------------------------------------------------- */

static int bad_value(const char *option, const char *value, const char *why)
{
	fh_err("invalid %s '%s': %s", option, value, why);
	return -1;
}

/* A count, with an optional k, M, G or T (powers of 1000) when suffixed:
 * 0, or -1 with *why saying what is wrong with it. */
static int count_value(const char *text, int suffixed, uint64_t min,
		       uint64_t max, uint64_t *out, const char **why)
{
	unsigned long long v;
	uint64_t scale = 1;
	char *end;

	*why = "not a whole number";
	/* digits first: strtoull would skip a leading blank and take a sign
	 * (" -1" is 2^64-1 to it) */
	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	switch (suffixed ? *end : '\0') {
	case 'k': scale = 1000; end++; break;
	case 'M': scale = 1000000; end++; break;
	case 'G': scale = 1000000000; end++; break;
	case 'T': scale = UINT64_C(1000000000000); end++; break;
	}
	if (end == text || *end != '\0')
		return -1;
	*why = "too large";
	if (errno == ERANGE || v > max / scale)
		return -1;
	*why = "too small";
	if (v * scale < min)
		return -1;
	*out = v * scale;
	return 0;
}

static int parse_count(const char *option, const char *text, uint64_t min,
		       uint64_t max, uint64_t *out)
{
	const char *why;

	return count_value(text, 1, min, max, out, &why) ?
		       bad_value(option, text, why) : 0;
}

static int parse_seconds(const char *option, const char *text, double *out)
{
	char *end;
	double v;

	/* decimal, as the man page says: strtod also reads hexadecimal
	 * ("0x10" is 16), "inf" and "nan" */
	if (strspn(text, "0123456789.eE+-") != strlen(text))
		return bad_value(option, text, "not a decimal number of seconds");
	errno = 0;
	v = strtod(text, &end);
	if (end == text || *end != '\0' || !(v > 0) ||
	    (errno == ERANGE && v < 1))
		return bad_value(option, text, "not a number of seconds > 0");
	if (errno == ERANGE || v > MAX_SECONDS)
		return bad_value(option, text,
				 "too large, at most 1000000000 seconds");
	*out = v;
	return 0;
}

/* A seed is decimal, or hexadecimal after 0x, as the man page says: not
 * octal (strtoull's base 0 would read 0042 as 34), and no leading blank or
 * sign (strtoull would read " -1" as 2^64-1). */
static int parse_seed(const char *text, uint64_t *out)
{
	const char *digits = text;
	int base = 10;
	char *end;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		digits = text + 2;
		base = 16;
	}
	if (!isxdigit((unsigned char)digits[0]) ||
	    (base == 10 && !isdigit((unsigned char)digits[0])))
		return bad_value("--seed", text,
				 "not a whole number 0..2^64-1 (decimal or 0x hex)");
	errno = 0;
	*out = strtoull(digits, &end, base);
	if (*end != '\0')
		return bad_value("--seed", text,
				 "not a whole number 0..2^64-1 (decimal or 0x hex)");
	if (errno == ERANGE)
		return bad_value("--seed", text, "too large, at most 2^64-1");
	return 0;
}

static int parse_shard(struct fh_common *c)
{
	uint64_t i, n;

	if (args.shard) {
		char *slash = strchr(args.shard, '/');
		const char *why;
		char why_part[64];
		int bad;

		if (args.shards)
			return bad_value("--shard", args.shard,
					 "give --shard I/N or --shards N, not both");
		if (!slash)
			return bad_value("--shard", args.shard, "not I/N");
		/* each part is checked alone, the message names the whole */
		*slash = '\0';
		bad = count_value(slash + 1, 1, 1, UINT64_C(1) << 40, &n, &why);
		if (bad)
			snprintf(why_part, sizeof why_part, "N is %s", why);
		else if ((bad = count_value(args.shard, 1, 0, UINT64_MAX, &i,
					    &why)))
			snprintf(why_part, sizeof why_part, "I is %s", why);
		*slash = '/';
		if (bad)
			return bad_value("--shard", args.shard, why_part);
	} else if (args.shards) {
		const char *index = getenv("JOB_COMPLETION_INDEX");
		const char *why_index;

		if (parse_count("--shards", args.shards, 1, UINT64_C(1) << 40, &n))
			return -1;
		if (!index || !*index) {
			fh_err("--shards needs JOB_COMPLETION_INDEX (set by an "
			       "Indexed Job), or use --shard I/N");
			return -1;
		}
		/* Kubernetes writes plain digits: no k or M here */
		if (count_value(index, 0, 0, UINT64_MAX, &i, &why_index))
			return bad_value("JOB_COMPLETION_INDEX", index,
					 why_index);
	} else {
		return 0;
	}
	if (i >= n && !args.shard) {
		fh_err("invalid shard '%" PRIu64 "/%" PRIu64 "': "
		       "JOB_COMPLETION_INDEX %" PRIu64 " is not less than "
		       "--shards %" PRIu64, i, n, i, n);
		return -1;
	}
	if (i >= n) {
		char text[64];
		snprintf(text, sizeof text, "%" PRIu64 "/%" PRIu64, i, n);
		return bad_value("shard", text, "I must be less than N");
	}
	c->shard = i;
	c->shards = n;
	return 0;
}

static int pick_kernel(struct fh_common *c)
{
	const char *name = args.kernel ? args.kernel : getenv("FIND_HASH_KERNEL");
	const char *from = args.kernel ? "" : " in FIND_HASH_KERNEL";
	const struct fh_kernel *k;

	if (args.kernel && !*args.kernel)
		return bad_value("--kernel", "", "empty (see --benchmark)");
	if (!name || !*name) {
		c->kernel = fh_kernel_default();
		return 0;
	}
	k = fh_kernel_find(name);
	if (!k) {
		size_t n, i;
		const struct fh_kernel *all = fh_kernel_list(&n);
		char list[256] = "";

		for (i = 0; i < n; i++) {
			strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
			strncat(list, all[i].name, sizeof list - strlen(list) - 1);
		}
		fh_err("unknown kernel '%s'%s (this build has: %s)", name, from,
		       list);
		return -1;
	}
	if (!k->cpu_has()) {
		fh_err("kernel '%s'%s needs instructions this CPU lacks", name,
		       from);
		return -1;
	}
	c->kernel = k;
	return 0;
}

/* Turns the command line into the common options; -1 after one line on
 * stderr naming the bad value. */
static int check_common(struct fh_common *c)
{
	uint64_t v;

	memset(c, 0, sizeof *c);
	c->threads = fh_usable_cpus();
	if (c->threads > MAX_THREADS)
		c->threads = MAX_THREADS;
	if (args.threads) {
		if (parse_count("--threads", args.threads, 1, MAX_THREADS, &v))
			return -1;
		c->threads = (unsigned)v;
	}
	if (args.max_tries &&
	    parse_count("--max-tries", args.max_tries, 1, FH_SPACE, &c->max_tries))
		return -1;
	if (args.timeout && parse_seconds("--timeout", args.timeout, &c->timeout))
		return -1;
	if (args.seed) {
		if (parse_seed(args.seed, &c->seed))
			return -1;
		c->seeded = 1;
	}
	/* FIND_HASH_KERNEL is often set for a whole pod: --enqueue, which
	 * searches nothing, does not read it */
	if (parse_shard(c) || (!args.enqueue && pick_kernel(c)))
		return -1;
	/* Not an error: a shard of a random seed is still a valid search,
	 * only not the share of one job it was likely meant to be. */
	if (c->shards && !c->seeded)
		fh_warn("%s without --seed: each shard draws its own random "
			"candidates, so shards overlap; give all shards one "
			"--seed", args.shard ? "--shard" : "--shards");
	c->json = args.json;
	fh_set_quiet(args.quiet);
	c->progress = !args.quiet && isatty(STDERR_FILENO);
	return 0;
}

/* --- the modes ------------------------------------------------------------ */

/* The give-up bound as the user wrote it ("--max-tries 1G --timeout 0.2"),
 * for the line that names a prefix not found within it. */
static void bound_text(char *out, size_t size, const struct fh_common *c)
{
	snprintf(out, size, "%s%s%s%s%s", c->max_tries ? "--max-tries " : "",
		 c->max_tries ? args.max_tries : "",
		 c->max_tries && c->timeout > 0 ? " " : "",
		 c->timeout > 0 ? "--timeout " : "",
		 c->timeout > 0 ? args.timeout : "");
}

static int run_benchmark(const struct fh_common *c)
{
	double seconds = c->timeout > 0 ? c->timeout : 1.0;
	const struct fh_kernel *all;
	size_t n, i;

	all = fh_kernel_list(&n);
	for (i = 0; i < n; i++) {
		double rate;

		if (!all[i].cpu_has())
			continue;
		rate = fh_bench_kernel(&all[i], c->threads, seconds,
				       fh_signal_caught);
		if (fh_signal_caught()) {
			/* the kernel's figure is cut short: not printed */
			fh_note("stopped by %s during the %s kernel's run",
				fh_signal_name(fh_signal_caught()),
				all[i].name);
			return fh_exit_for_signal(fh_signal_caught());
		}
		if (rate < 0) {
			fh_err("cannot start %u threads", c->threads);
			return FH_EXIT_SYSTEM;
		}
		printf("%-10s %3u thread%s %10.1f MH/s%s\n", all[i].name,
		       c->threads, c->threads == 1 ? " " : "s", rate / 1e6,
		       &all[i] == c->kernel ? "  (selected)" : "");
		if (fh_flush_stdout() != 0)
			return FH_EXIT_SYSTEM;
	}
	return FH_EXIT_OK;
}

/* --- main ----------------------------------------------------------------- */

static int parse_command_line(int argc, const char **argv)
{
	poptContext ctx;
	int rc;

	exit_help_init();
	ctx = poptGetContext(fh_progname, argc, argv, options, 0);

	poptSetOtherOptionHelp(ctx, "--offline PREFIX... | --queue NAME "
				    "[--enqueue PREFIX...] | --benchmark");
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1) {
		fh_err("%s: %s (see --help)",
		       poptBadOption(ctx, POPT_BADOPTION_NOALIAS),
		       poptStrerror(rc));
		poptFreeContext(ctx);
		return -1;
	}
	/* The leftover arguments must outlive the context, which owns the
	 * strings poptGetArgs returns: copy them. */
	{
		const char **rest = poptGetArgs(ctx);
		int n = 0;

		while (rest && rest[n])
			n++;
		args.rest = calloc((size_t)n + 1, sizeof *args.rest);
		if (!args.rest) {
			poptFreeContext(ctx);
			return -1;
		}
		for (int i = 0; i < n; i++) {
			args.rest[i] = strdup(rest[i]);
			if (!args.rest[i]) {
				poptFreeContext(ctx);
				return -1;
			}
		}
		args.n_rest = n;
	}
	poptFreeContext(ctx);
	return 0;
}

/* The first queue option on the command line, or NULL: they mean nothing
 * without --queue, and silently ignoring one (--url, say) would leave the
 * user believing it took effect. */
static const char *queue_option_given(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const struct poptOption *o;

		if (strncmp(argv[i], "--", 2) != 0)
			continue;
		for (o = fh_queue_popt; o->longName; o++) {
			size_t n = strlen(o->longName);

			if (strncmp(argv[i] + 2, o->longName, n) == 0 &&
			    (argv[i][2 + n] == '\0' || argv[i][2 + n] == '='))
				return o->longName;
		}
	}
	return NULL;
}

/* The search options, and the modes that take none of them: --enqueue
 * searches nothing (--seed it takes, for --split's shard messages) and
 * --benchmark only measures (on --threads threads, for --timeout seconds,
 * marking --kernel).  The first given that mode would silently ignore, or
 * NULL. */
enum { FOR_ENQUEUE = 1, FOR_BENCHMARK = 2 };

static const char *ignored_option(int mode)
{
	const struct {
		int given;
		const char *name;
		int refused_by;
	} opts[] = {
		{ args.threads != NULL, "--threads", FOR_ENQUEUE },
		{ args.max_tries != NULL, "--max-tries", FOR_ENQUEUE | FOR_BENCHMARK },
		{ args.timeout != NULL, "--timeout", FOR_ENQUEUE },
		{ args.seed != NULL, "--seed", FOR_BENCHMARK },
		{ args.shard != NULL, "--shard", FOR_ENQUEUE | FOR_BENCHMARK },
		{ args.shards != NULL, "--shards", FOR_ENQUEUE | FOR_BENCHMARK },
		{ args.kernel != NULL, "--kernel", FOR_ENQUEUE },
		{ args.json, "--json", FOR_ENQUEUE | FOR_BENCHMARK },
	};

	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (opts[i].given && (opts[i].refused_by & mode))
			return opts[i].name;
	return NULL;
}

static int check_mode(int argc, char **argv)
{
	const char *qopt = queue_option_given(argc, argv);
	const char *sopt = args.enqueue ? ignored_option(FOR_ENQUEUE) : NULL;
	const char *bopt = args.benchmark ? ignored_option(FOR_BENCHMARK) : NULL;
	int modes = args.offline + (args.queue != NULL) + args.benchmark;

	if (args.enqueue && !args.queue) {
		fh_err("--enqueue needs --queue NAME");
		return -1;
	}
	/* "--queue --offline 0c": else the error would be about "0c" */
	if (args.queue && fh_queue_name_not_option("--queue", args.queue) < 0)
		return -1;
	if (sopt) {
		fh_err("%s has no effect with --enqueue (give it to the workers)",
		       sopt);
		return -1;
	}
	if (qopt && !args.queue) {
		fh_err("--%s needs --queue NAME", qopt);
		return -1;
	}
	if (bopt) {
		fh_err("%s has no effect with --benchmark (it takes --threads, "
		       "--timeout and --kernel)", bopt);
		return -1;
	}
	if (modes != 1) {
		fh_err(modes ? "give one mode: --offline, --queue or --benchmark"
			     : "no mode given: --offline PREFIX..., --queue NAME"
			       " or --benchmark (see --help)");
		return -1;
	}
	if (args.n_rest && (args.benchmark || (args.queue && !args.enqueue))) {
		fh_err("unexpected argument '%s'", args.rest[0]);
		return -1;
	}
	return 0;
}

/* A closed standard descriptor would be handed out by the next open() or
 * socket(), and our messages and answers would go down the broker
 * connection: give each closed one /dev/null, as OpenSSH and coreutils do.
 * What is written to it is discarded, and succeeds. */
static void open_std_fds(void)
{
	int fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int got;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		got = open("/dev/null", O_RDWR);
		if (got != fd) /* nowhere to say so: stderr may be the one */
			_exit(FH_EXIT_SYSTEM);
	}
}

/* popt's --help and --usage print and call exit(0): a failed write there is
 * a failure too (exit 5), as on every other path to stdout. */
/* For the ways out that do not return from main (popt's --help calls
 * exit): a failed write to stdout must not pass for success.  main's own
 * return has closed stdout and chosen its status already, which a failed
 * write must not turn into 5 when it is a signal's 143, say. */
static int main_closed_stdout;

static void close_stdout_at_exit(void)
{
	if (!main_closed_stdout && fh_close_stdout())
		_exit(FH_EXIT_SYSTEM);
}

/* Overwrites the secrets of each --url in argv (which ps shows) with 'x',
 * keeping the user and host so that ps still tells where the worker
 * connects: fh_url_hide, the bytes the URL shown in messages has as ***.
 * A URL the parser refuses (a password holding an unencoded '/', '?' or
 * '#') is hidden all the same: it was readable until the exit otherwise.
 * popt copied the value before, so the parsed URL is untouched. */
static void hide_url_passwords(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
			fh_url_hide(argv[++i]);
		else if (strncmp(argv[i], "--url=", 6) == 0)
			fh_url_hide(argv[i] + 6);
	}
}

int main(int argc, char **argv)
{
	struct fh_common common;
	char bound[512];
	int status;

	open_std_fds();
	atexit(close_stdout_at_exit);
	if (parse_command_line(argc, (const char **)argv))
		return FH_EXIT_USAGE;
	hide_url_passwords(argc, argv);
	if (args.version) {
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return fh_close_stdout() ? FH_EXIT_SYSTEM : FH_EXIT_OK;
	}
	if (check_mode(argc, argv) || check_common(&common))
		return FH_EXIT_USAGE;
	fh_signals_install();

	bound_text(bound, sizeof bound, &common);
	if (args.offline)
		status = fh_offline(&common, args.rest, args.n_rest, bound);
	else if (args.benchmark)
		status = run_benchmark(&common);
	else if (args.enqueue)
		status = fh_queue_enqueue(args.queue, args.rest, args.n_rest,
					  &common);
	else
		status = fh_queue_worker(args.queue, &common);

	for (int i = 0; i < args.n_rest; i++)
		free((char *)args.rest[i]);
	free(args.rest);
	main_closed_stdout = 1;
	if (fh_close_stdout() && status == FH_EXIT_OK)
		status = FH_EXIT_SYSTEM;
	return status;
}
