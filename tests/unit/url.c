/* url.c: queue mode's pure parts: the broker URL, parsed and shown
 * without its password, and where the URL is taken from. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "queue.h"
#include "unit.h"

/* fh_url_redact (messages) shows the secrets as ***; fh_url_hide (--url in
 * argv) overwrites the very same bytes with 'x' in place.  A URL the
 * parser takes loses its password alone. */
START_TEST(redaction_hides_the_password)
{
	static const struct {
		const char *in, *out, *hidden;
	} cases[] = {
		{ "amqp://guest:guest@localhost:5672/",
		  "amqp://guest:***@localhost:5672/",
		  "amqp://guest:xxxxx@localhost:5672/" },
		{ "amqps://u:p@h/v", "amqps://u:***@h/v", "amqps://u:x@h/v" },
		{ "amqp://u:pw@h:5672/v%2fh", "amqp://u:***@h:5672/v%2fh",
		  "amqp://u:xx@h:5672/v%2fh" },
		/* a password holding unencoded '@', '/', '?', '#' or ':' is
		 * still hidden whole (the parser then refuses the URL) */
		{ "amqp://u:p@ss/w@rd@h:1/v", "amqp://u:***@h:1/v",
		  "amqp://u:xxxxxxxxx@h:1/v" },
		{ "amqp://u:p?#:@/@h", "amqp://u:***@h", "amqp://u:xxxxxx@h" },
		/* no password: nothing to hide, the port stays */
		{ "amqp://u@h:5672/v", "amqp://u@h:5672/v", "amqp://u@h:5672/v" },
		{ "amqp://h:5672", "amqp://h:5672", "amqp://h:5672" },
		{ "amqp://u:@h", "amqp://u:***@h", "amqp://u:@h" },
		/* no "@host": what stands where the port goes is a password
		 * unless it is digits */
		{ "amqp://guest:Secr3t", "amqp://guest:***", "amqp://guest:xxxxxx" },
		{ "amqp://guest:Secr3t/vhost", "amqp://guest:***",
		  "amqp://guest:xxxxxxxxxxxx" },
		{ "amqp://gu@est:Secr3t", "amqp://gu@est:***",
		  "amqp://gu@est:xxxxxx" },
		{ "amqp://u:p@[::1", "amqp://u:***@[:***", "amqp://u:x@[:xx" },
		{ "amqp://u:p@[::1]:70000/v", "amqp://u:***@[::1]:70000/v",
		  "amqp://u:x@[::1]:70000/v" },
		{ "amqp://[x]y:Secr3t", "amqp://[x]y:***", "amqp://[x]y:xxxxxx" },
		/* not even a URL */
		{ "u:secret@h", "u:***@h", "u:xxxxxx@h" },
		/* control bytes are escaped, the line stays one line */
		{ "amqp://u:p@h\n/v", "amqp://u:***@h\\x0a/v", "amqp://u:x@h\n/v" },
		{ "", "", "" },
	};
	char out[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fh_url_redact(cases[i].in, out, sizeof out);
		ck_assert_str_eq(out, cases[i].out);
		snprintf(out, sizeof out, "%s", cases[i].in);
		fh_url_hide(out);
		ck_assert_str_eq(out, cases[i].hidden);
	}
}
END_TEST

START_TEST(redaction_respects_the_buffer)
{
	char out[8];

	memset(out, 'x', sizeof out);
	fh_url_redact("amqp://user:secret@host:5672/vhost", out, sizeof out);
	ck_assert_uint_lt(strlen(out), sizeof out);
	ck_assert_ptr_null(strstr(out, "secret"));
}
END_TEST

START_TEST(urls_parse_and_show_without_password)
{
	static const struct {
		const char *in, *user, *host, *vhost, *shown;
		int port, ssl;
	} cases[] = {
		{ "amqp://guest:guest@localhost:5672/", "guest", "localhost",
		  "/", "amqp://guest:***@localhost:5672/", 5672, 0 },
		{ "amqp://guest:guest@localhost:5672", "guest", "localhost",
		  "/", "amqp://guest:***@localhost:5672/", 5672, 0 },
		{ "amqps://w:pw@rabbit.example:5671/jobs", "w",
		  "rabbit.example", "jobs",
		  "amqps://w:***@rabbit.example:5671/jobs", 5671, 1 },
		{ "amqps://w:pw@rabbit", "w", "rabbit", "/",
		  "amqps://w:***@rabbit:5671/", 5671, 1 },
		{ "amqp://a:b@h/%2f", "a", "h", "/", "amqp://a:***@h:5672/",
		  5672, 0 },
		{ "amqp://a:b@h/my%20vhost", "a", "h", "my vhost",
		  "amqp://a:***@h:5672/my%20vhost", 5672, 0 },
		{ "  amqp://a:b@h:1/v\n", "a", "h", "v", "amqp://a:***@h:1/v",
		  1, 0 },
		{ "amqp://h", "guest", "h", "/", "amqp://guest:***@h:5672/",
		  5672, 0 },
		/* a port is read by its value, as amqp_parse_url reads it:
		 * leading zeros are zeros, whatever the digit count */
		{ "amqp://a:b@h:056720/v", "a", "h", "v",
		  "amqp://a:***@h:56720/v", 56720, 0 },
		{ "amqp://h:05672", "guest", "h", "/",
		  "amqp://guest:***@h:5672/", 5672, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fh_url u;
		const char *why = NULL;

		ck_assert_msg(fh_url_parse(cases[i].in, &u, &why) == 0,
			      "%s: %s", cases[i].in, why);
		ck_assert_str_eq(u.user, cases[i].user);
		ck_assert_str_eq(u.host, cases[i].host);
		ck_assert_str_eq(u.vhost, cases[i].vhost);
		ck_assert_int_eq(u.port, cases[i].port);
		ck_assert_int_eq(u.ssl, cases[i].ssl);
		ck_assert_str_eq(u.shown, cases[i].shown);
		fh_url_free(&u);
	}
}
END_TEST

START_TEST(bad_urls_say_why)
{
	static const char *bad[] = {
		"", "localhost", "http://h/", "AMQP://h/", "amqp:/h",
		"amqp://h:port/", "amqp://h/v?x=1", "amqp://h//",
		/* no host: never localhost with the credentials */
		"amqp://", "amqp://u:p@", "amqp://u:p@:5750", "amqp://u:p@/v",
		"amqps://u:p@[]:1",
		/* ports out of range */
		"amqp://h:0", "amqp://h:70000/", "amqp://h:99999999999",
		"amqp://h:000", "amqp://h:0070000",
		/* a port is digits only: strtol's sign and blanks, and
		 * %-escapes that amqp_parse_url decodes first, are not */
		"amqp://h:+5672", "amqp://h:+5672/v", "amqp://h:-1",
		"amqp://h: 5672", "amqp://h:%2B5672", "amqp://h:%35672",
		"amqp://h:5%36", "amqps://u:p@[::1]:+5671/", "amqp://h:",
		"amqp://h:/v",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct fh_url u;
		const char *why = NULL;

		ck_assert_msg(fh_url_parse(bad[i], &u, &why) < 0, "%s", bad[i]);
		ck_assert_ptr_nonnull(why);
		ck_assert_ptr_null(u.buf);
	}
}
END_TEST

START_TEST(bad_ports_say_what)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{ "amqp://h:70000/", "port 70000 out of range 1..65535" },
		{ "amqp://h:0", "port 0 out of range 1..65535" },
		{ "amqp://h:0070000", "port 0070000 out of range 1..65535" },
		{ "amqp://h:+5672", "the port is not digits only" },
		{ "amqp://h:%35672", "the port is not digits only" },
		{ "amqp://h:/v", "no port after the ':'" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fh_url u;
		const char *why = NULL;

		ck_assert_int_lt(fh_url_parse(cases[i].in, &u, &why), 0);
		ck_assert_msg(why && strncmp(why, cases[i].why,
					     strlen(cases[i].why)) == 0,
			      "%s: \"%s\", expected \"%s...\"", cases[i].in,
			      why ? why : "(null)", cases[i].why);
	}
}
END_TEST

static void clear_sources(void)
{
	fh_qopt.url = fh_qopt.url_file = NULL;
	unsetenv(FH_URL_ENV);
}

START_TEST(url_sources_in_order)
{
	struct fh_url u;
	char path[] = "/tmp/fh-unit-url.XXXXXX";
	int fd;

	clear_sources();
	ck_assert_int_eq(fh_url_resolve(&u, &fh_qopt), 0);
	ck_assert_str_eq(u.shown, "amqp://guest:***@localhost:5672/");
	fh_url_free(&u);

	setenv(FH_URL_ENV, "amqp://e:pw@from-env", 1);
	ck_assert_int_eq(fh_url_resolve(&u, &fh_qopt), 0);
	ck_assert_str_eq(u.host, "from-env");
	fh_url_free(&u);

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "amqp://f:pw@from-file\n", 22), 22);
	close(fd);
	fh_qopt.url_file = path;
	ck_assert_int_eq(fh_url_resolve(&u, &fh_qopt), 0);
	ck_assert_str_eq(u.host, "from-file");
	ck_assert_str_eq(u.password, "pw");
	fh_url_free(&u);

	/* --url and --url-file together: refused */
	fh_qopt.url = "amqp://o:pw@from-option";
	ck_assert_int_lt(fh_url_resolve(&u, &fh_qopt), 0);
	fh_qopt.url_file = NULL;
	ck_assert_int_eq(fh_url_resolve(&u, &fh_qopt), 0);
	ck_assert_str_eq(u.host, "from-option");
	fh_url_free(&u);

	unlink(path);
	fh_qopt.url = NULL;
	fh_qopt.url_file = path;
	ck_assert_int_lt(fh_url_resolve(&u, &fh_qopt), 0); /* file gone */
	clear_sources();
}
END_TEST

static Suite *url_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("url");

	tcase_add_test(tc, redaction_hides_the_password);
	tcase_add_test(tc, redaction_respects_the_buffer);
	tcase_add_test(tc, urls_parse_and_show_without_password);
	tcase_add_test(tc, bad_urls_say_why);
	tcase_add_test(tc, bad_ports_say_what);
	tcase_add_test(tc, url_sources_in_order);
	suite_add_tcase(s, tc);
	return s;
}

const struct unit_test unit_test = { url_suite, NULL };
