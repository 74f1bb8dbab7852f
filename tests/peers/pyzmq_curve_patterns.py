"""A pyzmq CURVE server of every pattern, for tests/wasm_net_test.ts.

Run with /usr/bin/python3 (Debian's python3-zmq):
    pyzmq_curve_patterns.py [PUSH_TO CLIENT_SERVER_KEY]
Binds, each a CURVE server on an OS-chosen tcp port of 127.0.0.1: REP,
ROUTER and PAIR (each answers a message with its frames reversed, byte
order, then the frame b"pyzmq"), PULL (forwards the same answer on the PUSH
socket), and XPUB (on a subscription to T, publishes [T, b"1"], [T, b"2"],
[T, b"3"]). Prints one JSON line {"publicKey": ..., "endpoints": {rep,
router, pair, pull, push, xpub}}. With PUSH_TO, it also connects a PUSH
there as a CURVE client of CLIENT_SERVER_KEY and sends [b"pyzmq", b"0"] ..
[b"pyzmq", b"2"] (the other side binds). Serves until stdin closes; every
wait is bounded, linger is 0. tests/fixtures/curve_patterns_native.ts is
the same peer on native libzmq through deno-zmq's FFI backend.
"""

import json
import select
import sys

import zmq

NAME = b"pyzmq"
ctx = zmq.Context()
public, secret = zmq.curve_keypair()


def server(kind):
    s = ctx.socket(kind)
    s.linger = 0
    s.curve_server = True
    s.curve_secretkey = secret
    s.bind("tcp://127.0.0.1:*")
    return s


def answer(frames):
    return [f[::-1] for f in frames] + [NAME]


sockets = {name: server(kind) for name, kind in [
    ("rep", zmq.REP), ("router", zmq.ROUTER), ("pair", zmq.PAIR),
    ("pull", zmq.PULL), ("push", zmq.PUSH), ("xpub", zmq.XPUB)]}
if len(sys.argv) == 3:
    out = ctx.socket(zmq.PUSH)
    out.linger = 0
    client_public, client_secret = zmq.curve_keypair()
    out.curve_serverkey = sys.argv[2].encode()
    out.curve_publickey = client_public
    out.curve_secretkey = client_secret
    out.connect(sys.argv[1])
    for i in range(3):
        out.send_multipart([NAME, str(i).encode()])
print(json.dumps({
    "publicKey": public.decode(),
    "endpoints": {n: s.last_endpoint.decode() for n, s in sockets.items()},
}), flush=True)

poller = zmq.Poller()
for name in ("rep", "router", "pair", "pull", "xpub"):
    poller.register(sockets[name], zmq.POLLIN)
while True:
    if select.select([sys.stdin], [], [], 0)[0] and not sys.stdin.readline():
        break
    for s, _ in poller.poll(100):
        frames = s.recv_multipart()
        if s is sockets["router"]:
            s.send_multipart([frames[0]] + answer(frames[1:]))
        elif s is sockets["pull"]:
            sockets["push"].send_multipart(answer(frames))
        elif s is sockets["xpub"]:
            if frames[0][:1] == b"\x01":
                topic = frames[0][1:]
                for i in (b"1", b"2", b"3"):
                    s.send_multipart([topic, i])
        else:
            s.send_multipart(answer(frames))
ctx.destroy(linger=0)
