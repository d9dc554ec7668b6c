/* Walking a directory of traces from a test.  Every support source is
 * linked into every test executable, so this relies on libc alone. */
#ifndef GM_TRACE_FILES_H
#define GM_TRACE_FILES_H

/* Calls fn(path, ctx) for every NAME.trace in dir, in directory order.
 * Returns how many, or -1 when dir cannot be read. */
int gm_each_trace_file(const char *dir, void (*fn)(const char *path, void *ctx),
                       void *ctx);

#endif
