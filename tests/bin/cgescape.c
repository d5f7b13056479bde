/*
 * cgescape FILE...: write our own pid into each cgroup.procs FILE (the
 * root cgroups, say); print one line per file; exit 0 when every write
 * was refused, 1 when one succeeded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	int i, escaped = 0;
	FILE *f;

	for (i = 1; i < argc; i++) {
		f = fopen(argv[i], "w");
		if (f == NULL) {
			printf("%s: refused (%s)\n", argv[i], strerror(errno));
			continue;
		}
		fprintf(f, "0\n");
		if (fclose(f) == 0) {
			printf("%s: ESCAPED\n", argv[i]);
			escaped = 1;
		} else {
			printf("%s: refused (%s)\n", argv[i], strerror(errno));
		}
	}
	return escaped;
}
