/* Native reference: the resident memory COUNT idle PULL sockets take (created, nothing bound or
 * connected), after one socket has started the context. Prints MB per 1,000 sockets.
 * usage: mem_sockets ENDPOINT COUNT [SIZE]   (ENDPOINT and SIZE are unused) */
#include <unistd.h>

#include "common.h"

/** Resident set size in bytes, from /proc/self/statm. */
static long rss_bytes(void) {
  long pages = 0, resident = 0;
  FILE *statm = fopen("/proc/self/statm", "r");
  if (!statm || fscanf(statm, "%ld %ld", &pages, &resident) != 2) bench_die("/proc/self/statm");
  fclose(statm);
  return resident * sysconf(_SC_PAGESIZE);
}

int main(int argc, char **argv) {
  const char *endpoint;
  long count;
  size_t size;
  bench_args(argc, argv, &endpoint, &count, &size, 0);
  void *ctx = zmq_ctx_new();
  void *first = zmq_socket(ctx, ZMQ_PULL);
  void **sockets = calloc(count, sizeof *sockets);
  long before = rss_bytes();
  double cpu = bench_cpu();
  for (long i = 0; i < count; i++) {
    if (!(sockets[i] = zmq_socket(ctx, ZMQ_PULL))) bench_die("zmq_socket");
  }
  long after = rss_bytes();
  bench_print_cpu(cpu);
  double mb = (after - before) / 1048576.0;
  printf("result %.3f perSocketKB=%.2f\n", mb * 1000 / count, (after - before) / 1024.0 / count);
  for (long i = 0; i < count; i++) zmq_close(sockets[i]);
  zmq_close(first);
  free(sockets);
  zmq_ctx_term(ctx);
  return 0;
}
