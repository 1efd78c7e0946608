/* url.c: the broker URL: where it comes from (--url, --url-file,
 * BROKER_URL, the default), parsing, and a form safe to print. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rabbitmq.h"

#include "broker.h"
#include "run.h"

static void put_escaped(char **o, char *end, const char *s, size_t n)
{
	for (size_t i = 0; i < n && *o + 5 < end; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f)
			*(*o)++ = (char)ch;
		else
			*o += snprintf(*o, (size_t)(end - *o), "\\x%02x", ch);
	}
}

/* Where the host starts: after the scheme and the user information, which
 * the last '@' ends even when a password holds an unencoded '@' or '/':
 * hiding too much beats showing a secret. */
static const char *host_start(const char *url)
{
	const char *start = strstr(url, "://"), *at;

	start = start ? start + 3 : url;
	at = strrchr(start, '@');
	return at ? at + 1 : start;
}

/* The ':' that ends the host, or NULL ("[...]" is an IPv6 address). */
static const char *port_colon(const char *host)
{
	if (*host == '[') {
		const char *close = strchr(host, ']');

		if (close)
			return strchr(close, ':');
	}
	return strchr(host, ':');
}

/* The digits after a port colon, when they are all the port is: how many,
 * else 0. */
static size_t port_digits(const char *colon)
{
	size_t n = strspn(colon + 1, "0123456789");

	return (colon[n + 1] == '\0' || colon[n + 1] == '/') ? n : 0;
}

/* The secrets of url, whatever it holds, as [from, to) spans in order:
 * the password (maybe empty) before the host, and what stands where the
 * port goes when it is no port (a truncated URL, "amqp://user:PASSWORD" or
 * "user:PASSWORD/vhost", puts the password there), up to the end.  For a
 * URL amqp_parse_url takes, the password alone: it allows no raw '@'
 * after the user information, and a port is digits.  How many spans. */
struct url_span {
	const char *from, *to;
};

static int url_secrets(const char *url, struct url_span span[2])
{
	const char *start = strstr(url, "://"), *host = host_start(url), *colon;
	int n = 0;

	start = start ? start + 3 : url;
	/* the whole rest: its last '@' is host_start's */
	if (fh_url_password(start, strlen(start), &span[n].from, &span[n].to))
		n++;
	colon = port_colon(host);
	if (colon && !port_digits(colon)) {
		span[n].from = colon + 1;
		span[n++].to = host + strlen(host);
	}
	return n;
}

void fh_url_redact(const char *url, char *out, size_t size)
{
	struct url_span span[2];
	int n = url_secrets(url, span);
	const char *p = url;
	char *o = out, *end = out + size;

	if (size == 0)
		return;
	for (int i = 0; i < n; i++) {
		put_escaped(&o, end, p, (size_t)(span[i].from - p));
		put_escaped(&o, end, "***", 3);
		p = span[i].to;
	}
	put_escaped(&o, end, p, strlen(p));
	*o = '\0';
}

void fh_url_hide(char *url)
{
	struct url_span span[2];
	int n = url_secrets(url, span);

	for (int i = 0; i < n; i++)
		memset(url + (span[i].from - url), 'x',
		       (size_t)(span[i].to - span[i].from));
}

void fh_url_free(struct fh_url *u)
{
	if (u->buf) {
		/* the buffer holds the password */
		memset(u->buf, 0, strlen(u->buf));
		free(u->buf);
	}
	u->buf = NULL;
}

/* The vhost as a URL path segment: unreserved characters as they are,
 * everything else %XX, so the shown URL parses back to the same vhost. */
static void encode_vhost(const char *v, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *v && o + 4 < size; v++) {
		unsigned char ch = (unsigned char)*v;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
}

/* What amqp_parse_url lets pass or says too little about.  An empty host
 * ("amqp://user:pw@", "amqp://user:pw@:5750", "amqp://") it reads as
 * localhost: a truncated secret would then send the credentials to
 * whatever listens on this machine.  A port it reads with strtol after
 * decoding %XX, so "+5672", " 5672" and "%35672" pass as ports; and one
 * above 65535 it calls malformed without saying why.  0, or -1 with
 * why. */
static int check_host_port(const char *url, const char **why)
{
	static char port_why[80];
	const char *host = host_start(url), *colon, *digits;
	unsigned long port = 0;
	size_t n, len;

	if (*host == '\0' || strchr(":/?", *host) ||
	    strncmp(host, "[]", 2) == 0) {
		*why = "no host (expected " FH_URL_HINT ")";
		return -1;
	}
	colon = port_colon(host);
	if (!colon)
		return 0;
	/* the port's text ends where amqp_parse_url's does before a vhost,
	 * query or fragment; not shown: with no "@host" in the URL, a
	 * password stands there */
	digits = colon + 1;
	len = strcspn(digits, "/?#");
	n = strspn(digits, "0123456789");
	if (len == 0) {
		*why = "no port after the ':' (expected " FH_URL_HINT ")";
		return -1;
	}
	if (n < len) {
		*why = "the port is not digits only (expected " FH_URL_HINT
		       ")";
		return -1;
	}
	/* by its value, as amqp_parse_url takes it: leading zeros are only
	 * zeros ("056720" is 56720), however many digits they make */
	for (size_t i = 0; i < n && port <= 65535; i++)
		port = port * 10 + (unsigned long)(digits[i] - '0');
	if (port < 1 || port > 65535) {
		snprintf(port_why, sizeof port_why,
			 "port %.*s out of range 1..65535",
			 n > 20 ? 20 : (int)n, digits);
		*why = port_why;
		return -1;
	}
	return 0;
}

/* What amqp_parse_url let through and no broker can be: 0, or -1 with
 * *why. */
static int check_parsed(const struct amqp_connection_info *ci,
			const char **why)
{
	if (!ci->host || !*ci->host) {
		*why = "no host";
		return -1;
	}
	/* amqp_parse_url takes "[...]" whole as an IPv6 host, so in
	 * "amqp://[x:PASSWORD@y]/" the user information becomes the host, which
	 * the shown form and every error line would print: no host holds '@' */
	if (strchr(ci->host, '@')) {
		*why = "an '@' in the host (write it as %40 in a user name or "
		       "password)";
		return -1;
	}
	/* connection.open carries the vhost as an AMQP short string, as
	 * queue.declare the queue name: a longer one (after %XX decoding)
	 * failed at login as "invalid AMQP data", status 3, retried by
	 * every pod */
	if (ci->vhost && strlen(ci->vhost) > FH_QUEUE_NAME_MAX) {
		*why = "the vhost is over " FH_TEXT(FH_QUEUE_NAME_MAX)
		       " bytes, AMQP's limit";
		return -1;
	}
	/* amqp_parse_url reads the port with strtol, which takes "0" (and
	 * " 0"): a port no broker listens on, better refused here */
	if (ci->port < 1 || ci->port > 65535) {
		*why = "port out of range 1..65535";
		return -1;
	}
	return 0;
}

/* u->shown: amqp[s]://user:***@host:port/vhost, the user, host and vhost
 * escaped (the user name is not secret, but may hold any byte). */
static void make_shown(struct fh_url *u)
{
	char user[128], host[300], vhost[200];
	char *o = user;

	if (strcmp(u->vhost, "/") == 0)
		vhost[0] = '\0';
	else
		encode_vhost(u->vhost, vhost, sizeof vhost);
	put_escaped(&o, user + sizeof user, u->user, strlen(u->user));
	*o = '\0';
	o = host;
	put_escaped(&o, host + sizeof host, u->host, strlen(u->host));
	*o = '\0';
	snprintf(u->shown, sizeof u->shown,
		 strchr(host, ':') ? "%s://%s:***@[%s]:%d/%s"
				   : "%s://%s:***@%s:%d/%s",
		 u->ssl ? "amqps" : "amqp", user, host, u->port, vhost);
}

int fh_url_parse(const char *text, struct fh_url *u, const char **why)
{
	struct amqp_connection_info ci;
	const char *s = text, *e = text + strlen(text);

	memset(u, 0, sizeof *u);
	while (s < e && strchr(" \t\r\n", *s))
		s++;
	while (e > s && strchr(" \t\r\n", e[-1]))
		e--;
	u->buf = strndup(s, (size_t)(e - s));
	if (!u->buf) {
		*why = "out of memory";
		return -1;
	}
	if (strncmp(u->buf, "amqp://", 7) != 0 &&
	    strncmp(u->buf, "amqps://", 8) != 0) {
		*why = "not an amqp:// or amqps:// URL";
		goto bad;
	}
	if (check_host_port(u->buf, why) < 0)
		goto bad;
	/* amqp_parse_url decodes %00 into a NUL, which ends the user name,
	 * password or vhost there: "guest%00x" would log in as "guest" */
	for (const char *p = u->buf; (p = strchr(p, '%')) != NULL; p++)
		if (p[1] == '0' && p[2] == '0') {
			*why = "%00 (a NUL byte) in the URL";
			goto bad;
		}
	amqp_default_connection_info(&ci);
	if (amqp_parse_url(u->buf, &ci) != AMQP_STATUS_OK) {
		*why = "malformed, expected " FH_URL_HINT;
		goto bad;
	}
	if (check_parsed(&ci, why) < 0)
		goto bad;
	u->user = ci.user;
	u->password = ci.password;
	u->host = ci.host;
	u->port = ci.port;
	u->ssl = ci.ssl;
	/* amqp_parse_url reads "host:port/" as the empty vhost, which no
	 * broker has; the default URL (and what Python clients accept) means
	 * the default vhost "/" there, so take it that way.  "%2f" still
	 * names "/" explicitly. */
	u->vhost = (ci.vhost && *ci.vhost) ? ci.vhost : "/";
	make_shown(u);
	return 0;
bad:
	fh_url_free(u);
	return -1;
}

/* The most of --url-file's first line that is read: far more than any
 * broker URL (AMQP's user, password, host and vhost are short strings of
 * at most 255 bytes each). */
#define FH_URL_LINE_MAX 4096

/* First line of path, the URL from a mounted Secret, newline included.
 * NULL with errno set (EISDIR for a directory, which fopen would open and
 * read as empty), or NULL with *why when the line is no URL: longer than
 * FH_URL_LINE_MAX, or holding a NUL byte.  The wrong file mounted
 * (/dev/zero, a binary) was read whole into memory, a pod killed for it
 * again and again, or its NULs cut the text down to "" and an empty
 * file was blamed. */
static char *read_url_file(const char *path, const char **why)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *line;
	size_t n = 0;
	int c, err;

	*why = NULL;
	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errno = EISDIR;
		return NULL;
	}
	if (!(line = malloc(FH_URL_LINE_MAX + 2))) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	errno = 0;
	while ((c = getc(f)) != EOF) {
		if (c == '\0') {
			*why = "its first line holds a NUL byte: no broker URL "
			       "does";
			break;
		}
		if (n == FH_URL_LINE_MAX) {
			*why = "its first line is over " FH_TEXT(
				FH_URL_LINE_MAX) " bytes, longer than any "
					"broker URL";
			break;
		}
		line[n++] = (char)c;
		if (c == '\n')
			break;
	}
	err = errno;
	line[n] = '\0';
	if (*why || ferror(f)) {
		/* it may hold the password */
		memset(line, 0, n);
		free(line);
		fclose(f);
		errno = *why ? 0 : err ? err : EIO;
		return NULL;
	}
	fclose(f);
	return line;
}

int fh_url_resolve(struct fh_url *u, const struct fh_queue_opts *opt)
{
	const char *text, *source, *why = NULL;
	char *owned = NULL, shown[300];
	int r;

	if (opt->url && opt->url_file) {
		fh_err("--url and --url-file exclude each other");
		return -1;
	}
	if (opt->url) {
		text = opt->url;
		source = "--url";
	} else if (opt->url_file) {
		owned = read_url_file(opt->url_file, &why);
		/* a FIFO or a pipe (--url-file <(...)) whose writer is slow:
		 * SIGTERM or SIGINT interrupts the open or the read (no
		 * SA_RESTART), which is a stop, not an unreadable file (the
		 * caller's exit status says which signal) */
		if (!owned && errno == EINTR) {
			fh_err("stopped by a signal while reading --url-file "
			       "%s", opt->url_file);
			return -1;
		}
		if (!owned) {
			fh_err("--url-file %s: %s", opt->url_file,
			       why ? why : strerror(errno));
			return -1;
		}
		text = owned;
		source = "--url-file";
	} else if (getenv(FH_URL_ENV)) {
		/* set but empty is a Secret that came out blank, not a wish
		 * for guest@localhost: say so rather than connect there */
		if (!*getenv(FH_URL_ENV)) {
			fh_err("%s is set but empty (unset it for the default "
			       "%s)", FH_URL_ENV, FH_DEFAULT_URL);
			return -1;
		}
		text = getenv(FH_URL_ENV);
		source = FH_URL_ENV;
	} else {
		text = FH_DEFAULT_URL;
		source = "the default URL";
	}
	r = fh_url_parse(text, u, &why);
	if (r < 0) {
		fh_url_redact(text, shown, sizeof shown);
		fh_err("bad broker URL from %s \"%s\": %s", source, shown, why);
	}
	if (owned) {
		memset(owned, 0, strlen(owned));
		free(owned);
	}
	u->source = source;
	return r;
}
