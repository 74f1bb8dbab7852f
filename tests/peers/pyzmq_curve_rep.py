"""A pyzmq REP server for tests/wasm_net_test.ts.

Run with /usr/bin/python3 (Debian's python3-zmq):
    pyzmq_curve_rep.py [ENDPOINT] [--plain]
Binds REP (a CURVE server unless --plain) on ENDPOINT (default
tcp://127.0.0.1:*, OS-chosen port), prints one JSON line
{"endpoint": ..., "publicKey": ...}, then answers each request with its
frames reversed (byte order) followed by the frame b"pyzmq", until stdin
closes. Every wait is bounded, linger is 0.
"""

import json
import select
import sys

import zmq

args = [a for a in sys.argv[1:] if a != "--plain"]
ctx = zmq.Context()
public, secret = zmq.curve_keypair()
rep = ctx.socket(zmq.REP)
rep.linger = 0
if "--plain" not in sys.argv:
    rep.curve_server = True
    rep.curve_secretkey = secret
rep.bind(args[0] if args else "tcp://127.0.0.1:*")
print(json.dumps({"endpoint": rep.last_endpoint.decode(),
                  "publicKey": public.decode()}), flush=True)
poller = zmq.Poller()
poller.register(rep, zmq.POLLIN)
while True:
    if select.select([sys.stdin], [], [], 0)[0] and not sys.stdin.readline():
        break
    if dict(poller.poll(100)).get(rep):
        frames = rep.recv_multipart()
        rep.send_multipart([f[::-1] for f in frames] + [b"pyzmq"])
rep.close()
ctx.term()
