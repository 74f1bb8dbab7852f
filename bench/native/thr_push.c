/* Native reference: connect a PUSH socket, send COUNT messages of SIZE bytes, then wait for
 * end-of-file on stdin (the harness closes it when the receiver is done: disconnecting while the
 * receiver is at its high-water mark can lose the last messages) and exit, linger -1.
 * usage: thr_push ENDPOINT COUNT SIZE < /dev/null */
#include "common.h"

int main(int argc, char **argv) {
  const char *endpoint;
  long count;
  size_t size;
  bench_args(argc, argv, &endpoint, &count, &size, 16);
  void *ctx = zmq_ctx_new();
  void *push = zmq_socket(ctx, ZMQ_PUSH);
  int linger = -1;
  zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
  if (zmq_connect(push, endpoint) != 0) bench_die("zmq_connect");
  char *buf = calloc(1, size ? size : 1);
  double cpu = bench_cpu();
  for (long i = 0; i < count; i++) {
    if (zmq_send(push, buf, size, 0) < 0) bench_die("zmq_send");
  }
  free(buf);
  while (getchar() != EOF) {
  }
  bench_print_cpu(cpu);
  zmq_close(push);
  zmq_ctx_term(ctx);
  return 0;
}
