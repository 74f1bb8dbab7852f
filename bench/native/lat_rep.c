/* Native reference: bind a REP socket and echo COUNT requests.
 * usage: lat_rep ENDPOINT COUNT [SIZE] */
#include "common.h"

int main(int argc, char **argv) {
  const char *endpoint;
  long count;
  size_t size;
  bench_args(argc, argv, &endpoint, &count, &size, 16);
  void *ctx = zmq_ctx_new();
  void *rep = zmq_socket(ctx, ZMQ_REP);
  bench_bind_ready(rep, endpoint);
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  double cpu = bench_cpu();
  for (long i = 0; i < count; i++) {
    if (zmq_msg_recv(&msg, rep, 0) < 0) bench_die("zmq_msg_recv");
    if (zmq_msg_send(&msg, rep, 0) < 0) bench_die("zmq_msg_send");
  }
  bench_print_cpu(cpu);
  zmq_msg_close(&msg);
  zmq_close(rep);
  zmq_ctx_term(ctx);
  return 0;
}
