# e2e tests: pack (7xxx)
EXTRA_DIST += tests/e2e/pack-lib.sh
pack_e2e_tests = \
	tests/e2e/t7001-pack-usage.sh \
	tests/e2e/t7002-pack-reproducible.sh \
	tests/e2e/t7003-pack-pipeline.sh
TESTS += $(pack_e2e_tests)
EXTRA_DIST += $(pack_e2e_tests)
