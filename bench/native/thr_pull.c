/* Native reference: bind a PULL socket, receive COUNT messages, print msgs/s from the first
 * message to the last.  usage: thr_pull ENDPOINT COUNT [SIZE] */
#include "common.h"

int main(int argc, char **argv) {
  const char *endpoint;
  long count;
  size_t size;
  bench_args(argc, argv, &endpoint, &count, &size, 0);
  void *ctx = zmq_ctx_new();
  void *pull = zmq_socket(ctx, ZMQ_PULL);
  bench_bind_ready(pull, endpoint);
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  if (zmq_msg_recv(&msg, pull, 0) < 0) bench_die("zmq_msg_recv");
  double start = bench_now(), cpu = bench_cpu();
  for (long i = 1; i < count; i++) {
    if (zmq_msg_recv(&msg, pull, 0) < 0) bench_die("zmq_msg_recv");
  }
  double elapsed = bench_now() - start;
  bench_print_cpu(cpu);
  printf("result %.0f\n", (count - 1) / elapsed);
  zmq_msg_close(&msg);
  zmq_close(pull);
  zmq_ctx_term(ctx);
  return 0;
}
