// Bad input: every misuse gets a clear ZmqError or TypeError, never a crash or a hang.
import assert from "node:assert/strict";
import {
  Context,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  ZmqError,
} from "../mod.ts";
import { endpoint, testEach } from "./helpers.ts";

function isZmqError(code: string, pattern?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ZmqError, `expected a ZmqError, got ${err}`);
    assert.equal(err.code, code, err.message);
    assert.equal(typeof err.errno, "number");
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

testEach(
  "malformed endpoints are rejected with EINVAL and name the endpoint",
  async (context) => {
    using pull = new Pull({ context });
    for (
      const bad of [
        "",
        "tcp://",
        "tcp://127.0.0.1",
        "tcp://127.0.0.1:notaport",
        "no-scheme",
      ]
    ) {
      await assert.rejects(pull.bind(bad), (err: unknown) => {
        assert.ok(err instanceof ZmqError);
        assert.equal(err.endpoint, bad);
        assert.match(err.code, /^(EINVAL|EPROTONOSUPPORT)$/);
        return true;
      });
    }
    assert.throws(
      () => pull.connect("tcp://127.0.0.1:-1"),
      isZmqError("EINVAL"),
    );
    assert.throws(() => pull.connect("tcp://bad host:1"), isZmqError("EINVAL"));
    assert.throws(() => pull.connect("ipc://"), isZmqError("EINVAL"));
    // Binding to an interface that does not exist.
    await assert.rejects(
      pull.bind("tcp://no-such-interface:5555"),
      isZmqError("ENODEV"),
    );
    await assert.rejects(
      pull.bind("tcp://256.1.1.1:5555"),
      isZmqError("ENODEV"),
    );
  },
);

testEach(
  "unsupported transports fail with EPROTONOSUPPORT",
  async (context, backend) => {
    using pull = new Pull({ context });
    await assert.rejects(
      pull.bind("carrier-pigeon://home"),
      isZmqError("EPROTONOSUPPORT"),
    );
    // libzmq has udp, for RADIO/DISH only; the WASM build has no udp at all.
    assert.throws(
      () => pull.connect("udp://127.0.0.1:5555"),
      isZmqError(backend === "wasm" ? "EPROTONOSUPPORT" : "ENOCOMPATPROTO"),
    );
  },
);

testEach("binding an address in use fails with EADDRINUSE", async (context) => {
  using a = new Pull({ context }), b = new Pull({ context });
  await a.bind("tcp://127.0.0.1:*");
  await assert.rejects(b.bind(a.lastEndpoint), (err: unknown) => {
    isZmqError("EADDRINUSE")(err);
    assert.equal((err as ZmqError).endpoint, a.lastEndpoint);
    assert.match((err as ZmqError).message, /in use/);
    return true;
  });
  await b.bind(endpoint("inproc"));
  await assert.rejects(a.bind(b.lastEndpoint), isZmqError("EADDRINUSE"));
});

testEach(
  "unbinding or disconnecting what was never bound fails with ENOENT",
  async (context) => {
    using pull = new Pull({ context });
    await assert.rejects(
      pull.unbind("tcp://127.0.0.1:1"),
      isZmqError("ENOENT"),
    );
    assert.throws(
      () => pull.disconnect("tcp://127.0.0.1:1"),
      isZmqError("ENOENT"),
    );
  },
);

testEach("endpoints must be strings", async (context) => {
  using pull = new Pull({ context });
  await assert.rejects(pull.bind(42 as unknown as string), TypeError);
  assert.throws(() => pull.connect(undefined as unknown as string), TypeError);
});

testEach("unknown and read-only options are refused", (context) => {
  assert.throws(
    () => new Push({ context, nonsense: 1 } as never),
    { name: "TypeError", message: /Unknown option "nonsense"/ },
  );
  assert.throws(() => new Push({ context, lastEndpoint: "x" } as never), {
    name: "TypeError",
    message: /read-only/,
  });
  using push = new Push({ context });
  assert.throws(() => {
    (push as unknown as Record<string, unknown>).lastEndpoint = "x";
  }, TypeError);
  assert.throws(() => {
    (push as unknown as Record<string, unknown>).type = 3;
  }, TypeError);
  // Options of other socket types are not options here.
  assert.throws(
    () => new Push({ context, routerMandatory: true } as never),
    /Unknown option/,
  );
  assert.throws(
    () => new Context({ nonsense: 1 } as never),
    /Unknown context option/,
  );
  assert.throws(() => new Context({ socketLimit: 1 } as never), /read-only/);
});

testEach("option values of the wrong type throw TypeError", (context) => {
  using push = new Push({ context });
  const record = push as unknown as Record<string, unknown>;
  const cases: [string, unknown][] = [
    ["linger", "10"],
    ["linger", 1.5],
    ["linger", null],
    ["immediate", 1],
    ["routingId", 42],
    ["maxMessageSize", "big"],
    ["zapDomain", new Uint8Array(1)],
  ];
  for (const [name, value] of cases) {
    assert.throws(() => record[name] = value, {
      name: "TypeError",
      message: new RegExp(`Option "${name}" expects`),
    });
  }
  assert.throws(() => new Context({ ioThreads: "2" } as never), TypeError);
});

testEach(
  "out-of-range option values fail with EINVAL naming the option",
  (context) => {
    using push = new Push({ context });
    assert.throws(() => push.linger = 2 ** 40, isZmqError("EINVAL"));
    assert.throws(() => push.sendHighWaterMark = -5, (err: unknown) => {
      isZmqError("EINVAL")(err);
      assert.equal((err as ZmqError).option, "sendHighWaterMark");
      return true;
    });
    assert.throws(
      () => push.curvePublicKey = "too short",
      isZmqError("EINVAL"),
    );
    assert.throws(
      () => push.routingId = new Uint8Array(300),
      isZmqError("EINVAL"),
    );
  },
);

testEach("sending invalid frames throws TypeError", async (context) => {
  using push = new Push({ context });
  await assert.rejects(push.send(42 as never), {
    name: "TypeError",
    message: /Cannot send number/,
  });
  await assert.rejects(push.send(undefined as never), TypeError);
  await assert.rejects(push.send([{}] as never), TypeError);
  await assert.rejects(push.send([]), {
    name: "TypeError",
    message: /no frames/,
  });
});

testEach(
  "a closed socket refuses every operation; closing twice is a no-op",
  async (context) => {
    const pair = new Pair({ context });
    await pair.bind(endpoint("inproc"));
    pair.close();
    pair.close();
    assert.equal(pair.closed, true);
    await assert.rejects(pair.send("x"), isZmqError("ENOTSOCK", /closed/));
    await assert.rejects(pair.receive(), isZmqError("ENOTSOCK"));
    await assert.rejects(pair.bind(endpoint("inproc")), isZmqError("ENOTSOCK"));
    assert.throws(() => pair.connect("inproc://x"), isZmqError("ENOTSOCK"));
    assert.throws(() => pair.linger, isZmqError("ENOTSOCK"));
    assert.throws(() => pair.linger = 5, isZmqError("ENOTSOCK"));
    assert.throws(() => pair.readable, isZmqError("ENOTSOCK"));
    // Iterating a closed socket ends at once.
    for await (const _ of pair) assert.fail("a closed socket yields nothing");
  },
);

testEach(
  "a closed context refuses new sockets and closes twice harmlessly",
  async () => {
    const context = new Context();
    const pull = new Pull({ context });
    await context.close();
    await context.close();
    assert.equal(pull.closed, true);
    assert.throws(() => new Pull({ context }), isZmqError("ETERM"));
    assert.throws(() => context.ioThreads = 2, isZmqError("ETERM"));
  },
);

testEach(
  "REQ sending twice fails with EFSM; REP must receive first",
  async (context) => {
    using req = new Request({ context }), rep = new Reply({ context });
    const address = endpoint("inproc");
    await rep.bind(address);
    req.connect(address);
    await req.send("one");
    await assert.rejects(req.send("two"), isZmqError("EFSM"));
    await assert.rejects(rep.send("reply before request"), isZmqError("EFSM"));
    assert.equal((await rep.receive()).length, 1);
    await rep.send("ok");
    await req.receive();
  },
);

testEach("methods libzmq does not allow for a type do not exist", (context) => {
  using push = new Push({ context });
  using pull = new Pull({ context });
  using sub = new Subscriber({ context });
  using pub = new Publisher({ context });
  assert.equal((push as unknown as { receive?: unknown }).receive, undefined);
  assert.equal((pull as unknown as { send?: unknown }).send, undefined);
  assert.equal((sub as unknown as { send?: unknown }).send, undefined);
  assert.equal((pub as unknown as { receive?: unknown }).receive, undefined);
  assert.equal(Symbol.asyncIterator in push, false);
  assert.equal(
    typeof (sub as unknown as { subscribe?: unknown }).subscribe,
    "function",
  );
  assert.equal(
    (pull as unknown as { subscribe?: unknown }).subscribe,
    undefined,
  );
});

testEach(
  "ROUTER with routerMandatory refuses unknown peers",
  async (context) => {
    using router = new Router({ context, routerMandatory: true });
    await router.bind(endpoint("inproc"));
    await assert.rejects(
      router.send(["nobody", "hello"]),
      isZmqError("EHOSTUNREACH"),
    );
  },
);

testEach("bad backend and context arguments are refused clearly", () => {
  assert.throws(() => new Context({ backend: "gpu" as never }), {
    name: "TypeError",
    message: /Unknown backend "gpu"/,
  });
  assert.throws(() => new Push({ context: {} as never }), /must be a Context/);
  assert.throws(() => new Push(42 as never), /must be an object/);
});
