/*
 * pins.c: trust on first use, go.sum style.  The first answer seen for a
 * version fixes its manifest and bundle digests; the highest version
 * @latest ever resolved to is a high-water mark.  A registry (or a mirror
 * of it, or an attacker between) that later serves other bytes under a
 * known version, or rolls @latest back, is refused.
 *
 * Invariant: the pins file is read, judged and replaced under the
 * package's flock(2) lock when committing, so concurrent fetches merge
 * their pins; it is replaced only by rename(2).
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "doc.h"
#include "paths.h"
#include "pins.h"
#include "xalloc.h"

#define PINS_KIND "mcp.fetch-pins/v1"
/* Thousands of versions, each under 300 bytes. */
#define PINS_MAX (4U * 1024 * 1024)

const char *
mcp_pin_state_name(enum mcp_pin_state s)
{
	switch (s) {
	case MCP_PIN_NEW:
		return "new";
	case MCP_PIN_MATCH:
		return "match";
	case MCP_PIN_REPINNED:
		return "repinned";
	case MCP_PIN_DOWNGRADE_ALLOWED:
		return "downgrade_allowed";
	}
	return "new";
}

json_t *
mcp_pin_json(const struct mcp_pin *p)
{
	json_t *j = json_object(), *prev = json_null();

	if (j == NULL)
		mcp_oom();
	if (p->prev_version[0] != '\0' || p->prev_manifest[0] != '\0') {
		prev = json_object();
		if (p->prev_version[0] != '\0')
			json_object_set_new(prev, "version",
			                    json_string(p->prev_version));
		if (p->prev_manifest[0] != '\0') {
			json_object_set_new(prev, "manifest_digest",
			                    json_string(p->prev_manifest));
			json_object_set_new(prev, "bundle_digest",
			                    json_string(p->prev_bundle));
		}
	}
	json_object_set_new(j, "state",
	                    json_string(mcp_pin_state_name(p->state)));
	json_object_set_new(j, "previous", prev);
	return j;
}

/* Load the pins file; a missing one is an empty object of pins. */
static json_t *
load(const char *path, const char *pkg, struct mcp_err *e)
{
	json_t *j, *v;
	const char *s;
	int fd;

	fd = open(path,
	          O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "pins %s", path);
			return NULL;
		}
		j = mcp_doc_new(PINS_KIND);
		json_object_set_new(j, "package", json_string(pkg));
		json_object_set_new(j, "versions", json_object());
		return j;
	}
	j = mcp_json_load_fd(fd, path, PINS_MAX, MCP_ERR_RUNTIME, e);
	close(fd);
	if (j == NULL) {
		mcp_err_prefix(e, "pins ");
		return NULL;
	}
	/* A damaged pins file is not silently replaced: that would be
	 * trusting the next answer blindly. */
	if (mcp_doc_check_kind(j, path, (const char *const[]){PINS_KIND, NULL},
	                       e) < 0)
		goto bad;
	s = mcp_doc_str(j, "package");
	v = json_object_get(j, "versions");
	if (s == NULL || strcmp(s, pkg) != 0 || !json_is_object(v)) {
		mcp_err_set(e, MCP_ERR_RUNTIME,
		            "pins %s: malformed (package or versions); remove "
		            "it to trust the registry's next answer",
		            path);
		goto bad;
	}
	v = json_object_get(j, "latest");
	if (v != NULL &&
	    !(json_is_string(v) && mcp_semver_valid(json_string_value(v)))) {
		mcp_err_set(e, MCP_ERR_RUNTIME,
		            "pins %s: latest: must be a version", path);
		goto bad;
	}
	return j;
bad:
	e->cat = MCP_ERR_RUNTIME;
	json_decref(j);
	return NULL;
}

/* Copy a pinned digest member out, checked. */
static int
pinned_digest(const json_t *entry, const char *key, char *out, const char *path,
              const char *version, struct mcp_err *e)
{
	const char *s = mcp_doc_str(entry, key);

	if (s == NULL || !mcp_digest_valid_sha256(s))
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "pins %s: versions.%s.%s: must be a sha256 "
		                   "digest",
		                   path, version, key);
	snprintf(out, MCP_DIGEST_STR_MAX, "%s", s);
	return 0;
}

static int
judge(json_t *pins, const char *path, const struct mcp_ref *ref,
      const struct mcp_resolution *res, int repin, int allow_downgrade,
      struct mcp_pin *p, struct mcp_err *e)
{
	json_t *versions = json_object_get(pins, "versions");
	json_t *entry = json_object_get(versions, res->version);
	const char *latest = mcp_doc_str(pins, "latest");

	memset(p, 0, sizeof(*p));
	p->state = MCP_PIN_NEW;
	if (entry != NULL) {
		if (pinned_digest(entry, "manifest_digest", p->prev_manifest,
		                  path, res->version, e) < 0 ||
		    pinned_digest(entry, "bundle_digest", p->prev_bundle, path,
		                  res->version, e) < 0)
			return -1;
		if (strcmp(p->prev_manifest, res->manifest_digest) == 0 &&
		    strcmp(p->prev_bundle, res->bundle_digest) == 0) {
			p->state = MCP_PIN_MATCH;
			p->prev_manifest[0] = p->prev_bundle[0] = '\0';
		} else if (!repin) {
			return mcp_err_set(
			    e, MCP_ERR_VERIFY,
			    "%s %s: pinned to manifest %s and bundle %s, but "
			    "the registry now answers manifest %s and bundle "
			    "%s (use --repin to accept the new digests)",
			    res->package, res->version, p->prev_manifest,
			    p->prev_bundle, res->manifest_digest,
			    res->bundle_digest);
		} else {
			p->state = MCP_PIN_REPINNED;
		}
	}
	if (ref->kind == MCP_REF_LATEST && latest != NULL &&
	    mcp_semver_cmp(res->version, latest) < 0) {
		if (!allow_downgrade)
			return mcp_err_set(
			    e, MCP_ERR_VERIFY,
			    "%s@latest: resolved to %s, lower than %s "
			    "resolved before (use --allow-downgrade to accept "
			    "the rollback)",
			    res->package, res->version, latest);
		snprintf(p->prev_version, sizeof(p->prev_version), "%s",
		         latest);
		/* A repin of the same version is the stronger news. */
		if (p->state != MCP_PIN_REPINNED)
			p->state = MCP_PIN_DOWNGRADE_ALLOWED;
	}
	return 0;
}

/* Returns 1 when PINS changed. */
static int
update(json_t *pins, const struct mcp_ref *ref,
       const struct mcp_resolution *res, const struct mcp_pin *p)
{
	json_t *versions = json_object_get(pins, "versions"), *entry;
	const char *latest = mcp_doc_str(pins, "latest");
	char now[32];
	int changed = 0;

	if (p->state == MCP_PIN_NEW || p->state == MCP_PIN_REPINNED ||
	    json_object_get(versions, res->version) == NULL) {
		mcp_now_rfc3339(now);
		entry = json_object();
		json_object_set_new(entry, "manifest_digest",
		                    json_string(res->manifest_digest));
		json_object_set_new(entry, "bundle_digest",
		                    json_string(res->bundle_digest));
		json_object_set_new(entry, "pinned_at", json_string(now));
		json_object_set_new(versions, res->version, entry);
		changed = 1;
	}
	/* The mark moves up with every @latest answer, and down only when
	 * the user accepted the rollback. */
	if (ref->kind == MCP_REF_LATEST &&
	    (latest == NULL || mcp_semver_cmp(res->version, latest) > 0 ||
	     p->prev_version[0] != '\0')) {
		json_object_set_new(pins, "latest", json_string(res->version));
		changed = 1;
	}
	return changed;
}

int
mcp_pins_apply(struct mcp_cache *c, const struct mcp_ref *ref,
               const struct mcp_resolution *res, int repin, int allow_downgrade,
               int commit, struct mcp_pin *p, struct mcp_err *e)
{
	char *dir = xasprintf("%s/pins/%s", c->dir, ref->org);
	char *path = xasprintf("%s/%s.json", dir, ref->name);
	char *lock = xasprintf("%s/%s.lock", dir, ref->name);
	char *text = NULL;
	json_t *pins = NULL;
	int lfd = -1, rc = -1;

	if (commit) {
		if (mcp_mkdir_p(dir, MCP_PRIVATE_DIR_MODE, e) < 0)
			goto out;
		lfd =
		    open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (lfd < 0) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "pins lock %s", lock);
			goto out;
		}
		while (flock(lfd, LOCK_EX) < 0)
			if (errno != EINTR) {
				mcp_err_sys(e, MCP_ERR_RUNTIME, "lock %s",
				            lock);
				goto out;
			}
	}
	if ((pins = load(path, res->package, e)) == NULL)
		goto out;
	if (judge(pins, path, ref, res, repin, allow_downgrade, p, e) < 0)
		goto out;
	/* A match rewrites nothing: a warm cache hit stays read-only. */
	if (commit && update(pins, ref, res, p)) {
		text = json_dumps(pins, JSON_COMPACT | JSON_SORT_KEYS);
		if (text == NULL)
			mcp_oom();
		if (mcp_cache_write_atomic(path, text, 0600, e) < 0)
			goto out;
	}
	rc = 0;
out:
	if (lfd >= 0)
		close(lfd); /* releases the lock */
	free(text);
	json_decref(pins);
	free(lock);
	free(path);
	free(dir);
	return rc;
}
