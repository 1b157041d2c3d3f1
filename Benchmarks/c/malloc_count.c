// Counts malloc, calloc and realloc calls in a process it is preloaded into (LD_PRELOAD), and
// writes the count to the file named by MALLOC_COUNT_FILE on SIGUSR2. scripts/bench.py reads it
// before and after a load, for allocations per request: a figure the machine's noise does not move.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static unsigned long calls;
static const char *report_path;

void *malloc(size_t size) {
  __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
  return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
  __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
  return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
  __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
  return __libc_realloc(pointer, size);
}

static void report(int signal) {
  (void)signal;
  const char *path = report_path;
  if (path == NULL) return;
  char line[32];
  int length = snprintf(line, sizeof line, "%lu\n", __atomic_load_n(&calls, __ATOMIC_RELAXED));
  int file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (file < 0) return;
  if (write(file, line, (size_t)length) < 0) {}
  close(file);
}

// The path is read here, not in the handler: getenv is not async-signal-safe.
__attribute__((constructor)) static void install(void) {
  report_path = getenv("MALLOC_COUNT_FILE");
  signal(SIGUSR2, report);
}
