# e2e tests: audit
AUDIT_E2E = \
	tests/e2e/t5001-audit-append.sh \
	tests/e2e/t5002-audit-verify.sh \
	tests/e2e/t5003-audit-redact.sh \
	tests/e2e/t5004-audit-concurrency.sh \
	tests/e2e/t5005-audit-enospc.sh \
	tests/e2e/t5006-audit-rotate.sh \
	tests/e2e/t5007-audit-show.sh \
	tests/e2e/t5008-audit-syslog.sh \
	tests/e2e/t5009-audit-paths.sh \
	tests/e2e/t5010-audit-canonical.sh
TESTS += $(AUDIT_E2E)
EXTRA_DIST += $(AUDIT_E2E) tests/e2e/audit-lib.sh
