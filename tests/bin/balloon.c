/*
 * balloon MIB: allocate and touch MIB mebibytes, one at a time, printing
 * the total every 64 MiB; exit 0 when done, 1 when malloc fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seen from outside, so the compiler cannot drop the allocations. */
char *volatile balloon_last;

int
main(int argc, char **argv)
{
	/* NOLINTNEXTLINE(cert-err34-c): the test script's number */
	long want = argc > 1 ? atol(argv[1]) : 1024, i;
	char *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i <= want; i++) {
		if ((p = malloc(1 << 20)) == NULL) {
			printf("balloon: malloc failed at %ld MiB\n", i);
			return 1;
		}
		memset(p, 0x5a, 1 << 20);
		balloon_last = p;
		if (i % 64 == 0)
			printf("balloon: %ld MiB\n", i);
	}
	printf("balloon: done\n");
	return 0;
}
