#!/bin/sh
# t1003: revoked and quarantined versions are refused (exit 3) before any
# byte is fetched, unless --allow-status names them.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0 --status revoked
mkreg acme/hello 1.1.0 --status quarantined
mkreg acme/hello 1.2.0 --status deprecated

expect_fail 3 'acme/hello@1\.0\.0: version 1\.0\.0 is revoked \(use --allow-status revoked' \
	"revoked -> 3" mf acme/hello@1.0.0
check "nothing on stdout" test ! -s "$T/out"
check "no blob fetched for a refused version" test ! -d "$CACHE/sha256"
expect_fail 3 'version 1\.1\.0 is quarantined' "quarantined -> 3" mf acme/hello@1.1.0
expect_fail 3 'is quarantined' "allowing revoked does not allow quarantined" \
	mf --allow-status revoked acme/hello@1.1.0

expect_ok "revoked with --allow-status revoked" mf --allow-status revoked acme/hello@1.0.0
jq_check '.status == "revoked" and .version == "1.0.0"' "status carried in the document"
check "allowed revoked still warns" grep -q 'warning: acme/hello@1.0.0: version 1.0.0 is revoked' "$T/err"
expect_ok "a list in one option" mf --allow-status quarantined,revoked acme/hello@1.1.0
jq_check '.status == "quarantined"' "quarantined allowed"
expect_ok "repeated option" mf --allow-status revoked --allow-status quarantined acme/hello@1.1.0
expect_ok "deprecated needs no option" mf acme/hello@1.2.0
jq_check '.status == "deprecated"' "deprecated carried"

expect_fail 2 'option --allow-status: "bogus" is not a list of statuses' \
	"unknown status -> 2" mf --allow-status bogus acme/hello@1.0.0
expect_fail 2 'option --allow-status: "revoked," is not a list' \
	"trailing comma -> 2" mf --allow-status revoked, acme/hello@1.0.0
expect_fail 2 'option --allow-status: "" is not a list' \
	"empty status -> 2" mf --allow-status '' acme/hello@1.0.0

# Offline answers are judged the same way.
expect_ok "cache the revoked version" mf --allow-status revoked acme/hello@1.0.0
expect_fail 3 'is revoked' "revoked from the cache -> 3" mf --offline acme/hello@1.0.0

done_testing
