// The mixed soak, run by hand (not part of `deno test`; CPU for its whole
// duration, so not beside other measurements):
//
//   deno run -A tests/soak_mixed.ts [--minutes 30] [--rate 4000]
//                                   [--svg docs/soak.svg] [--json FILE]
//
// All at once, for the whole run, on one FFI context:
// - stream: PUSH -> PULL over tcp at `rate`/2 messages/s, order checked;
// - pubsub: PUB -> SUB over inproc at `rate`/2 messages/s, order checked;
// - wasm: PUSH on a WASM context -> PULL on the FFI one over tcp (libzmq's
//   engine in WebAssembly on the host's sockets) at `rate`/4, order checked;
// - pirate: a Lazy Pirate REQ client against a REP peer process that is
//   SIGKILLed and restarted every 20 s;
// - broker: a DEALER client, a ROUTER/DEALER Proxy, and REP workers in
//   Workers sharing the context: a new Worker every 10 s, the oldest one
//   terminated with its receive pending; the client reconnects every 15 s
//   and resends what was not answered within 500 ms.
// Every second: RSS, JS heap, open fds, messages delivered. At the end:
// nothing lost (stream: every message; pirate and broker: every request
// answered), and the slope of RSS after warm-up; the samples as JSON and an
// SVG chart (bench/soak_svg.ts).
import {
  Context,
  Dealer,
  Proxy,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  ZmqError,
} from "../mod.ts";
import { renderSoakSvg, slope, type SoakSample } from "../bench/soak_svg.ts";
import { openFds } from "./helpers.ts";

const here = new URL(import.meta.url);
const decoder = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (here.searchParams.get("worker") !== null) {
  // A broker worker: REP on the proxy's backend, in the shared context.
  self.onmessage = async ({ data }) => {
    const context = Context.fromAddress(data.address);
    const rep = new Reply({ context });
    rep.connect(data.backend);
    for await (const [request] of rep) await rep.send(request);
  };
} else {
  await main();
}

function option(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : fallback;
}

async function main() {
  const minutes = Number(option("minutes", "30"));
  const rate = Number(option("rate", "4000"));
  const svgPath = option("svg", "");
  const jsonPath = option("json", "");
  const stopAt = performance.now() + minutes * 60_000;
  const running = () => performance.now() < stopAt;
  await using context = new Context({ backend: "ffi" });
  let delivered = 0;
  const problems: string[] = [];

  // ---- stream ---------------------------------------------------------------
  const pull = new Pull({ context }), push = new Push({ context });
  await pull.bind("tcp://127.0.0.1:*");
  push.connect(pull.lastEndpoint);
  let streamSent = 0, streamReceived = 0;
  const streamIn = (async () => {
    try {
      for await (const [frame] of pull) {
        const seq = Number(decoder.decode(frame));
        if (seq !== streamReceived) {
          problems.push(`stream: got ${seq}, expected ${streamReceived}`);
        }
        streamReceived = seq + 1;
        delivered++;
      }
    } catch (err) {
      if (!(err instanceof ZmqError)) throw err;
    }
  })();

  // ---- pubsub ---------------------------------------------------------------
  const pub = new Publisher({ context }), sub = new Subscriber({ context });
  await pub.bind("inproc://soak-pubsub");
  sub.subscribe("");
  sub.connect("inproc://soak-pubsub");
  let published = 0, subReceived = 0, lastPublished = -1;
  const subIn = (async () => {
    try {
      for await (const [frame] of sub) {
        const seq = Number(decoder.decode(frame));
        if (seq <= lastPublished) {
          problems.push(`pubsub: ${seq} after ${lastPublished}`);
        }
        lastPublished = seq;
        subReceived++;
        delivered++;
      }
    } catch (err) {
      if (!(err instanceof ZmqError)) throw err;
    }
  })();

  // ---- wasm -----------------------------------------------------------------
  await using wasmContext = await Context.create({ backend: "wasm" });
  const wasmPull = new Pull({ context }),
    wasmPush = new Push({
      context: wasmContext,
    });
  await wasmPull.bind("tcp://127.0.0.1:*");
  wasmPush.connect(wasmPull.lastEndpoint);
  let wasmSent = 0, wasmReceived = 0;
  const wasmIn = (async () => {
    try {
      for await (const [frame] of wasmPull) {
        const seq = Number(decoder.decode(frame));
        if (seq !== wasmReceived) {
          problems.push(`wasm: got ${seq}, expected ${wasmReceived}`);
        }
        wasmReceived = seq + 1;
        delivered++;
      }
    } catch (err) {
      if (!(err instanceof ZmqError)) throw err;
    }
  })();

  const ticker = setInterval(() => {
    if (!running()) return;
    const n = Math.max(1, Math.round(rate / 2 / 100));
    for (let i = 0; i < n; i++) {
      push.send(String(streamSent++)).catch((e) =>
        problems.push(`stream send: ${e}`)
      );
      pub.send(String(published++)).catch(() => {});
      if (i % 2 === 0) {
        wasmPush.send(String(wasmSent++)).catch((e) =>
          problems.push(`wasm send: ${e}`)
        );
      }
    }
  }, 10);

  // ---- pirate ---------------------------------------------------------------
  const peerFixture =
    new URL("./fixtures/rel_peer.ts", import.meta.url).pathname;
  let peerEndpoint = "tcp://127.0.0.1:*";
  let kills = 0;
  const startPeer = async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-ffi", peerFixture, "rep", peerEndpoint],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let line = "";
    while (!line.includes("\n")) line += (await reader.read()).value ?? "";
    peerEndpoint = line.trim();
    reader.releaseLock();
    void child.stdout.cancel().catch(() => {});
    return child;
  };
  let peer = await startPeer();
  let pirateRequests = 0, pirateRetries = 0;
  const pirate = (async () => {
    const client = () => {
      const req = new Request({ context, receiveTimeout: 300, linger: 0 });
      req.connect(peerEndpoint);
      return req;
    };
    let req = client();
    while (running()) {
      const body = String(pirateRequests);
      for (;;) {
        try {
          await req.send(body);
          const [reply] = await req.receive();
          if (!decoder.decode(reply).startsWith(`${body}:`)) {
            problems.push(`pirate: wrong reply to ${body}`);
          }
          break;
        } catch (err) {
          if (!(err instanceof ZmqError)) throw err;
          req.close();
          req = client();
          pirateRetries++;
        }
      }
      pirateRequests++;
      delivered++;
      await sleep(1);
    }
    req.close();
  })();
  const killer = setInterval(async () => {
    if (!running()) return;
    peer.kill("SIGKILL");
    await peer.status;
    kills++;
    peer = await startPeer();
  }, 20_000);

  // ---- broker ---------------------------------------------------------------
  const frontend = new Router({ context }), backend = new Dealer({ context });
  await frontend.bind("tcp://127.0.0.1:*");
  await backend.bind("inproc://soak-workers");
  const frontendEndpoint = frontend.lastEndpoint; // the proxy owns it from now on
  const proxy = new Proxy(frontend, backend);
  const proxied = proxy.run();
  const workers: Worker[] = [];
  let terminated = 0;
  const addWorker = () => {
    const url = new URL(import.meta.url);
    url.searchParams.set("worker", "");
    const worker = new Worker(url, { type: "module" });
    worker.postMessage({
      address: context.address,
      backend: "inproc://soak-workers",
    });
    workers.push(worker);
  };
  addWorker();
  const churn = setInterval(() => {
    if (!running()) return;
    addWorker();
    if (workers.length > 2) {
      workers.shift()!.terminate(); // with its receive pending
      terminated++;
    }
  }, 10_000);
  let brokerAnswered = 0, brokerResent = 0, reconnects = 0;
  const broker = (async () => {
    const endpoint = frontendEndpoint;
    const client = new Dealer({ context, linger: 0 });
    client.connect(endpoint);
    const pending = new Map<number, number>(); // id -> sent at
    let next = 0, lastReconnect = performance.now();
    const answers = (async () => {
      try {
        for await (const [, reply] of client) {
          const id = Number(decoder.decode(reply));
          if (pending.delete(id)) {
            brokerAnswered++;
            delivered++;
          }
        }
      } catch (err) {
        if (!(err instanceof ZmqError)) throw err;
      }
    })();
    while (running() || pending.size > 0) {
      const now = performance.now();
      if (running() && pending.size < 20) {
        pending.set(next, now);
        await client.send(["", String(next++)]);
      }
      for (const [id, at] of pending) {
        if (now - at > 500) {
          pending.set(id, now);
          brokerResent++;
          await client.send(["", String(id)]);
        }
      }
      if (now - lastReconnect > 15_000) {
        client.disconnect(endpoint);
        client.connect(endpoint);
        lastReconnect = now;
        reconnects++;
      }
      if (!running() && now > stopAt + 30_000) {
        problems.push(`broker: ${pending.size} requests never answered`);
        break;
      }
      await sleep(2);
    }
    client.close();
    await answers;
  })();

  // ---- sampling -------------------------------------------------------------
  const samples: SoakSample[] = [];
  const start = performance.now();
  let lastDelivered = 0;
  const sampler = setInterval(() => {
    const memory = Deno.memoryUsage();
    samples.push({
      t: (performance.now() - start) / 1000,
      rss: memory.rss,
      heap: memory.heapUsed,
      fds: openFds(),
      rate: delivered - lastDelivered,
    });
    lastDelivered = delivered;
    const s = samples.at(-1)!;
    if (samples.length % 60 === 0) {
      console.error(
        `${(s.t / 60).toFixed(0)} min: rss ${
          (s.rss / 2 ** 20).toFixed(1)
        } MiB, heap ${
          (s.heap / 2 ** 20).toFixed(1)
        } MiB, fds ${s.fds}, ${s.rate} msg/s`,
      );
    }
  }, 1000);

  await sleep(stopAt - performance.now());
  clearInterval(ticker);
  clearInterval(killer);
  clearInterval(churn);
  await pirate;
  await broker;
  for (
    let i = 0;
    i < 100 && (streamReceived < streamSent || wasmReceived < wasmSent);
    i++
  ) {
    await sleep(100);
  }
  clearInterval(sampler);
  if (streamReceived !== streamSent) {
    problems.push(`stream: ${streamReceived} of ${streamSent} received`);
  }
  if (wasmReceived !== wasmSent) {
    problems.push(`wasm: ${wasmReceived} of ${wasmSent} received`);
  }
  for (const worker of workers) worker.terminate();
  peer.kill("SIGKILL");
  await peer.status;
  await proxy.terminate();
  await proxied;
  for (
    const socket of [
      pull,
      push,
      pub,
      sub,
      frontend,
      backend,
      wasmPull,
      wasmPush,
    ]
  ) {
    socket.close();
  }
  await Promise.all([streamIn, subIn, wasmIn]);

  const warmUp = Math.max(60, (minutes * 60) / 10);
  const after = samples.filter((s) => s.t >= warmUp);
  const rssSlope = slope(
    after.map((s) => s.t / 60),
    after.map((s) => s.rss / 1024),
  );
  const fdSlope = slope(after.map((s) => s.t / 60), after.map((s) => s.fds));
  const summary = {
    minutes,
    samples: samples.length,
    stream: { sent: streamSent, received: streamReceived },
    pubsub: { published, received: subReceived },
    wasm: { sent: wasmSent, received: wasmReceived },
    pirate: { requests: pirateRequests, retries: pirateRetries, kills },
    broker: {
      answered: brokerAnswered,
      resent: brokerResent,
      reconnects,
      workersTerminated: terminated,
    },
    rssSlopeKiBPerMinute: Math.round(rssSlope),
    fdSlopePerMinute: Number(fdSlope.toFixed(2)),
    warmUpSeconds: warmUp,
    problems,
  };
  console.log(JSON.stringify(summary, null, 2));
  if (jsonPath) {
    Deno.writeTextFileSync(
      jsonPath,
      JSON.stringify({ summary, samples }) + "\n",
    );
  }
  if (svgPath) {
    const rssEnd = (samples.at(-1)?.rss ?? 0) / 2 ** 20;
    Deno.writeTextFileSync(
      svgPath,
      renderSoakSvg(
        samples,
        `deno-zmq mixed soak: ${minutes} min, all patterns, kills, reconnects, Workers`,
        [
          `stream ${streamReceived}/${streamSent} in order; wasm -> ffi tcp ${wasmReceived}/${wasmSent} in order; pubsub ${subReceived}/${published} (PUB drops at the HWM).`,
          `pirate ${pirateRequests} requests answered, ${kills} peer kills, ${pirateRetries} retries.`,
          `broker ${brokerAnswered} answered, ${brokerResent} resent, ${terminated} Workers terminated, ${reconnects} reconnects.`,
          `RSS after ${warmUp} s of warm-up: ${
            rssSlope.toFixed(0)
          } KiB/min, fds ${fdSlope.toFixed(2)}/min (least squares), ${
            rssEnd.toFixed(1)
          } MiB at the end. ` +
          `Problems: ${problems.length === 0 ? "none" : problems.length}.`,
          `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, shared machine; ${
            new Date().toISOString().slice(0, 16).replace("T", " ")
          } UTC.`,
        ],
      ),
    );
  }
  if (problems.length > 0) Deno.exit(1);
}
