/* Native reference: connect a REQ socket, make COUNT round trips of SIZE bytes and print the
 * mean microseconds per round trip, not counting the first (connection setup).
 * usage: lat_req ENDPOINT COUNT SIZE */
#include "common.h"

static void round_trip(void *req, const char *buf, size_t size, zmq_msg_t *reply) {
  if (zmq_send(req, buf, size, 0) < 0) bench_die("zmq_send");
  if (zmq_msg_recv(reply, req, 0) < 0) bench_die("zmq_msg_recv");
}

int main(int argc, char **argv) {
  const char *endpoint;
  long count;
  size_t size;
  bench_args(argc, argv, &endpoint, &count, &size, 16);
  void *ctx = zmq_ctx_new();
  void *req = zmq_socket(ctx, ZMQ_REQ);
  if (zmq_connect(req, endpoint) != 0) bench_die("zmq_connect");
  char *buf = calloc(1, size ? size : 1);
  zmq_msg_t reply;
  zmq_msg_init(&reply);
  round_trip(req, buf, size, &reply);
  double start = bench_now(), cpu = bench_cpu();
  for (long i = 1; i < count; i++) round_trip(req, buf, size, &reply);
  double elapsed = bench_now() - start;
  bench_print_cpu(cpu);
  printf("result %.3f\n", elapsed / (count - 1) * 1e6);
  zmq_msg_close(&reply);
  free(buf);
  zmq_close(req);
  zmq_ctx_term(ctx);
  return 0;
}
