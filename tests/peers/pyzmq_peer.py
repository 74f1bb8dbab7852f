"""An independent ZeroMQ peer for tests/interop_test.ts, written with pyzmq.

Run with Debian's interpreter (/usr/bin/python3), which has pyzmq. The test
drives it through stdin and stdout, one JSON object or word per line:

stdin, first line: the spec, a JSON object
    role       rep | req | pub | sub | push | pull | router | dealer
    bind       true: bind to `endpoint` and print {"endpoint": LAST_ENDPOINT}
               first; false: connect to `endpoint`
    endpoint   e.g. "tcp://127.0.0.1:*", "ipc:///tmp/x"
    messages   frames to send, each frame in hex (req, pub, push, dealer)
    count      how many messages to receive (rep, sub, pull, router)
    subscribe  prefixes in hex (sub)
    routingId  hex (dealer)
stdin, later lines: "subscribed" (pub: the subscriber saw a probe), then EOF
    (the test is done: close and exit).
stdout: {"endpoint": ...} when bound, {"ready": true} (sub: a probe arrived),
    then {"received": [[hex frames], ...]} or {"sent": n}; {"error": ...} on
    failure (and exit status 1).

Replies (rep, router) are deterministic: every frame reversed, then a trailer
frame TRAILER. Every wait is bounded (RCVTIMEO, SNDTIMEO, select timeouts) and
linger is 0, so the peer always exits by itself.
"""

import json
import os
import select
import sys
import time

import zmq

TIMEOUT_MS = 5000
TRAILER = "pyzmq ✓".encode()
TYPES = {
    "rep": zmq.REP,
    "req": zmq.REQ,
    "pub": zmq.PUB,
    "sub": zmq.SUB,
    "push": zmq.PUSH,
    "pull": zmq.PULL,
    "router": zmq.ROUTER,
    "dealer": zmq.DEALER,
}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def hexes(frames):
    return [f.hex() for f in frames]


def transform(frames):
    return [f[::-1] for f in frames] + [TRAILER]


class StdinLines:
    """Line reader over fd 0 with timeouts (no Python buffering surprises)."""

    def __init__(self):
        self.buf = b""
        self.eof = False

    def readline(self, timeout):
        """A line (without newline), "" at EOF, None on timeout."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf and not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([0], [], [], left)
            if not ready:
                return None
            chunk = os.read(0, 1 << 20)
            if chunk:
                self.buf += chunk
            else:
                self.eof = True
        if b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            return line.decode()
        line, self.buf = self.buf, b""
        return line.decode()


def run(sock, spec, stdin):
    role = spec["role"]
    messages = [[bytes.fromhex(f) for f in m] for m in spec.get("messages", [])]
    count = spec.get("count", 0)
    received = []

    if role == "rep":
        for _ in range(count):
            frames = sock.recv_multipart()
            received.append(hexes(frames))
            sock.send_multipart(transform(frames))
    elif role == "router":
        for _ in range(count):
            frames = sock.recv_multipart()
            received.append(hexes(frames))
            sock.send_multipart([frames[0]] + transform(frames[1:]))
    elif role == "req":
        for message in messages:
            sock.send_multipart(message)
            received.append(hexes(sock.recv_multipart()))
    elif role == "dealer":
        for message in messages:
            sock.send_multipart(message)
        for _ in messages:
            received.append(hexes(sock.recv_multipart()))
    elif role == "pull":
        for _ in range(count):
            received.append(hexes(sock.recv_multipart()))
    elif role == "push":
        for message in messages:
            sock.send_multipart(message)
        emit({"sent": len(messages)})
        return
    elif role == "sub":
        # Slow joiner: the publisher repeats a probe until we have seen one.
        while sock.recv_multipart()[0] != b"probe":
            pass
        emit({"ready": True})
        while len(received) < count:
            frames = sock.recv_multipart()
            if frames[0] != b"probe":
                received.append(hexes(frames))
    elif role == "pub":
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            sock.send_multipart([b"probe"])
            line = stdin.readline(0.01)
            if line == "subscribed":
                break
            if line is not None or time.monotonic() > deadline:
                raise RuntimeError(f"no subscriber (stdin: {line!r})")
        for message in messages:
            sock.send_multipart(message)
        emit({"sent": len(messages)})
        return
    else:
        raise ValueError(f"unknown role {role!r}")
    emit({"received": received})


def main():
    stdin = StdinLines()
    line = stdin.readline(TIMEOUT_MS / 1000)
    if not line:
        emit({"error": "no spec on stdin"})
        return 1
    spec = json.loads(line)
    context = zmq.Context()
    sock = context.socket(TYPES[spec["role"]])
    sock.linger = 0
    sock.rcvtimeo = TIMEOUT_MS
    sock.sndtimeo = TIMEOUT_MS
    status = 0
    try:
        if "routingId" in spec:
            sock.routing_id = bytes.fromhex(spec["routingId"])
        for prefix in spec.get("subscribe", []):
            sock.subscribe(bytes.fromhex(prefix))
        if spec["bind"]:
            sock.bind(spec["endpoint"])
            emit({"endpoint": sock.last_endpoint.decode()})
        else:
            sock.connect(spec["endpoint"])
        run(sock, spec, stdin)
        # Stay connected until the test has checked everything (stdin EOF):
        # with linger 0, closing earlier could drop messages still queued.
        while True:
            line = stdin.readline(TIMEOUT_MS / 1000)
            if line == "" or line is None:
                break
    except Exception as err:  # report every failure to the test
        emit({"error": f"{type(err).__name__}: {err}"})
        status = 1
    finally:
        sock.close(linger=0)
        context.term()
    return status


if __name__ == "__main__":
    sys.exit(main())
