// TypeScript consumer: must type-check against the shipped .d.ts files.
import {
  type BackendChoice,
  Context,
  type Message,
  Pull,
  Push,
  version,
  ZmqError,
} from "deno-zmq";

async function roundTrip(backend: BackendChoice): Promise<string> {
  await using context = new Context({ backend });
  using pull = new Pull({ context, receiveTimeout: 1000 });
  await pull.bind("tcp://127.0.0.1:*");
  using push = new Push({ context });
  push.connect(pull.lastEndpoint);
  await push.send(["hello", new Uint8Array([1, 2, 3])]);
  const outgoing: Message = ["typed", "message"];
  void outgoing;
  const message: Uint8Array[] = await pull.receive();
  const first: Uint8Array = message[0];
  return `${version(context)} ${new TextDecoder().decode(first)}`;
}

export async function main(): Promise<void> {
  try {
    console.log(await roundTrip("ffi"), await roundTrip("wasm"));
  } catch (err) {
    if (err instanceof ZmqError) console.error(err.code, err.errno);
    throw err;
  }
}
