EXTRA_DIST += tests/e2e/lib.sh
include tests/unit/local.mk
include tests/unit/stages.mk
include tests/e2e/local.mk

# make check-valgrind: the unit tests under memcheck, leaks and errors
# fatal (CK_FORK=no so valgrind sees the test code itself).  Meaningless in
# a sanitizer build, where ASan already checks the same.
VALGRIND = valgrind
check-valgrind: $(check_PROGRAMS)
	@status=0; for t in $(check_PROGRAMS); do \
		case $$t in tests/unit/check_*) ;; *) continue ;; esac; \
		if CK_FORK=no $(VALGRIND) -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--error-exitcode=99 ./$$t >/dev/null 2>valgrind.tmp; then \
			echo "PASS: valgrind $$t"; \
		else \
			echo "FAIL: valgrind $$t"; cat valgrind.tmp; status=1; \
		fi; \
	done; rm -f valgrind.tmp; exit $$status
.PHONY: check-valgrind
