#!/bin/sh
# t1011: cache management.  --list (human and --json), --remove of one
# digest or all, --prune-size (least recently used first) and --prune-age;
# a bundle's extracted tree and its sidecar go with it; a cache hit
# records the use in the blob's mtime; a resolution record left pointing
# at a removed blob never makes --offline succeed.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0
mkreg acme/other 2.0.0
TREES=$CACHE/trees/sha256

expect_ok "list of a cache that does not exist yet" "$MCP_FETCH" --cache-dir "$CACHE" --list
check "empty list says so" grep -q "^0 entries, 0 bytes in $CACHE\$" "$T/out"

expect_ok "fetch hello" mf acme/hello@1.0.0
cp "$T/out" "$T/hello.json"
expect_ok "fetch other" mf acme/other@2.0.0
cp "$T/out" "$T/other.json"
hb=$(jq -r .bundle.digest "$T/hello.json")
hm=$(jq -r .manifest.digest "$T/hello.json")
ob=$(jq -r .bundle.digest "$T/other.json")
om=$(jq -r .manifest.digest "$T/other.json")
expect_ok "mcp-verify extracts hello's tree" "$MCP_VERIFY" --cache-dir "$CACHE" "$T/hello.json"
check "tree and sidecar exist" test -d "$TREES/${hb#sha256:}" -a -f "$TREES/${hb#sha256:}.tree"

expect_ok "--list" mf --list
check "four entries listed" test "$(grep -c '^sha256:' "$T/out")" -eq 4
check "the bundle with a tree is marked" grep -Eq "^$hb +[0-9]+  [0-9T:-]+Z  tree\$" "$T/out"
check "a total line" grep -Eq "^4 entries, [0-9]+ bytes in $CACHE\$" "$T/out"
expect_ok "--list --json" mf --list --json
out_kind mcp.fetch-cache/v1 "one mcp.fetch-cache/v1 document"
jq_check ".action == \"list\" and .count == 4 and .cache_dir == \"$CACHE\" and (.entries | length) == 4 and (.entries[] | select(.digest == \"$hb\") | .tree == true and .tree_bytes > 0) and (.entries[] | select(.digest == \"$om\") | .tree == false and .size_bytes > 0) and .total_bytes == ([.entries[] | .size_bytes + .tree_bytes] | add)" \
	"entries carry digest, size, tree and the total"

# --- last use ---------------------------------------------------------
for d in "$hb" "$hm" "$ob" "$om"; do touch -d '2001-01-01 00:00:00 UTC' "$(blob_path "$d")"; done
expect_ok "a cache hit" mf acme/hello@1.0.0
jq_check '.cache_hit == true' "it was a hit"
check "a hit records the use in the blob's mtime" \
	test "$(stat -c %Y "$(blob_path "$hb")")" -gt "$(date -d '2020-01-01' +%s)"
touch -d '10 minutes ago' "$(blob_path "$hb")"
m=$(stat -c %Y "$(blob_path "$hb")")
expect_ok "a cache hit within the hour" mf acme/hello@1.0.0
check "a use within the hour of the last is not recorded again" \
	test "$(stat -c %Y "$(blob_path "$hb")")" = "$m"
check "the other package keeps its old time" \
	test "$(stat -c %Y "$(blob_path "$ob")")" -lt "$(date -d '2002-01-01' +%s)"
expect_ok "--list --json orders least recently used first" mf --list --json
jq_check "[.entries[].digest][0:2] | sort == ([\"$ob\", \"$om\"] | sort)" "LRU order"

# --- prune by age -------------------------------------------------------
expect_ok "--prune-age 365d" mf --prune-age 365d
check "two old entries removed" test "$(grep -c '^removed sha256:' "$T/out")" -eq 2
check "summary line" grep -Eq "^removed 2 entries \([0-9]+ bytes\); [0-9]+ bytes left in $CACHE\$" "$T/out"
check "other's blobs gone" test ! -e "$(blob_path "$ob")" -a ! -e "$(blob_path "$om")"
check "hello's blobs kept" test -f "$(blob_path "$hb")" -a -f "$(blob_path "$hm")"
check "hello's tree kept" test -d "$TREES/${hb#sha256:}"
expect_fail 5 "acme/other@2.0.0: manifest $om is not in the cache \(offline\)" \
	"the record of a pruned package does not make --offline succeed" mf --offline acme/other@2.0.0
expect_ok "a later online fetch brings it back" mf acme/other@2.0.0

# --- prune by size ------------------------------------------------------
touch -d '2001-01-01 00:00:00 UTC' "$(blob_path "$hb")" "$(blob_path "$hm")"
hsize=$(($(stat -c %s "$(blob_path "$hb")") + $(stat -c %s "$(blob_path "$hm")")))
osize=$(($(stat -c %s "$(blob_path "$ob")") + $(stat -c %s "$(blob_path "$om")")))
expect_ok "--prune-size keeps the most recent" mf --json --prune-size "$osize"
out_kind mcp.fetch-cache/v1 "prune prints one document with --json"
jq_check ".action == \"prune\" and .count == 2 and .total_bytes == $osize and .freed_bytes > $hsize and ([.removed[].digest] | sort) == ([\"$hb\", \"$hm\"] | sort)" \
	"the least recently used package went, with its tree bytes"
check "the pruned bundle's tree is gone" test ! -e "$TREES/${hb#sha256:}"
check "and its sidecar" test ! -e "$TREES/${hb#sha256:}.tree"
check "nothing set aside is left" test -z "$(ls -A "$TREES")"
check "the recent package stays" test -f "$(blob_path "$ob")" -a -f "$(blob_path "$om")"
expect_ok "--prune-size above the total removes nothing" mf --prune-size 1G
check "nothing removed" grep -q '^removed 0 entries (0 bytes)' "$T/out"

# --- remove -----------------------------------------------------------
expect_ok "fetch hello again" mf acme/hello@1.0.0
expect_ok "verify again" "$MCP_VERIFY" --cache-dir "$CACHE" "$T/hello.json"
chmod -R a-w "$TREES/${hb#sha256:}"
expect_ok "--remove one bundle" mf --remove "$hb"
check "remove names it" grep -qx "removed $hb" "$T/out"
check "blob gone" test ! -e "$(blob_path "$hb")"
check "read-only tree gone" test ! -e "$TREES/${hb#sha256:}" -a ! -e "$TREES/${hb#sha256:}.tree"
check "the manifest stays" test -f "$(blob_path "$hm")"
expect_fail 5 "bundle $hb is not in the cache \(offline\)" \
	"--offline after --remove fails (the record stays, the blob is re-checked)" \
	mf --offline acme/hello@1.0.0
expect_fail 5 "^mcp-fetch: $hb: not in the cache $CACHE\$" "removing it twice -> 5" mf --remove "$hb"
expect_fail 2 'option --remove: "sha256:12" is not sha256:HEX or all' "bad digest -> 2" mf --remove sha256:12
expect_ok "--remove all --json" mf --remove all --json
jq_check ".action == \"remove\" and .count == 3 and (.removed | length) == 3 and (.removed | index(\"$hm\")) != null" "three entries removed, named"
check "no blob left" test -z "$(find "$CACHE/sha256" -type f)"
check "pins survive --remove all" test -f "$CACHE/pins/acme/hello.json"

# --- the read-only tree without root's override ---------------------------
# Root removes a 0555 directory's entries anyway; an ordinary user must
# make the tree writable first.  As root, prove it as nobody.
if [ "$(id -u)" != 0 ]; then
	ok "not root: the removals above already ran without an override"
	ok "not root: (same)"
	ok "not root: (same)"
elif command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	NB="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
	mkdir -p "$T/nb" && chmod -R a+rX "$REG" && chown "$(id -u nobody):$(id -g nobody)" "$T/nb" && chmod 700 "$T/nb"
	$NB "$MCP_FETCH" --registry "$REG" --cache-dir "$T/nb" acme/hello@1.0.0 >"$T/nb.json" 2>"$T/err" &&
		$NB "$MCP_VERIFY" --cache-dir "$T/nb" "$T/nb.json" >/dev/null 2>>"$T/err"
	check "as nobody: fetched and extracted a read-only tree" test -d "$T/nb/trees/sha256/${hb#sha256:}"
	run $NB "$MCP_FETCH" --cache-dir "$T/nb" --remove "$hb"
	check "as nobody: --remove exits 0 ($rc)" test "$rc" -eq 0
	check "as nobody: the read-only tree is gone" test -z "$(ls -A "$T/nb/trees/sha256")"
else
	skip "setpriv or user nobody not available: cannot drop root to test a read-only tree"
	skip "setpriv or user nobody not available"
	skip "setpriv or user nobody not available"
fi

# --- a temporary file of a dead fetch is cleaned by a prune ------------
mkdir -p "$CACHE/sha256/ab"
: >"$CACHE/sha256/ab/.tmp-abababababababab-dead01"
: >"$CACHE/sha256/ab/.tmp-abababababababab-live01"
touch -d '2001-01-01 00:00:00 UTC' "$CACHE/sha256/ab/.tmp-abababababababab-dead01"
expect_ok "prune" mf --prune-age 1d
check "a stale temporary file is removed" test ! -e "$CACHE/sha256/ab/.tmp-abababababababab-dead01"
check "a fresh one (a live download) is kept" test -e "$CACHE/sha256/ab/.tmp-abababababababab-live01"

# --- usage --------------------------------------------------------------
expect_fail 2 'options --list, --remove and --prune-\* conflict' "--list with --remove -> 2" mf --list --remove all
expect_fail 2 'unexpected argument "acme/hello@1.0.0": cache management takes no reference' \
	"--list with a reference -> 2" mf --list acme/hello@1.0.0
expect_fail 2 'option --json needs --list, --remove or --prune-\*' "--json alone -> 2" mf --json acme/hello@1.0.0
expect_fail 2 'option --prune-size: "lots" is not a size' "bad size -> 2" mf --prune-size lots
expect_fail 2 'option --prune-age: "30x" is not an age' "bad age -> 2" mf --prune-age 30x
expect_fail 2 'option --list given twice' "--list twice -> 2" mf --list --list

done_testing
