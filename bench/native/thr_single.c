/* Native reference for the WASM backend: PUSH and PULL over inproc on ONE thread, the loop a
 * single-threaded engine runs: send with ZMQ_DONTWAIT until EAGAIN (the high-water mark), then
 * receive with ZMQ_DONTWAIT until EAGAIN, repeat until COUNT messages went through. Prints
 * msgs/s over the whole transfer.  usage: thr_single ENDPOINT COUNT SIZE */
#include "common.h"

int main(int argc, char **argv) {
  const char *endpoint;
  long count;
  size_t size;
  bench_args(argc, argv, &endpoint, &count, &size, 16);
  void *ctx = zmq_ctx_new();
  void *pull = zmq_socket(ctx, ZMQ_PULL);
  void *push = zmq_socket(ctx, ZMQ_PUSH);
  if (zmq_bind(pull, endpoint) != 0) bench_die("zmq_bind");
  if (zmq_connect(push, endpoint) != 0) bench_die("zmq_connect");
  char *buf = calloc(1, size ? size : 1);
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  long sent = 0, received = 0;
  double start = bench_now(), cpu = bench_cpu();
  while (received < count) {
    while (sent < count && zmq_send(push, buf, size, ZMQ_DONTWAIT) >= 0) sent++;
    if (sent < count && zmq_errno() != EAGAIN) bench_die("zmq_send");
    while (zmq_msg_recv(&msg, pull, ZMQ_DONTWAIT) >= 0) received++;
    if (zmq_errno() != EAGAIN) bench_die("zmq_msg_recv");
    /* What an event loop does before parking: ZMQ_EVENTS processes pending commands (here the
     * PULL side's "activate write"), which a DONTWAIT send only does once per millisecond. */
    int events;
    size_t len = sizeof events;
    zmq_getsockopt(push, ZMQ_EVENTS, &events, &len);
  }
  double elapsed = bench_now() - start;
  bench_print_cpu(cpu);
  printf("result %.0f\n", count / elapsed);
  zmq_msg_close(&msg);
  free(buf);
  zmq_close(push);
  zmq_close(pull);
  zmq_ctx_term(ctx);
  return 0;
}
