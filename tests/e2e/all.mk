# e2e tests: all tools
TESTS += tests/e2e/t0001-all-manpages.sh tests/e2e/t0002-all-cli.sh \
	tests/e2e/t0003-all-hardening.sh
EXTRA_DIST += tests/e2e/t0001-all-manpages.sh tests/e2e/t0002-all-cli.sh \
	tests/e2e/t0003-all-hardening.sh
