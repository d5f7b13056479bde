/*
 * pins.h: trust on first use for package versions (mcp-fetch(1), "Pins").
 *
 *   DIR/pins/ORG/NAME.json   per package: the manifest and bundle digests
 *                            first seen for each version, and the highest
 *                            version @latest ever resolved to
 *   DIR/pins/ORG/NAME.lock   flock(2) lock serialising updates
 *
 * Pins are kept per package, not per registry: a mirror or a second
 * registry that serves other bytes for a known version, or an older
 * @latest, is refused like the original registry would be.
 *
 * Ownership: struct mcp_pin lives on the caller's stack and owns nothing.
 * Errors fill a struct mcp_err and return -1; nothing here prints.
 *
 * Invariant: a pins file is replaced only by rename(2) while its lock is
 * held, after re-reading it under that lock, so two concurrent fetches
 * never lose each other's pins and a reader never sees half a file.
 */
#ifndef MCP_FETCH_PINS_H
#define MCP_FETCH_PINS_H

#include <jansson.h>

#include "cache.h"
#include "err.h"
#include "ref.h"
#include "registry.h"

enum mcp_pin_state {
	MCP_PIN_NEW,              /* version never seen before */
	MCP_PIN_MATCH,            /* same digests as pinned */
	MCP_PIN_REPINNED,         /* other digests, accepted by --repin */
	MCP_PIN_DOWNGRADE_ALLOWED /* @latest went lower, --allow-downgrade */
};

struct mcp_pin {
	enum mcp_pin_state state;
	/* What was pinned before, for the document ("" when none). */
	char prev_version[MCP_VERSION_MAX + 1];
	char prev_manifest[MCP_DIGEST_STR_MAX];
	char prev_bundle[MCP_DIGEST_STR_MAX];
};

/*
 * Judge RES (the answer to REF) against the pins of its package.  A known
 * version with another manifest or bundle digest is MCP_ERR_VERIFY unless
 * REPIN; an @latest answer lower than the highest one recorded is
 * MCP_ERR_VERIFY unless ALLOW_DOWNGRADE.  With COMMIT, the check runs
 * under the package's lock and the pins are updated (new version added,
 * repinned digests replaced, @latest's high-water mark moved to RES's
 * version when higher, or lowered when the downgrade was allowed).
 */
int mcp_pins_apply(struct mcp_cache *c, const struct mcp_ref *ref,
                   const struct mcp_resolution *res, int repin,
                   int allow_downgrade, int commit, struct mcp_pin *p,
                   struct mcp_err *e);

/* "new", "match", "repinned" or "downgrade_allowed". */
const char *mcp_pin_state_name(enum mcp_pin_state s);

/* The document's "pin" member (a new reference). */
json_t *mcp_pin_json(const struct mcp_pin *p);

#endif
