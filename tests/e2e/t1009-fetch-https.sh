#!/bin/sh
# t1009: the HTTPS registry backend: the peer is always verified (a CA made
# here with openssl, given with --cacert or registry.cacert), and a
# redirect from https down to http is refused.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

if ! command -v openssl >/dev/null 2>&1; then
	skip_strict "openssl not installed: no HTTPS test"
	done_testing
	exit
fi

# A throw-away CA and a server certificate for 127.0.0.1 and localhost.
mkdir -p "$T/pki" && cd "$T/pki" || exit 99
ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'
# shellcheck disable=SC2086
openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj '/CN=mcp-fetch test CA' \
	-addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
	>/dev/null 2>&1 &&
# shellcheck disable=SC2086
openssl req $ec -keyout srv.key -out srv.csr -subj '/CN=127.0.0.1' >/dev/null 2>&1 &&
printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'basicConstraints=CA:FALSE' \
	'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' >ext &&
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem \
	-days 2 -extfile ext >/dev/null 2>&1 &&
# shellcheck disable=SC2086
openssl req $ec -keyout other.key -out other.csr -subj '/CN=other.example' >/dev/null 2>&1 &&
printf '%s\n' 'subjectAltName=DNS:other.example' 'extendedKeyUsage=serverAuth' >ext2 &&
openssl x509 -req -in other.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out other.pem \
	-days 2 -extfile ext2 >/dev/null 2>&1 ||
	{ echo "Bail out! cannot make test certificates"; exit 99; }
cd "$T" || exit 99

mkreg acme/hello 1.0.0
start_server --tls "$T/pki/srv.pem" "$T/pki/srv.key"
U=https://127.0.0.1:$PORT/m

expect_fail 5 'resolve answer for acme/hello@1.0.0: .*(certificate|SSL)' \
	"unknown CA -> 5 (TLS always verified)" \
	"$MCP_FETCH" --registry "$U/ok" --cache-dir "$CACHE" acme/hello@1.0.0
check "nothing cached after a TLS failure" test ! -d "$CACHE/sha256"
expect_ok "--cacert trusts the test CA" \
	"$MCP_FETCH" --registry "$U/ok" --cache-dir "$CACHE" --cacert "$T/pki/ca.pem" acme/hello@1.0.0
jq_check ".registry == \"$U/ok\" and .version == \"1.0.0\"" "document over https"
rm -rf "$CACHE"
printf 'registry:\n  cacert: %s\n' "$T/pki/ca.pem" >"$T/cfg.yaml"
expect_ok "registry.cacert trusts the test CA" \
	"$MCP_FETCH" --config "$T/cfg.yaml" --registry "$U/ok" --cache-dir "$CACHE" acme/hello@1.0.0
expect_fail 2 'CA file .*/nope.pem' "missing --cacert file -> 2" \
	"$MCP_FETCH" --registry "$U/ok" --cache-dir "$CACHE" --cacert "$T/nope.pem" acme/hello@1.0.0
expect_fail 2 'option --cacert given twice' "repeated --cacert -> 2" \
	"$MCP_FETCH" --registry "$U/ok" --cacert "$T/pki/ca.pem" --cacert "$T/pki/ca.pem" acme/hello@1.0.0
# A certificate from the right CA for another name: the host name is
# checked, not only the chain.
stop_server
start_server --tls "$T/pki/other.pem" "$T/pki/other.key"
expect_fail 5 'resolve answer for acme/hello@1.0.0: .*(certificate|SSL|match)' \
	"certificate for another host name -> 5" \
	"$MCP_FETCH" --registry "https://127.0.0.1:$PORT/m/ok" --cache-dir "$CACHE" \
	--cacert "$T/pki/ca.pem" acme/hello@1.0.0
stop_server
start_server --tls "$T/pki/srv.pem" "$T/pki/srv.key"
U=https://127.0.0.1:$PORT/m

rm -rf "$CACHE"
expect_fail 5 'redirect from https to http \(http://127.0.0.1:[0-9]+/.*\) refused' \
	"https -> http redirect -> 5" \
	"$MCP_FETCH" --registry "$U/redirhttp" --cache-dir "$CACHE" --cacert "$T/pki/ca.pem" acme/hello@1.0.0
expect_fail 5 'redirect from https to http' "--allow-http does not allow a downgrade" \
	"$MCP_FETCH" --registry "$U/redirhttp" --cache-dir "$CACHE" --cacert "$T/pki/ca.pem" \
	--allow-http acme/hello@1.0.0
check "no bundle cached after the refused redirect" test "$(find "$CACHE" -type f -path '*/sha256/*' | wc -l)" -le 1
rm -rf "$CACHE"
expect_ok "https presigned redirect to another origin" \
	"$MCP_FETCH" --registry "$U/presigned" --cache-dir "$CACHE" --cacert "$T/pki/ca.pem" acme/hello@1.0.0
check "the presigned URL was used" grep -q '^GET /blob/' "$T/server.log"
stop_server

done_testing
