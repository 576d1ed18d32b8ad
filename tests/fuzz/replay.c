/*
 * replay.c - runs a libFuzzer target over files, without libFuzzer.
 *
 * Linked with every fuzz target in ordinary builds, so that `make check` with
 * plain gcc (and under ASan+UBSan) replays each seed corpus through the
 * target. Arguments are files or directories (one level deep). Prints one
 * TAP line per argument.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	/* An exact-size heap copy, so ASan sees any read past the end. */
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, bad = 0, t = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		long files = 0, errs = 0;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *de;
			char path[4096];

			while (d && (de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", argv[i],
				    de->d_name);
				if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
					continue;
				files++;
				if (run_file(path) != 0)
					errs++;
			}
			if (d)
				closedir(d);
		} else {
			files = 1;
			errs = run_file(argv[i]) != 0;
		}
		printf("%sok %d - %s: %ld inputs replayed\n",
		    errs ? "not " : "", ++t, argv[i], files);
		bad |= errs != 0;
	}
	printf("1..%d\n", t);
	return bad;
}
