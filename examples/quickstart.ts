/**
 * Quick start: the three classic patterns in one script.
 *
 *   deno run --allow-ffi examples/quickstart.ts
 */
import { Publisher, Pull, Push, Reply, Request, Subscriber } from "../mod.ts";

const decoder = new TextDecoder();
const show = (frames: Uint8Array[]) =>
  frames.map((f) => decoder.decode(f)).join(" | ");

// PUSH -> PULL: a work queue over TCP.
{
  using pull = new Pull();
  await pull.bind("tcp://127.0.0.1:*"); // the OS picks a free port
  using push = new Push();
  push.connect(pull.lastEndpoint);
  for (let i = 1; i <= 3; i++) await push.send(["task", `${i}`]);
  for (let i = 1; i <= 3; i++) {
    console.log("pull got:", show(await pull.receive()));
  }
}

// PUB -> SUB: topics are prefixes of the first frame.
{
  using pub = new Publisher();
  await pub.bind("tcp://127.0.0.1:*");
  using sub = new Subscriber();
  sub.connect(pub.lastEndpoint);
  sub.subscribe("weather");
  // Subscriptions travel to the publisher asynchronously ("slow joiner"):
  // publish until the first message gets through.
  const received = sub.receive();
  let delivered = false;
  received.then(() => delivered = true);
  while (!delivered) {
    await pub.send(["news", "not for this subscriber"]);
    await pub.send(["weather", "sunny, 21 C"]);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.log("sub got:", show(await received));
}

// REQ <-> REP: request, then reply.
{
  using rep = new Reply();
  await rep.bind("inproc://calculator");
  using req = new Request();
  req.connect("inproc://calculator");
  const server = (async () => {
    for await (const [question] of rep) {
      const [a, b] = decoder.decode(question).split("+").map(Number);
      await rep.send(`${a + b}`);
    }
  })();
  await req.send("2+40");
  console.log("req got:", show(await req.receive()));
  rep.close(); // ends the server's loop
  await server;
}
console.log("done: every socket closed, so the process exits by itself");
