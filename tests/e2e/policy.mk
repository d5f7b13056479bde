# e2e tests: policy
EXTRA_DIST += tests/e2e/policy-lib.sh
TESTS += tests/e2e/t3001-policy-builtin.sh
EXTRA_DIST += tests/e2e/t3001-policy-builtin.sh
TESTS += tests/e2e/t3002-policy-layering.sh
EXTRA_DIST += tests/e2e/t3002-policy-layering.sh
TESTS += tests/e2e/t3003-policy-rules.sh
EXTRA_DIST += tests/e2e/t3003-policy-rules.sh
TESTS += tests/e2e/t3004-policy-yaml.sh
EXTRA_DIST += tests/e2e/t3004-policy-yaml.sh
TESTS += tests/e2e/t3005-policy-explain.sh
EXTRA_DIST += tests/e2e/t3005-policy-explain.sh
TESTS += tests/e2e/t3006-policy-config-examples.sh
EXTRA_DIST += tests/e2e/t3006-policy-config-examples.sh
