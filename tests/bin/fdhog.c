/*
 * fdhog [N]: open /dev/null up to N times (default 100000); print how many
 * opened and why it stopped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	/* NOLINTNEXTLINE(cert-err34-c): the test script's number */
	long want = argc > 1 ? atol(argv[1]) : 100000, n;
	int err = 0;

	for (n = 0; n < want; n++)
		if (open("/dev/null", O_RDONLY) < 0) {
			err = errno;
			break;
		}
	printf("opened=%ld stop=%s\n", n, err ? strerror(err) : "none");
	return 0;
}
