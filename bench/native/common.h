/*
 * Shared by the native reference programs of the benchmark harness (bench/run.ts).
 *
 * Every program follows the harness protocol: a binding side prints
 * "ready ENDPOINT" once bound (with the port or path actually used), and the
 * side that measures prints "result VALUE" as its last line. Every side prints
 * "cpu SECONDS", the CPU time (user + system, all threads) it spent over the
 * measured interval.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

/** Monotonic time in seconds. */
static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/** CPU time of the whole process (every thread, user + system) in seconds. */
static inline double bench_cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/** Prints "cpu SECONDS": the CPU time spent since `since` (a bench_cpu() reading). */
static inline void bench_print_cpu(double since) {
  printf("cpu %.6f\n", bench_cpu() - since);
  fflush(stdout);
}

/** Prints what failed with libzmq's message and exits. */
static inline void bench_die(const char *what) {
  fprintf(stderr, "%s: %s\n", what, zmq_strerror(zmq_errno()));
  exit(1);
}

/** Binds and prints "ready ENDPOINT" with the endpoint libzmq resolved (tcp port, ipc path). */
static inline void bench_bind_ready(void *socket, const char *endpoint) {
  if (zmq_bind(socket, endpoint) != 0) bench_die("zmq_bind");
  char last[1024];
  size_t len = sizeof last;
  if (zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, last, &len) != 0) bench_die("ZMQ_LAST_ENDPOINT");
  printf("ready %s\n", last);
  fflush(stdout);
}

/** Parses the common arguments ENDPOINT COUNT [SIZE]; SIZE defaults to `size_default`. */
static inline void bench_args(int argc, char **argv, const char **endpoint, long *count,
                              size_t *size, size_t size_default) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s ENDPOINT COUNT [SIZE]\n", argv[0]);
    exit(2);
  }
  *endpoint = argv[1];
  *count = atol(argv[2]);
  *size = argc > 3 ? (size_t)atol(argv[3]) : size_default;
  if (*count < 2) {
    fprintf(stderr, "COUNT must be at least 2\n");
    exit(2);
  }
}

#endif
