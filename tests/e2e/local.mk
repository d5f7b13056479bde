# One fragment per stage so the stages' tests grow independently.
include tests/e2e/all.mk
include tests/e2e/fetch.mk
include tests/e2e/verify.mk
include tests/e2e/pack.mk
include tests/e2e/policy.mk
include tests/e2e/exec.mk
include tests/e2e/audit.mk
include tests/e2e/pipeline.mk
include tests/e2e/oci.mk
