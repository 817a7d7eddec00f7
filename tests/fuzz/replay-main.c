/*
 * The harnesses without libFuzzer: runs each file given (or each file in a
 * directory given) once, as TAP. The test suite replays the committed
 * corpora with it; a finding fixed stays fixed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static int count;

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		printf("not ok %d - %s: cannot open\n", ++count, path);
		exit(1);
	}
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			data = realloc(data, cap);
		}
		size_t n = fread(data + len, 1, cap - len, f);
		if (n == 0) {
			break;
		}
		len += n;
	}
	fclose(f);
	/* a crash or an abort ends the run here, with the file named above */
	printf("# %s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, len);
	printf("ok %d - %s\n", ++count, path);
	free(data);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			struct dirent **names;
			int n = scandir(argv[i], &names, NULL, by_name);
			for (int j = 0; j < n; j++) {
				if (names[j]->d_name[0] != '.') {
					char path[4096];
					snprintf(path, sizeof(path), "%s/%s",
						argv[i], names[j]->d_name);
					run_file(path);
				}
				free(names[j]);
			}
			free(names);
		} else {
			run_file(argv[i]);
		}
	}
	printf("1..%d\n", count);
	return count > 0 ? 0 : 1;
}
