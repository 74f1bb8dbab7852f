/* Native reference: send COUNT messages of SIZE bytes on a PUSH socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s ENDPOINT COUNT SIZE\n", argv[0]);
    return 2;
  }
  long count = atol(argv[2]);
  size_t size = (size_t)atol(argv[3]);
  void *ctx = zmq_ctx_new();
  void *push = zmq_socket(ctx, ZMQ_PUSH);
  int linger = -1;
  zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
  if (zmq_connect(push, argv[1]) != 0) {
    perror("connect");
    return 1;
  }
  char *buf = calloc(1, size ? size : 1);
  for (long i = 0; i < count; i++) zmq_send(push, buf, size, 0);
  free(buf);
  zmq_close(push);
  zmq_ctx_term(ctx);
  return 0;
}
