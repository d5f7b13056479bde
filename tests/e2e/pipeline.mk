# e2e tests: pipeline (9xxx): the example packages through every stage,
# mcp-run, and the example servers' protocol handling.
pipeline_tests = \
	tests/e2e/t9001-pipeline-examples.sh \
	tests/e2e/t9002-pipeline-mcp-run.sh \
	tests/e2e/t9003-examples-protocol.sh \
	tests/e2e/t9004-pipeline-secrets.sh \
	tests/e2e/t9501-clients-sdk-examples.sh \
	tests/e2e/t9502-clients-npm-servers.sh \
	tests/e2e/t9503-clients-hangup.sh
TESTS += $(pipeline_tests)
EXTRA_DIST += $(pipeline_tests) tests/e2e/sdk-lib.sh tests/e2e/sdk-client.mjs \
	tests/npm/client/package.json tests/npm/client/package-lock.json \
	tests/npm/memory/package.json tests/npm/memory/package-lock.json \
	tests/npm/filesystem/package.json tests/npm/filesystem/package-lock.json
