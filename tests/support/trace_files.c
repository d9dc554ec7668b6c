/* Walking a directory of traces (trace_files.h). */
#include "trace_files.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

int gm_each_trace_file(const char *dir, void (*fn)(const char *path, void *ctx),
                       void *ctx)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		if (len < 7 || strcmp(e->d_name + len - 6, ".trace") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		fn(path, ctx);
		n++;
	}
	closedir(d);
	return n;
}
