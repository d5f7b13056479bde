# e2e tests: fetch
EXTRA_DIST += tests/e2e/fetch-lib.sh tests/e2e/fetch-mkreg.py \
	tests/e2e/fetch-server.py
fetch_e2e_tests = \
	tests/e2e/t1001-fetch-resolve.sh \
	tests/e2e/t1002-fetch-cache.sh \
	tests/e2e/t1003-fetch-status.sh \
	tests/e2e/t1004-fetch-refs.sh \
	tests/e2e/t1005-fetch-options.sh \
	tests/e2e/t1006-fetch-index.sh \
	tests/e2e/t1007-fetch-nonet.sh \
	tests/e2e/t1008-fetch-http.sh \
	tests/e2e/t1009-fetch-https.sh \
	tests/e2e/t1010-fetch-pins.sh \
	tests/e2e/t1011-fetch-cache-manage.sh \
	tests/e2e/t1012-fetch-kill.sh \
	tests/e2e/t1013-fetch-mirror.sh \
	tests/e2e/t1014-fetch-progress.sh \
	tests/e2e/t1015-fetch-seal.sh
TESTS += $(fetch_e2e_tests)
EXTRA_DIST += $(fetch_e2e_tests)
