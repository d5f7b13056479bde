#!/bin/sh
# t1010: trust on first use.  The digests first seen for a version and the
# highest version @latest resolved to are pinned per package; a registry
# that later serves other digests for a known version, or rolls @latest
# back, is refused (exit 4, both sides named) unless --repin or
# --allow-downgrade, and the document's "pin" says what happened.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0
mkreg acme/hello 1.1.0
m10=$(idx acme/hello '.versions["1.0.0"].manifest_digest')
b10=$(idx acme/hello '.versions["1.0.0"].bundle_digest')
m11=$(idx acme/hello '.versions["1.1.0"].manifest_digest')
b11=$(idx acme/hello '.versions["1.1.0"].bundle_digest')
PINS=$CACHE/pins/acme/hello.json

# set_index FILTER: edit the registry's index with jq.
set_index() {
	jq "$1" "$REG/packages/acme/hello.json" >"$T/idx.new" &&
		mv "$T/idx.new" "$REG/packages/acme/hello.json"
}

expect_ok "first fetch of @latest" mf acme/hello@latest
jq_check '.version == "1.1.0" and .pin == {"state": "new", "previous": null}' \
	"pin new on first use"
check "pins file written" test -f "$PINS"
jq_check ".kind == \"mcp.fetch-pins/v1\" and .package == \"acme/hello\" and .latest == \"1.1.0\" and .versions[\"1.1.0\"].manifest_digest == \"$m11\" and .versions[\"1.1.0\"].bundle_digest == \"$b11\"" \
	"pins record the digests and the @latest mark" "$PINS"
check "pins file is private" test "$(stat -c %a "$PINS")" = 600
expect_ok "second fetch" mf acme/hello@latest
jq_check '.pin.state == "match" and .pin.previous == null' "pin match"
expect_ok "fetch 1.0.0 by version" mf acme/hello@1.0.0
jq_check '.pin.state == "new"' "another version is new"
jq_check '.latest == "1.1.0" and (.versions | length) == 2' \
	"a version reference does not move the @latest mark" "$PINS"

# --- substitution ---------------------------------------------------
cp "$REG/packages/acme/hello.json" "$T/idx.orig"
set_index ".versions[\"1.0.0\"].bundle_digest = \"$b11\" | .versions[\"1.0.0\"].manifest_digest = \"$m11\""
expect_fail 4 "acme/hello 1\.0\.0: pinned to manifest $m10 and bundle $b10, but the registry now answers manifest $m11 and bundle $b11 \(use --repin" \
	"other digests for a pinned version -> 4, both named" mf acme/hello@1.0.0
expect_ok "a refusal records nothing: --offline answers the pinned version" \
	mf --offline acme/hello@1.0.0
jq_check ".bundle.digest == \"$b10\" and .pin.state == \"match\"" "offline answer is the pinned one"
jq_check ".versions[\"1.0.0\"].bundle_digest == \"$b10\"" "refusals leave the pins alone" "$PINS"
expect_ok "--repin accepts the new digests" mf --repin acme/hello@1.0.0
jq_check ".pin.state == \"repinned\" and .pin.previous == {\"manifest_digest\": \"$m10\", \"bundle_digest\": \"$b10\"} and .bundle.digest == \"$b11\"" \
	"pin repinned names the previous digests"
check "--repin warns with both digests" grep -q "warning: acme/hello@1.0.0: version 1.0.0 repinned: manifest $m11 and bundle $b11 replace $m10 and $b10" "$T/err"
jq_check ".versions[\"1.0.0\"].bundle_digest == \"$b11\"" "pins updated by --repin" "$PINS"
expect_ok "after --repin the new digests match" mf acme/hello@1.0.0
jq_check '.pin.state == "match"' "match after repin"
expect_ok "--repin on a match is a match" mf --repin acme/hello@1.0.0
jq_check '.pin.state == "match"' "--repin changes nothing when nothing changed"
cp "$T/idx.orig" "$REG/packages/acme/hello.json"
expect_fail 4 "pinned to manifest $m11 and bundle $b11, but the registry now answers manifest $m10 and bundle $b10" \
	"going back to the old digests needs --repin too" mf acme/hello@1.0.0
expect_ok "repin back" mf --repin acme/hello@1.0.0

# --- rollback of @latest ---------------------------------------------
set_index 'del(.versions["1.1.0"])'
expect_fail 4 'acme/hello@latest: resolved to 1\.0\.0, lower than 1\.1\.0 resolved before \(use --allow-downgrade' \
	"@latest going down -> 4, both versions named" mf acme/hello@latest
expect_ok "--allow-downgrade accepts it" mf --allow-downgrade acme/hello@latest
jq_check '.version == "1.0.0" and .pin.state == "downgrade_allowed" and .pin.previous == {"version": "1.1.0"}' \
	"pin downgrade_allowed names the previous version"
check "--allow-downgrade warns" grep -q 'warning: acme/hello@latest: resolved to 1.0.0, lower than 1.1.0 resolved before (--allow-downgrade)' "$T/err"
jq_check '.latest == "1.0.0"' "an accepted rollback lowers the mark" "$PINS"
expect_ok "the next @latest matches" mf acme/hello@latest
jq_check '.pin.state == "match"' "no repeated downgrade after acceptance"
cp "$T/idx.orig" "$REG/packages/acme/hello.json"
expect_ok "@latest going up" mf acme/hello@latest
jq_check '.version == "1.1.0" and .pin.state == "match"' "upgrade moves the mark"
jq_check '.latest == "1.1.0"' "mark raised again" "$PINS"
expect_ok "a lower version by number is no rollback" mf acme/hello@1.0.0

# Pins are per package, not per registry: a second registry (a mirror)
# cannot substitute either.
mkdir -p "$T/reg2"
cp -R "$REG/." "$T/reg2/"
jq ".versions[\"1.1.0\"].bundle_digest = \"$b10\" | .versions[\"1.1.0\"].manifest_digest = \"$m10\"" \
	"$REG/packages/acme/hello.json" >"$T/reg2/packages/acme/hello.json"
expect_fail 4 "acme/hello 1\.1\.0: pinned to manifest $m11" \
	"another registry serving other digests -> 4" \
	"$MCP_FETCH" --registry "$T/reg2" --cache-dir "$CACHE" acme/hello@1.1.0

# A damaged pins file is an error, not a silent re-trust.
cp "$PINS" "$T/pins.good"
printf '{"kind":"mcp.fetch-pins/v1","package":"acme/other","versions":{}}\n' >"$PINS"
expect_fail 1 "pins $PINS: malformed \(package or versions\); remove it" \
	"pins file for another package -> 1" mf acme/hello@1.0.0
printf 'not json' >"$PINS"
expect_fail 1 "$PINS:1:[0-9]+: .* expected" "pins file not JSON -> 1" mf acme/hello@1.0.0
cp "$T/pins.good" "$PINS"

# Concurrent fetches of different versions merge their pins.
for v in 2.0.0 2.1.0 2.2.0 2.3.0; do mkreg acme/hello $v; done
i=0
for v in 2.0.0 2.1.0 2.2.0 2.3.0; do
	mf acme/hello@$v >/dev/null 2>"$T/err.$v" &
	i=$((i + 1))
done
wait
check "four concurrent first fetches all pinned" \
	jq_true "$PINS" '.versions | has("2.0.0") and has("2.1.0") and has("2.2.0") and has("2.3.0") and has("1.0.0") and has("1.1.0")'

# --help names the options.
expect_ok "--help" "$MCP_FETCH" --help
check "--help lists --repin and --allow-downgrade" grep -q -- '--allow-downgrade' "$T/out"

done_testing
