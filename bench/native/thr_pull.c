/* Native reference: receive COUNT messages on a PULL socket, print msgs/s. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s ENDPOINT COUNT\n", argv[0]);
    return 2;
  }
  long count = atol(argv[2]);
  void *ctx = zmq_ctx_new();
  void *pull = zmq_socket(ctx, ZMQ_PULL);
  if (zmq_bind(pull, argv[1]) != 0) {
    perror("bind");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  zmq_msg_recv(&msg, pull, 0);
  double start = now();
  for (long i = 1; i < count; i++) zmq_msg_recv(&msg, pull, 0);
  double elapsed = now() - start;
  printf("%.0f\n", (count - 1) / elapsed);
  zmq_msg_close(&msg);
  zmq_close(pull);
  zmq_ctx_term(ctx);
  return 0;
}
