// Every socket and context option of libzmq 4.3.4: set then get, or its documented effect.
import assert from "node:assert/strict";
import {
  Context,
  Dealer,
  Publisher,
  Pull,
  Push,
  Request,
  Router,
  type Socket,
  SocketType,
  Stream,
  Subscriber,
  XPublisher,
  XSubscriber,
  ZmqError,
} from "../mod.ts";
import {
  dealerOptions,
  publisherOptions,
  requestOptions,
  routerOptions,
  socketOptions,
  streamOptions,
  subscriberOptions,
  xPublisherOptions,
  xSubscriberOptions,
} from "../src/options.ts";
import { testEach } from "./helpers.ts";

// Test keys from the zmq_curve(7) manual page.
const CLIENT_PUBLIC = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const CLIENT_SECRET = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
const SERVER_PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

const bytes = (s: string) => new TextEncoder().encode(s);

/** A value to write for each writable option, and what reading it back gives. */
const samples: Record<string, { write: unknown; read?: unknown }> = {
  affinity: { write: 3 },
  routingId: { write: "node-1", read: bytes("node-1") },
  rate: { write: 200 },
  recoveryInterval: { write: 5000 },
  sendBufferSize: { write: 65536 },
  receiveBufferSize: { write: 32768 },
  linger: { write: 250 },
  reconnectInterval: { write: 200 },
  backlog: { write: 50 },
  reconnectMaxInterval: { write: 1000 },
  maxMessageSize: { write: 1048576 },
  sendHighWaterMark: { write: 500 },
  receiveHighWaterMark: { write: 600 },
  multicastHops: { write: 4 },
  receiveTimeout: { write: 1234 },
  sendTimeout: { write: 4321 },
  ipv4Only: { write: false },
  tcpKeepalive: { write: 1 },
  tcpKeepaliveCount: { write: 5 },
  tcpKeepaliveIdle: { write: 60 },
  tcpKeepaliveInterval: { write: 10 },
  tcpAcceptFilter: { write: "127.0.0.1" },
  immediate: { write: true },
  ipv6: { write: true },
  plainServer: { write: true },
  plainUsername: { write: "user" },
  plainPassword: { write: "secret" },
  curveServer: { write: true },
  curvePublicKey: { write: CLIENT_PUBLIC },
  curveSecretKey: { write: CLIENT_SECRET },
  curveServerKey: { write: SERVER_PUBLIC },
  conflate: { write: true },
  zapDomain: { write: "global" },
  typeOfService: { write: 0x28 },
  ipcFilterPid: { write: 1 },
  ipcFilterUid: { write: 0 },
  ipcFilterGid: { write: 0 },
  gssapiServer: { write: true },
  gssapiPrincipal: { write: "principal" },
  gssapiServicePrincipal: { write: "service" },
  gssapiPlainText: { write: true },
  handshakeInterval: { write: 5000 },
  socksProxy: { write: "127.0.0.1:1080" },
  heartbeatInterval: { write: 1000 },
  heartbeatTimeToLive: { write: 3000 },
  heartbeatTimeout: { write: 2000 },
  connectTimeout: { write: 500 },
  tcpMaxRetransmitTimeout: { write: 1000 },
  multicastMaxTransportDataUnitSize: { write: 1400 },
  vmciBufferSize: { write: 1000 },
  vmciBufferMinSize: { write: 100 },
  vmciBufferMaxSize: { write: 10000 },
  vmciConnectTimeout: { write: 100 },
  useFd: { write: -1 },
  gssapiPrincipalNameType: { write: 1 },
  gssapiServicePrincipalNameType: { write: 1 },
  bindToDevice: { write: "lo" },
  zapEnforceDomain: { write: true },
  loopbackFastPath: { write: true },
  metadata: { write: "X-App:test" },
  multicastLoop: { write: false },
  socksUsername: { write: "user" },
  socksPassword: { write: "pass" },
  inBatchSize: { write: 4096 },
  outBatchSize: { write: 4096 },
  wssKeyPem: { write: "pem" },
  wssCertPem: { write: "pem" },
  wssTrustPem: { write: "pem" },
  wssHostname: { write: "localhost" },
  wssTrustSystem: { write: true },
  reconnectStop: { write: 1 },
  helloMessage: { write: "hello", read: "hello" },
  disconnectMessage: { write: "bye", read: "bye" },
  priority: { write: 2 },
  // Type-specific options.
  routerMandatory: { write: true },
  routerRaw: { write: false },
  probeRouter: { write: true },
  routerHandover: { write: true },
  connectRoutingId: { write: "peer-1", read: "peer-1" },
  routerNotify: { write: 3 },
  correlate: { write: true },
  relaxed: { write: true },
  noDrop: { write: true },
  invertMatching: { write: true },
  verbose: { write: true },
  manual: { write: true },
  welcomeMessage: { write: "welcome", read: "welcome" },
  verboser: { write: true },
  manualLastValue: { write: true },
  onlyFirstSubscribe: { write: true },
  streamNotify: { write: false },
};

/** Options this libzmq build does not have, and the error code setting them gives. */
function unavailable(name: string, context: Context): string | undefined {
  if (name.startsWith("vmci")) return "EINVAL"; // needs the VMCI transport (in no build here)
  if (name.startsWith("curve") && !context.has("curve")) return "EINVAL";
  if (name.startsWith("gssapi") && !context.has("gssapi")) return "EINVAL";
  // WebSocket TLS options need the draft API (else ENOTSUP, below) and the wss transport.
  if (name.startsWith("wss") && context.has("draft") && !context.has("wss")) {
    return "EINVAL";
  }
  return undefined;
}

/**
 * Draft options: libzmq 4.3.4 compiles some of them in even without the draft
 * API; the others must fail with ENOTSUP and say that they need it.
 */
function trySetDraft(
  record: Record<string, unknown>,
  name: string,
  value: unknown,
  context: Context,
): boolean {
  if (context.has("draft")) {
    record[name] = value;
    return true;
  }
  try {
    record[name] = value;
    return true;
  } catch (err) {
    assert.ok(err instanceof ZmqError);
    assert.equal(err.code, "ENOTSUP");
    assert.match(err.message, /draft API/);
    return false;
  }
}

const tables: [
  string,
  (context: Context) => Socket,
  Record<string, { access: string; draft?: boolean }>,
][] = [
  ["Socket", (context: Context) => new Dealer({ context }), socketOptions],
  ["Router", (context: Context) => new Router({ context }), routerOptions],
  ["Dealer", (context: Context) => new Dealer({ context }), dealerOptions],
  ["Request", (context: Context) => new Request({ context }), requestOptions],
  [
    "Publisher",
    (context: Context) => new Publisher({ context }),
    publisherOptions,
  ],
  [
    "Subscriber",
    (context: Context) => new Subscriber({ context }),
    subscriberOptions,
  ],
  [
    "XPublisher",
    (context: Context) => new XPublisher({ context }),
    xPublisherOptions,
  ],
  [
    "XSubscriber",
    (context: Context) => new XSubscriber({ context }),
    xSubscriberOptions,
  ],
  ["Stream", (context: Context) => new Stream({ context }), streamOptions],
];

Deno.test("every option in the tables has a test sample", () => {
  for (const [, , table] of tables) {
    for (const [name, spec] of Object.entries(table)) {
      if (spec.access !== "r") {
        assert.ok(name in samples, `no sample for option "${name}"`);
      }
    }
  }
});

for (const [label, create, table] of tables) {
  testEach(`${label} options: set then get`, (context) => {
    for (const [name, spec] of Object.entries(table)) {
      if (spec.access === "r") continue;
      using socket = create(context);
      const sample = samples[name];
      const record = socket as unknown as Record<string, unknown>;
      const expectedError = unavailable(name, context);
      if (expectedError) {
        assert.throws(() => record[name] = sample.write, (err: unknown) => {
          assert.ok(err instanceof ZmqError, `${name}: ${err}`);
          assert.equal(err.code, expectedError, `${name}: ${err.message}`);
          assert.equal(err.option, name);
          return true;
        });
        continue;
      }
      if (spec.draft) {
        if (!trySetDraft(record, name, sample.write, context)) continue;
      } else {
        record[name] = sample.write;
      }
      const read = record[name];
      assert.deepEqual(read, sample.read ?? sample.write, `option "${name}"`);
      // The constructor accepts every writable option too.
      const viaConstructor =
        new (socket.constructor as new (o: object) => Socket)({
          context,
          [name]: sample.write,
        });
      assert.deepEqual(
        (viaConstructor as unknown as Record<string, unknown>)[name],
        sample.read ?? sample.write,
      );
      viaConstructor.close();
    }
  });
}

testEach("read-only options report the socket's state", async (context) => {
  using pull = new Pull({ context });
  assert.equal(pull.type, SocketType.Pull);
  assert.equal(pull.receiveMore, false);
  assert.equal(pull.threadSafe, false);
  assert.equal(pull.mechanism, "null");
  assert.equal(pull.lastEndpoint, "");
  assert.equal(typeof pull.fd, "number");
  assert.ok(pull.fd >= 0);
  await pull.bind("inproc://read-only-options");
  assert.equal(pull.lastEndpoint, "inproc://read-only-options");
  assert.equal(pull.readable, false);
  using push = new Push({ context });
  push.connect("inproc://read-only-options");
  assert.equal(push.writable, true);
  await push.send("x");
  assert.equal(pull.readable, true);
  pull.plainServer = true;
  assert.equal(pull.mechanism, "plain");
  if (context.has("curve")) {
    pull.curveServer = true;
    assert.equal(pull.mechanism, "curve");
  }
});

testEach(
  "option defaults match libzmq's, with linger 0 from the context",
  (context) => {
    using push = new Push({ context });
    assert.equal(push.linger, 0); // ZMQ_BLOCKY is off in our contexts
    assert.equal(push.sendHighWaterMark, 1000);
    assert.equal(push.receiveHighWaterMark, 1000);
    assert.equal(push.sendTimeout, -1);
    assert.equal(push.receiveTimeout, -1);
    assert.equal(push.immediate, false);
    assert.equal(push.ipv6, false);
    assert.equal(push.maxMessageSize, -1);
    assert.equal(push.routingId.byteLength, 0);
    assert.equal(push.conflate, undefined); // write-only, never written
  },
);

testEach(
  "binary options accept bytes and strings; keys accept raw bytes",
  (context) => {
    using router = new Router({ context });
    router.routingId = new Uint8Array([0, 1, 2, 255]);
    assert.deepEqual([...router.routingId], [0, 1, 2, 255]);
    if (context.has("curve")) {
      const raw = new Uint8Array(32).fill(7);
      router.curvePublicKey = raw as unknown as string;
      assert.equal(router.curvePublicKey.length, 40); // read back as Z85
    }
  },
);

testEach("64-bit options take numbers and bigints", (context) => {
  using pull = new Pull({ context });
  pull.maxMessageSize = 2n ** 40n as unknown as number;
  assert.equal(pull.maxMessageSize, 2 ** 40);
  pull.affinity = 0b1010;
  assert.equal(pull.affinity, 10);
});

testEach("context options: set then get", async () => {
  await using context = new Context({
    ioThreads: 2,
    maxSockets: 64,
    ipv6: true,
    blocky: false,
  });
  assert.equal(context.ioThreads, 2);
  assert.equal(context.maxSockets, 64);
  assert.equal(context.ipv6, true);
  assert.equal(context.blocky, false);
  context.maxMessageSize = 1 << 20;
  assert.equal(context.maxMessageSize, 1 << 20);
  assert.equal(context.socketLimit > 0, true);
  assert.equal(context.messageStructSize, 64);
  context.threadNamePrefix = 7;
  assert.equal(context.threadNamePrefix, 7);
  context.threadAffinityCpuAdd = 0;
  context.threadAffinityCpuRemove = 0;
  context.threadSchedulingPolicy = 0; // SCHED_OTHER
  context.threadPriority = 0;
  assert.equal(context.threadPriority, 0);
});

testEach(
  "maxSockets limits how many sockets a context opens",
  async (_, backend) => {
    await using context = new Context({ backend, maxSockets: 2 });
    using _a = new Push({ context }), _b = new Push({ context });
    assert.throws(() => new Push({ context }), {
      name: "ZmqError",
      code: "EMFILE",
    });
  },
);

Deno.test("a context's maxMessageSize is its sockets' default (libzmq 4.3.4 only stores it)", async () => {
  await using context = new Context({ backend: "ffi", maxMessageSize: 1024 });
  using pull = new Pull({ context }), push = new Push({ context });
  using own = new Pull({ context, maxMessageSize: -1 });
  assert.equal(pull.maxMessageSize, 1024);
  assert.equal(own.maxMessageSize, -1); // a socket's own option wins
  await pull.bind("tcp://127.0.0.1:*");
  push.connect(pull.lastEndpoint);
  await push.send(new Uint8Array(4096)); // over the limit: the peer is dropped
  await push.send(new Uint8Array(512)); // lost with the connection, or delivered after a reconnect
  pull.receiveTimeout = 300;
  const got = await pull.receive().catch((err) => err);
  if (Array.isArray(got)) assert.equal(got[0].length, 512);
  else assert.equal(got.code, "EAGAIN");
});
