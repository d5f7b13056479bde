# Benchmarks: `make bench` runs every script of bench_scripts, each of which
# prints its ratios against a peer tool measured in the same run.  Never
# part of `make check`: speed targets are not unit tests.
bench_scripts =

bench: all
	@$(AM_TESTS_ENVIRONMENT) status=0; \
	for b in $(bench_scripts); do \
		echo "== $$b"; \
		$(SHELL) $(top_srcdir)/$$b || status=1; \
	done; exit $$status
.PHONY: bench

# mcp-audit: append vs a write+fdatasync loop, verify vs sha256sum.
bench_scripts += bench/audit.sh
EXTRA_DIST += bench/audit.sh bench/fsync-loop.c

# mcp-verify: digest vs openssl dgst and sha256sum, extraction vs bsdtar.
bench_scripts += bench/verify.sh
EXTRA_DIST += bench/verify.sh

# mcp-fetch: a 95 MiB download vs curl (+ openssl dgst), a warm hit vs openssl dgst.
bench_scripts += bench/fetch.sh
EXTRA_DIST += bench/fetch.sh

# mcp-exec: start-up to /bin/true, limits only and isolated, vs the floor, bwrap, firejail.
bench_scripts += bench/exec.sh
EXTRA_DIST += bench/exec.sh bench/exec-time.c

# mcp-run: time to the first reply to initialize, vs the entrypoint run directly and npx.
bench_scripts += bench/startup.sh
EXTRA_DIST += bench/startup.sh bench/first-reply.c
