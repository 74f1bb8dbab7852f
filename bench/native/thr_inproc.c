/* Native reference: PUSH->PULL over inproc in one process, the PUSH side on its own thread
 * (blocking calls, as thr_push/thr_pull), printing msgs/s over the whole transfer.
 * usage: thr_inproc ENDPOINT COUNT SIZE   (ENDPOINT: an inproc:// name) */
#include <pthread.h>

#include "common.h"

struct sender {
  void *ctx;
  const char *endpoint;
  long count;
  size_t size;
};

static void *send_all(void *arg) {
  struct sender *s = arg;
  void *push = zmq_socket(s->ctx, ZMQ_PUSH);
  if (zmq_connect(push, s->endpoint) != 0) bench_die("zmq_connect");
  char *buf = calloc(1, s->size ? s->size : 1);
  for (long i = 0; i < s->count; i++) {
    if (zmq_send(push, buf, s->size, 0) < 0) bench_die("zmq_send");
  }
  free(buf);
  zmq_close(push);
  return NULL;
}

int main(int argc, char **argv) {
  struct sender s;
  bench_args(argc, argv, &s.endpoint, &s.count, &s.size, 16);
  s.ctx = zmq_ctx_new();
  void *pull = zmq_socket(s.ctx, ZMQ_PULL);
  if (zmq_bind(pull, s.endpoint) != 0) bench_die("zmq_bind");
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  double start = bench_now(), cpu = bench_cpu();
  pthread_t thread;
  pthread_create(&thread, NULL, send_all, &s);
  for (long i = 0; i < s.count; i++) {
    if (zmq_msg_recv(&msg, pull, 0) < 0) bench_die("zmq_msg_recv");
  }
  double elapsed = bench_now() - start;
  pthread_join(thread, NULL);
  bench_print_cpu(cpu);
  printf("result %.0f\n", s.count / elapsed);
  zmq_msg_close(&msg);
  zmq_close(pull);
  zmq_ctx_term(s.ctx);
  return 0;
}
