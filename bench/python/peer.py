"""pyzmq side of the benchmark: the same roles and protocol as bench/js/roles.js.

    /usr/bin/python3 bench/python/peer.py ROLE ENDPOINT COUNT SIZE

A binding side prints "ready ENDPOINT"; the measuring side prints "result VALUE" last;
every side prints "cpu SECONDS" (process CPU time, all threads, over the measured interval).
Plain blocking pyzmq calls, as a pyzmq user would write these loops.
"""

import os
import sys
import time

import zmq


def cpu_since(start):
    print("cpu", round(time.process_time() - start, 6), flush=True)


def rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def ready(socket):
    print("ready", socket.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)


def thr_pull(ctx, endpoint, count, size):
    pull = ctx.socket(zmq.PULL)
    pull.bind(endpoint)
    ready(pull)
    pull.recv()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(count - 1):
        pull.recv()
    elapsed = time.perf_counter() - start
    cpu_since(cpu)
    print("result", round((count - 1) / elapsed), flush=True)
    pull.close()


def thr_push(ctx, endpoint, count, size):
    push = ctx.socket(zmq.PUSH)
    push.linger = -1
    push.connect(endpoint)
    frame = bytes(size)
    cpu = time.process_time()
    for _ in range(count):
        push.send(frame)
    sys.stdin.buffer.read()  # stay connected until the receiver is done (stdin closed)
    cpu_since(cpu)
    push.close()


def lat_rep(ctx, endpoint, count, size):
    rep = ctx.socket(zmq.REP)
    rep.bind(endpoint)
    ready(rep)
    cpu = time.process_time()
    for _ in range(count):
        rep.send(rep.recv())
    cpu_since(cpu)
    rep.close()


def lat_req(ctx, endpoint, count, size):
    req = ctx.socket(zmq.REQ)
    req.connect(endpoint)
    frame = bytes(size)
    req.send(frame)
    req.recv()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(count - 1):
        req.send(frame)
        req.recv()
    elapsed = time.perf_counter() - start
    cpu_since(cpu)
    print("result", round(elapsed / (count - 1) * 1e6, 3), flush=True)
    req.close()


def mem_sockets(ctx, endpoint, count, size):
    first = ctx.socket(zmq.PULL)  # starts the context's threads
    before = rss_bytes()
    cpu = time.process_time()
    sockets = [ctx.socket(zmq.PULL) for _ in range(count)]
    after = rss_bytes()
    cpu_since(cpu)
    grown = after - before
    print("result", round(grown / 2**20 * 1000 / count, 3),
          f"perSocketKB={grown / 1024 / count:.2f}", flush=True)
    for socket in sockets + [first]:
        socket.close()


ROLES = {
    "thr_pull": thr_pull,
    "thr_push": thr_push,
    "lat_rep": lat_rep,
    "lat_req": lat_req,
    "mem_sockets": mem_sockets,
}


def main(argv):
    role, endpoint, count, size = argv[0], argv[1], int(argv[2]), int(argv[3])
    if role not in ROLES:
        sys.exit(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    ctx = zmq.Context()
    ROLES[role](ctx, endpoint, count, size)
    ctx.term()


if __name__ == "__main__":
    main(sys.argv[1:])
