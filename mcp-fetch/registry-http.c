/*
 * registry-http.c: a registry reached over HTTP(S) with libcurl
 * (FORMATS.md, "Registry HTTP API").
 *
 *   GET BASE/v1/org/ORG/mcps/NAME/resolve?ref=REF    the resolve answer
 *   GET BASE/v1/org/ORG/artifacts/DIGEST/manifest    manifest bytes
 *   GET BASE/v1/org/ORG/artifacts/DIGEST/bundle      bundle bytes
 *
 * Invariants:
 * - Only http and https are spoken, TLS peers are always verified, and
 *   plain http is used only for a loopback host unless --allow-http.
 * - Redirects are followed here, not by libcurl, so that each hop is
 *   checked: at most 10, http(s) only, never from https down to http, and
 *   the bearer token goes only to the registry's own origin (scheme, host
 *   and port), never to a presigned storage URL.
 * - Every answer is bounded: the resolve answer by 1 MiB, artifacts by
 *   their cap and declared size, checked on Content-Length and again on
 *   every chunk; a slow or stalled peer is dropped (1 KiB/s for 30 s).
 * - Retries (connection errors, 5xx, 429) are bounded in count (5 attempts)
 *   and time (Retry-After at most 60 s, 120 s of waiting in all), with
 *   exponential backoff and jitter; a retried artifact starts over in an
 *   empty sink, so no byte of a failed attempt survives.
 * - The token is never printed, and wiped from our memory after use.
 */
#include <mcp-config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include "curl-lazy.h"
#include "doc.h"
#include "io.h"
#include "registry.h"
#include "xalloc.h"

#define RESOLVE_MAX (1024 * 1024)
#define MAX_REDIRECTS 10
#define MAX_ATTEMPTS 5
#define BACKOFF_BASE_MS 1000
#define RETRY_AFTER_MAX_S 60
#define RETRY_TOTAL_MAX_MS 120000
#define CONNECT_TIMEOUT_S 10
#define LOW_SPEED_BYTES 1024
#define LOW_SPEED_SECONDS 30
#define ERRBODY_MAX 4096
#define TOKEN_MAX 4096

/* An origin: what a bearer token is bound to (RFC 6454). */
struct origin {
	char scheme[8];
	char host[256];
	long port;
};

struct http_registry {
	struct origin origin;
	char *cacert;
	int allow_http;
	char *token; /* secret */
	void (*trace)(void *arg, const char *url, long status,
	              const char *error);
	void *trace_arg;
	/* Artifact URLs of the last resolution, for those digests. */
	char manifest_digest[MCP_DIGEST_STR_MAX],
	    bundle_digest[MCP_DIGEST_STR_MAX];
	char *manifest_url, *bundle_url;
};

/* One logical request (resolve, manifest, bundle) across its hops and
 * attempts. */
struct req {
	CURL *curl;
	const char *what;      /* names the request in messages */
	struct mcp_sink *sink; /* artifact bytes, or NULL: into mem */
	char *mem;
	size_t memlen;
	uint64_t cap, want_size; /* bounds of a 200 body */
	/* per attempt */
	long status;
	int failed; /* a callback recorded an error in E */
	int wrote;  /* the sink got bytes in this request */
	char retry_after[64];
	char errbody[ERRBODY_MAX + 1];
	size_t errlen;
	struct mcp_err *e;
};

/* Parse URL into its origin and path; refuse credentials in the URL. */
static int
parse_url(const char *url, struct origin *o, char **path, char **query,
          struct mcp_err *e)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
	char *p = NULL, *q = NULL, *frag = NULL;
	int rc = -1;

	/* Every use of libcurl starts with a URL parsed here. */
	if (mcp_curl_load(e) < 0)
		return -1;
	u = curl_url();
	if (u == NULL)
		mcp_oom();
	if (path)
		*path = NULL;
	if (query)
		*query = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	        CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK) {
		mcp_err_set(e, MCP_ERR_USAGE, "%.200s: not a valid URL", url);
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		mcp_err_set(e, MCP_ERR_USAGE, "%.200s: not an http(s) URL",
		            url);
		goto out;
	}
	/* Credentials in a URL end up in logs and documents; the token
	 * has its own channel. */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		mcp_err_set(e, MCP_ERR_USAGE,
		            "%.200s: credentials in the URL are not allowed "
		            "(use MCP_REGISTRY_TOKEN or registry.token_file)",
		            url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
		mcp_err_set(e, MCP_ERR_USAGE, "%.200s: URL has a fragment",
		            url);
		goto out;
	}
	curl_url_get(u, CURLUPART_QUERY, &q, 0);
	if (strlen(host) >= sizeof(o->host)) {
		mcp_err_set(e, MCP_ERR_USAGE, "%.200s: host name too long",
		            url);
		goto out;
	}
	snprintf(o->scheme, sizeof(o->scheme), "%s", scheme);
	snprintf(o->host, sizeof(o->host), "%s", host);
	/* Host names are case-insensitive; compare them in one case. */
	for (char *c = o->host; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	o->port = strtol(port, NULL, 10);
	if (path)
		*path = xstrdup(p);
	if (query && q)
		*query = xstrdup(q);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_free(p);
	curl_free(q);
	curl_free(frag);
	curl_url_cleanup(u);
	return rc;
}

static int
same_origin(const struct origin *a, const struct origin *b)
{
	return strcmp(a->scheme, b->scheme) == 0 &&
	       strcmp(a->host, b->host) == 0 && a->port == b->port;
}

/* Loopback by address, or "localhost", which libcurl (>= 7.78) always
 * resolves to loopback without asking DNS. */
static int
is_loopback(const char *host)
{
	unsigned char a[16];
	char h[64];
	size_t n = strlen(host);

	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (n > 2 && n < sizeof(h) && host[0] == '[' && host[n - 1] == ']') {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
		return inet_pton(AF_INET6, h, a) == 1 &&
		       memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
	}
	return 0;
}

static void
origin_str(const struct origin *o, char *buf, size_t n)
{
	long def = strcmp(o->scheme, "https") == 0 ? 443 : 80;

	if (o->port == def)
		snprintf(buf, n, "%s://%s", o->scheme, o->host);
	else
		snprintf(buf, n, "%s://%s:%ld", o->scheme, o->host, o->port);
}

int
mcp_registry_http_canonical(const char *spec, char **url, struct mcp_err *e)
{
	struct origin o;
	char *path = NULL, *query = NULL;
	char base[sizeof(o.host) + 32];
	size_t n;

	*url = NULL;
	if (parse_url(spec, &o, &path, &query, e) < 0) {
		mcp_err_prefix(e, "registry ");
		return -1;
	}
	if (query != NULL) {
		free(path);
		free(query);
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "registry %.200s: URL has a query", spec);
	}
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		path[--n] = '\0';
	origin_str(&o, base, sizeof(base));
	*url = xasprintf("%s%s", base, path);
	free(path);
	return 0;
}

int
mcp_registry_token_load(const char *token_file, char **token, struct mcp_err *e)
{
	const char *env = getenv("MCP_REGISTRY_TOKEN");
	char *buf = NULL;
	size_t len = 0, i;
	struct stat st;
	int fd;

	*token = NULL;
	if (env != NULL && *env != '\0') {
		buf = xstrdup(env);
		len = strlen(buf);
	} else if (token_file != NULL && *token_file != '\0') {
		fd = open(token_file, O_RDONLY | O_CLOEXEC | O_NOCTTY |
		                          O_NOFOLLOW | O_NONBLOCK);
		if (fd < 0)
			return mcp_err_sys(e, MCP_ERR_USAGE, "token file %s",
			                   token_file);
		/* Like ssh with a private key: a token others can read or
		 * replace is refused, not used. */
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
			close(fd);
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "token file %s: must be a regular file "
			    "owned by you with mode 0600",
			    token_file);
		}
		if (mcp_read_all(fd, TOKEN_MAX, &buf, &len) < 0) {
			close(fd);
			return mcp_err_sys(e, MCP_ERR_USAGE, "token file %s",
			                   token_file);
		}
		close(fd);
		while (len > 0 &&
		       (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
	} else {
		return 0;
	}
	/* Anything else could split the Authorization header. */
	for (i = 0; i < len; i++)
		if (buf[i] <= 0x20 || buf[i] >= 0x7f)
			break;
	if (len == 0 || i < len || len > TOKEN_MAX) {
		mcp_free_secret(buf);
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "registry token: must be printable ASCII "
		                   "without spaces (the value is not shown)");
	}
	*token = buf;
	return 0;
}

/* A http hop is allowed to loopback, or anywhere with --allow-http. */
static int
check_hop(const struct http_registry *h, const struct origin *prev,
          const struct origin *next, const char *url, struct mcp_err *e)
{
	if (prev != NULL && strcmp(prev->scheme, "https") == 0 &&
	    strcmp(next->scheme, "http") == 0)
		return mcp_err_set(
		    e, MCP_ERR_FETCH,
		    "redirect from https to http (%.200s) refused", url);
	if (strcmp(next->scheme, "http") == 0 && !h->allow_http &&
	    !is_loopback(next->host))
		return mcp_err_set(e, MCP_ERR_FETCH,
		                   "%.200s: plain http to a host that is not "
		                   "loopback is refused (use https, or "
		                   "--allow-http)",
		                   url);
	return 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct req *r = arg;
	size_t len = size * n, k;
	curl_off_t cl;
	long code = 0;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		r->retry_after[0] = '\0'; /* a new response starts */
		return len;
	}
	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		for (k = 12; k < len && (p[k] == ' ' || p[k] == '\t'); k++)
			;
		snprintf(r->retry_after, sizeof(r->retry_after), "%.*s",
		         (int)(len - k), p + k);
		r->retry_after[strcspn(r->retry_after, "\r\n")] = '\0';
		return len;
	}
	/* End of headers: judge the announced size before any body byte. */
	if ((len == 2 && p[0] == '\r') || (len == 1 && p[0] == '\n')) {
		curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code != 200 ||
		    curl_easy_getinfo(r->curl,
		                      CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
		                      &cl) != CURLE_OK ||
		    cl < 0)
			return len;
		if ((uint64_t)cl > r->cap) {
			mcp_err_set(
			    r->e, r->sink ? MCP_ERR_VERIFY : MCP_ERR_FETCH,
			    "%s: server announces %lld bytes, over the "
			    "cap of %llu",
			    r->what, (long long)cl, (unsigned long long)r->cap);
			r->failed = 1;
			return 0;
		}
		if (r->want_size != 0 && (uint64_t)cl != r->want_size) {
			mcp_err_set(r->e, MCP_ERR_VERIFY,
			            "%s: server announces %lld bytes, expected "
			            "%llu",
			            r->what, (long long)cl,
			            (unsigned long long)r->want_size);
			r->failed = 1;
			return 0;
		}
	}
	return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct req *r = arg;
	size_t len = size * n, room;
	long code = 0;

	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		/* Keep the start of an error body for the message. */
		room = ERRBODY_MAX - r->errlen;
		if (room > len)
			room = len;
		memcpy(r->errbody + r->errlen, p, room);
		r->errlen += room;
		r->errbody[r->errlen] = '\0';
		return len;
	}
	if (r->sink != NULL) {
		r->wrote = 1;
		if (r->sink->write(r->sink, p, len, r->e) < 0) {
			r->failed = 1;
			return 0;
		}
		return len;
	}
	if (len > r->cap - r->memlen) {
		mcp_err_set(r->e, MCP_ERR_FETCH, "%s: larger than %llu bytes",
		            r->what, (unsigned long long)r->cap);
		r->failed = 1;
		return 0;
	}
	r->mem = xrealloc(r->mem, r->memlen + len + 1);
	memcpy(r->mem + r->memlen, p, len);
	r->memlen += len;
	r->mem[r->memlen] = '\0';
	return len;
}

/* At most one line of a server's error body, from its JSON "message" or
 * "error" when it has one. */
static void
error_detail(const struct req *r, char *buf, size_t n)
{
	const char *m = NULL;
	json_t *j;
	struct mcp_err ignore;

	buf[0] = '\0';
	if (r->errlen == 0)
		return;
	mcp_err_init(&ignore);
	j = mcp_json_load_buf(r->errbody, r->errlen, "error", MCP_ERR_FETCH,
	                      &ignore);
	if (j != NULL) {
		m = json_string_value(json_object_get(j, "message"));
		if (m == NULL)
			m = json_string_value(json_object_get(j, "error"));
	}
	snprintf(buf, n, ": %.200s", m ? m : r->errbody);
	buf[strcspn(buf, "\r\n")] = '\0';
	json_decref(j);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Decide whether to try again after WHY, and wait.  Backoff doubles from
 * 1 s with jitter (a random half on top of half), so many clients that
 * failed together do not return together; Retry-After is honoured when it
 * is within bounds and refused, not slept through, when it is not.
 */
static int
backoff(struct req *r, int *attempt, long *waited, const char *why,
        struct mcp_err *e)
{
	long delay, ra = -1;
	unsigned rnd = 0;
	time_t when;

	if (++*attempt >= MAX_ATTEMPTS)
		return mcp_err_set(e, MCP_ERR_FETCH,
		                   "%s: %s; giving up after %d attempts",
		                   r->what, why, MAX_ATTEMPTS);
	if (r->retry_after[0] != '\0') {
		if (strspn(r->retry_after, "0123456789") ==
		        strlen(r->retry_after) &&
		    strlen(r->retry_after) <= 9) {
			ra = strtol(r->retry_after, NULL, 10);
		} else if ((when = curl_getdate(r->retry_after, NULL)) != -1) {
			ra = when > time(NULL) ? (long)(when - time(NULL)) : 0;
		}
		if (ra > RETRY_AFTER_MAX_S)
			return mcp_err_set(e, MCP_ERR_FETCH,
			                   "%s: %s with Retry-After of %ld s, "
			                   "over %d s; giving up",
			                   r->what, why, ra, RETRY_AFTER_MAX_S);
	}
	delay = (long)BACKOFF_BASE_MS << (*attempt - 1);
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned)getpid();
	delay = delay / 2 + (long)(rnd % (unsigned)(delay / 2 + 1));
	if (ra >= 0 && ra * 1000 > delay)
		delay = ra * 1000;
	if (*waited + delay > RETRY_TOTAL_MAX_MS)
		return mcp_err_set(e, MCP_ERR_FETCH,
		                   "%s: %s; retrying would wait over %d s in "
		                   "all; giving up",
		                   r->what, why, RETRY_TOTAL_MAX_MS / 1000);
	sleep_ms(delay);
	*waited += delay;
	return 0;
}

static int
retriable(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

/* Wipe the Authorization header's copy before libcurl frees it. */
static void
headers_free(struct curl_slist *l)
{
	struct curl_slist *i;

	for (i = l; i != NULL; i = i->next)
		OPENSSL_cleanse(i->data, strlen(i->data));
	curl_slist_free_all(l);
}

static int
setup_handle(struct http_registry *h, struct req *r, const char *url,
             const struct origin *o, struct curl_slist **hdrs, char *errbuf)
{
	char *auth;
	int bad = 0;

	r->curl = curl_easy_init();
	if (r->curl == NULL)
		mcp_oom();
	*hdrs = NULL;
	/* The bearer token only for the registry's own origin. */
	if (h->token != NULL && same_origin(o, &h->origin)) {
		auth = xasprintf("Authorization: Bearer %s", h->token);
		*hdrs = curl_slist_append(NULL, auth);
		OPENSSL_cleanse(auth, strlen(auth));
		free(auth);
		if (*hdrs == NULL)
			mcp_oom();
	}
#define SET(opt, val) bad |= curl_easy_setopt(r->curl, opt, val) != CURLE_OK
	SET(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR,
	    strcmp(o->scheme, "https") == 0 ? "https" : "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SET(CURLOPT_REDIR_PROTOCOLS,
	    (long)(strcmp(o->scheme, "https") == 0
	               ? CURLPROTO_HTTPS
	               : (CURLPROTO_HTTP | CURLPROTO_HTTPS)));
#endif
	/* Redirects are ours to follow (see the invariants above). */
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
	SET(CURLOPT_LOW_SPEED_LIMIT, (long)LOW_SPEED_BYTES);
	SET(CURLOPT_LOW_SPEED_TIME, (long)LOW_SPEED_SECONDS);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->cacert != NULL)
		SET(CURLOPT_CAINFO, h->cacert);
	SET(CURLOPT_USERAGENT, "mcp-fetch/" MCP_VERSION);
	SET(CURLOPT_HTTPHEADER, *hdrs);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, r);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, r);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	/* Fewer, larger writes into the hashing sink: a 95 MiB bundle
	 * costs a tenth of the calls of the 16 KiB default. */
	SET(CURLOPT_BUFFERSIZE, 256L * 1024);
#undef SET
	return bad ? -1 : 0;
}

/* Report one exchange to the -v hook, without query or fragment. */
static void
trace(struct http_registry *h, const char *url, long status, const char *err)
{
	char *bare;

	if (h->trace == NULL)
		return;
	bare = xstrndup(url, strcspn(url, "?#"));
	h->trace(h->trace_arg, bare, status, err);
	free(bare);
}

/*
 * Perform one logical GET of URL0: hops, retries and all.  On success a
 * 200 body went to R's sink or buffer.
 */
static int
request(struct http_registry *h, const char *url0, struct req *r,
        struct mcp_err *e)
{
	char errbuf[CURL_ERROR_SIZE], why[CURL_ERROR_SIZE + 300], detail[256];
	struct origin o, prev;
	struct curl_slist *hdrs = NULL;
	char *url = xstrdup(url0), *loc;
	int attempt = 0, redirects = 0, have_prev = 0, rc = -1;
	long waited = 0;
	CURLcode c;

	r->e = e;
	for (;;) {
		if (parse_url(url, &o, NULL, NULL, e) < 0) {
			e->cat = MCP_ERR_FETCH;
			goto out;
		}
		if (check_hop(h, have_prev ? &prev : NULL, &o, url, e) < 0)
			goto out;
		if (r->wrote && r->sink->reset(r->sink, e) < 0)
			goto out;
		r->wrote = 0;
		r->failed = 0;
		r->errlen = 0;
		r->errbody[0] = '\0';
		r->retry_after[0] = '\0';
		r->memlen = 0;
		errbuf[0] = '\0';
		if (setup_handle(h, r, url, &o, &hdrs, errbuf) < 0) {
			mcp_err_set(e, MCP_ERR_RUNTIME,
			            "%s: libcurl refused an option", r->what);
			goto out;
		}
		c = curl_easy_perform(r->curl);
		r->status = 0;
		curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
		trace(h, url, r->status,
		      c == CURLE_OK
		          ? NULL
		          : (errbuf[0] ? errbuf : curl_easy_strerror(c)));
		if (r->failed)
			goto out;
		if (c != CURLE_OK) {
			snprintf(why, sizeof(why), "%s",
			         errbuf[0] ? errbuf : curl_easy_strerror(c));
			if (!retriable(c)) {
				mcp_err_set(e, MCP_ERR_FETCH, "%s: %s", r->what,
				            why);
				goto out;
			}
			if (backoff(r, &attempt, &waited, why, e) < 0)
				goto out;
		} else if (r->status == 200) {
			rc = 0;
			goto out;
		} else if (r->status == 301 || r->status == 302 ||
		           r->status == 303 || r->status == 307 ||
		           r->status == 308) {
			loc = NULL;
			curl_easy_getinfo(r->curl, CURLINFO_REDIRECT_URL, &loc);
			if (loc == NULL) {
				mcp_err_set(e, MCP_ERR_FETCH,
				            "%s: HTTP %ld without a usable "
				            "Location",
				            r->what, r->status);
				goto out;
			}
			if (++redirects > MAX_REDIRECTS) {
				mcp_err_set(e, MCP_ERR_FETCH,
				            "%s: more than %d redirects",
				            r->what, MAX_REDIRECTS);
				goto out;
			}
			if (strncmp(loc, "http://", 7) != 0 &&
			    strncmp(loc, "https://", 8) != 0) {
				mcp_err_set(e, MCP_ERR_FETCH,
				            "%s: redirect to a non-http(s) URL "
				            "%.200s refused",
				            r->what, loc);
				goto out;
			}
			prev = o;
			have_prev = 1;
			free(url);
			url = xstrdup(loc);
		} else if (r->status == 429 || r->status >= 500) {
			error_detail(r, detail, sizeof(detail));
			snprintf(why, sizeof(why), "HTTP %ld%s", r->status,
			         detail);
			if (backoff(r, &attempt, &waited, why, e) < 0)
				goto out;
		} else {
			error_detail(r, detail, sizeof(detail));
			mcp_err_set(e, MCP_ERR_FETCH, "%s: HTTP %ld%s%s",
			            r->what, r->status,
			            r->status == 401 || r->status == 403
			                ? " (check MCP_REGISTRY_TOKEN or "
			                  "registry.token_file)"
			                : "",
			            detail);
			goto out;
		}
		curl_easy_cleanup(r->curl);
		r->curl = NULL;
		headers_free(hdrs);
		hdrs = NULL;
	}
out:
	if (r->curl != NULL)
		curl_easy_cleanup(r->curl);
	r->curl = NULL;
	headers_free(hdrs);
	free(url);
	return rc;
}

/* Percent-encode everything but RFC 3986 unreserved characters (a "+"
 * in a query would otherwise read as a space). */
static char *
escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(3 * strlen(s) + 1), *o = out;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

/* An artifact URL of the resolve answer: http(s) on the registry's own
 * origin (a registry that stores elsewhere redirects from there). */
static int
artifact_url(struct http_registry *h, const json_t *resolved, const char *key,
             char **out, const char *label, struct mcp_err *e)
{
	const json_t *v = mcp_doc_get(resolved, key);
	struct origin o;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) ||
	    parse_url(json_string_value(v), &o, NULL, NULL, e) < 0 ||
	    !same_origin(&o, &h->origin))
		return mcp_err_set(e, MCP_ERR_FETCH,
		                   "%s: resolved.%s: must be an http(s) URL on "
		                   "the registry's origin",
		                   label, key);
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int
http_resolve(struct mcp_registry *reg, const struct mcp_ref *ref,
             struct mcp_resolution *res, struct mcp_err *e)
{
	static const struct mcp_resolution_keys keys = {
	    "manifest.digest",
	    "bundle.digest",
	    "bundle.size_bytes",
	};
	struct http_registry *h = reg->priv;
	char *eorg = escape(ref->org), *ename = escape(ref->name);
	char *eref = escape(ref->ref), *url, label[300];
	const json_t *v, *resolved;
	const char *origin = NULL;
	struct req r;
	json_t *j = NULL;
	int rc = -1;

	/* The ref is percent-encoded: a "+" of build metadata must not
	 * become a space. */
	url = xasprintf("%s/v1/org/%s/mcps/%s/resolve?ref=%s", reg->url, eorg,
	                ename, eref);
	snprintf(label, sizeof(label), "resolve answer for %s/%s@%s", ref->org,
	         ref->name, ref->ref);
	memset(&r, 0, sizeof(r));
	r.what = label;
	r.cap = RESOLVE_MAX;
	if (request(h, url, &r, e) < 0) {
		if (r.status == 404)
			mcp_err_prefix(e, "%s/%s@%s: not found: ", ref->org,
			               ref->name, ref->ref);
		goto out;
	}
	j = mcp_json_load_buf(r.mem ? r.mem : "", r.memlen, label,
	                      MCP_ERR_FETCH, e);
	if (j == NULL)
		goto out;
	if (!json_is_object(j)) {
		mcp_err_set(e, MCP_ERR_FETCH, "%s: must be a JSON object",
		            label);
		goto out;
	}
	v = json_object_get(j, "package");
	if (!json_is_string(v) || strcmp(json_string_value(v), ref->pkg) != 0) {
		mcp_err_set(e, MCP_ERR_FETCH, "%s: package: must be \"%s\"",
		            label, ref->pkg);
		goto out;
	}
	v = json_object_get(j, "ref");
	if (v != NULL && (!json_is_string(v) ||
	                  strcmp(json_string_value(v), ref->ref) != 0)) {
		mcp_err_set(e, MCP_ERR_FETCH, "%s: ref: must be \"%s\"", label,
		            ref->ref);
		goto out;
	}
	v = json_object_get(j, "origin");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v)) {
			mcp_err_set(e, MCP_ERR_FETCH,
			            "%s: origin: must be a string", label);
			goto out;
		}
		origin = json_string_value(v);
	}
	resolved = json_object_get(j, "resolved");
	if (mcp_resolution_from_json(res, resolved, &keys, ref->pkg, origin,
	                             label, MCP_ERR_FETCH, e) < 0)
		goto out;
	free(h->manifest_url);
	free(h->bundle_url);
	h->manifest_url = h->bundle_url = NULL;
	if (artifact_url(h, resolved, "manifest.url", &h->manifest_url, label,
	                 e) < 0 ||
	    artifact_url(h, resolved, "bundle.url", &h->bundle_url, label, e) <
	        0)
		goto out;
	memcpy(h->manifest_digest, res->manifest_digest,
	       sizeof(h->manifest_digest));
	memcpy(h->bundle_digest, res->bundle_digest, sizeof(h->bundle_digest));
	rc = 0;
out:
	json_decref(j);
	free(r.mem);
	free(url);
	free(eorg);
	free(ename);
	free(eref);
	return rc;
}

static int
http_fetch(struct mcp_registry *reg, const struct mcp_ref *ref,
           const struct mcp_resolution *res, enum mcp_artifact which,
           struct mcp_sink *sink, struct mcp_err *e)
{
	struct http_registry *h = reg->priv;
	const char *what = mcp_artifact_name(which);
	const char *digest = which == MCP_ARTIFACT_MANIFEST
	                         ? res->manifest_digest
	                         : res->bundle_digest;
	const char *given = NULL;
	char label[160], *url, *eorg = escape(ref->org);
	struct req r;
	int rc;

	if (which == MCP_ARTIFACT_MANIFEST &&
	    strcmp(h->manifest_digest, digest) == 0)
		given = h->manifest_url;
	if (which == MCP_ARTIFACT_BUNDLE &&
	    strcmp(h->bundle_digest, digest) == 0)
		given = h->bundle_url;
	/* A resolution recorded in the cache has no URLs: use the API's. */
	url = given ? xstrdup(given)
	            : xasprintf("%s/v1/org/%s/artifacts/%s/%s", reg->url, eorg,
	                        digest, what);
	snprintf(label, sizeof(label), "%s %s", what, digest);
	memset(&r, 0, sizeof(r));
	r.what = label;
	r.sink = sink;
	r.cap = which == MCP_ARTIFACT_MANIFEST ? MCP_FETCH_MANIFEST_MAX
	                                       : MCP_FETCH_BUNDLE_MAX;
	r.want_size = which == MCP_ARTIFACT_BUNDLE ? res->bundle_size : 0;
	rc = request(h, url, &r, e);
	free(url);
	free(eorg);
	return rc;
}

static void
http_free(struct mcp_registry *reg)
{
	struct http_registry *h = reg->priv;

	if (h != NULL) {
		mcp_free_secret(h->token);
		free(h->cacert);
		free(h->manifest_url);
		free(h->bundle_url);
		free(h);
		curl_global_cleanup();
	}
	free(reg->url);
	free(reg);
}

static const struct mcp_registry_ops http_ops = {
    http_resolve,
    http_fetch,
    http_free,
};

int
mcp_registry_http_new(char *url, const struct mcp_registry_opts *o,
                      struct mcp_registry **out, struct mcp_err *e)
{
	struct mcp_registry *reg;
	struct http_registry *h;
	struct origin org;

	*out = NULL;
	if (parse_url(url, &org, NULL, NULL, e) < 0) {
		free(url);
		return -1;
	}
	if (strcmp(org.scheme, "http") == 0 && !o->allow_http &&
	    !is_loopback(org.host)) {
		mcp_err_set(e, MCP_ERR_USAGE,
		            "registry %.200s: plain http is allowed only to a "
		            "loopback address (use https, or --allow-http)",
		            url);
		free(url);
		return -1;
	}
	/* The first and only place libcurl is initialised: a directory
	 * registry never gets here. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(url);
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "libcurl initialisation failed");
	}
	h = xcalloc(1, sizeof(*h));
	h->origin = org;
	h->allow_http = o->allow_http;
	h->cacert = o->cacert ? xstrdup(o->cacert) : NULL;
	h->token = o->token ? xstrdup(o->token) : NULL;
	h->trace = o->trace;
	h->trace_arg = o->trace_arg;
	reg = xcalloc(1, sizeof(*reg));
	reg->ops = &http_ops;
	reg->priv = h;
	reg->url = url;
	*out = reg;
	return 0;
}
