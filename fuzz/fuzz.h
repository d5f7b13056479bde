/*
 * fuzz.h: what every libFuzzer target of fuzz/ shares.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput(), which libFuzzer
 * calls with one input; it must not leak, must free everything it made and
 * must return 0.  A crash, an ASan/UBSan report, a leak or an abort() from
 * FUZZ_ASSERT is a finding.  The targets are built only by
 * ./configure --enable-fuzzing (CC=clang); see docs/SECURITY-TESTING.md.
 */
#ifndef MCP_FUZZ_H
#define MCP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant the code under test promises: abort so libFuzzer keeps the
 * input.  Not assert(): it must hold whatever NDEBUG says. */
#define FUZZ_ASSERT(c)                                                         \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
			        __FILE__, __LINE__, #c);                       \
			abort();                                               \
		}                                                              \
	} while (0)

/* MCP_FUZZ_VERBOSE set: print what each input gave (seeds are checked by
 * hand this way: ./fuzz/fuzz_spec fuzz/corpus/spec/seed-*). */
void fuzz_report(const char *what, int rc, const char *msg);

/* A NUL-terminated copy of DATA (embedded NULs kept, so C-string parsers
 * see the prefix).  Free with free(). */
char *fuzz_strdup(const uint8_t *data, size_t size);

#endif
