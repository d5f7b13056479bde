# e2e tests: mcp-policy --oci (6xxx): the OCI runtime bundle, checked as a
# document and run by runc and crun (root only; the runtimes from Debian).
oci_tests = \
	tests/e2e/t6001-oci-bundle.sh \
	tests/e2e/t6002-oci-runc.sh \
	tests/e2e/t6003-oci-crun.sh
TESTS += $(oci_tests)
EXTRA_DIST += $(oci_tests) tests/e2e/oci-lib.sh docs/OCI.md
