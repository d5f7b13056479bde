EXTRA_DIST += tests/e2e/lib.sh
include tests/unit/local.mk
include tests/unit/stages.mk
include tests/e2e/local.mk
