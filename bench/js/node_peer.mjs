// @ts-check
/**
 * Runs a benchmark role (roles.js) in Node on zeromq.js or on deno-zmq's npm
 * build.
 *
 *   node bench/js/node_peer.mjs zeromq:DIR ROLE ENDPOINT COUNT SIZE
 *     (DIR: where `npm install zeromq@6` was run)
 *   node bench/js/node_peer.mjs ours:DIR ROLE ENDPOINT COUNT SIZE
 *     (DIR: deno-zmq's npm build, npm/dist; its package.json names the entry)
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { main } from "./roles.js";

/**
 * The ESM entry of a package directory, from its package.json.
 * @param {string} dir
 */
function entryOf(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const root = typeof pkg.exports === "object" && pkg.exports !== null
    ? pkg.exports["."] ?? pkg.exports
    : pkg.exports;
  const entry = typeof root === "string"
    ? root
    : root?.import?.default ?? root?.import ?? root?.node ?? root?.default ??
      pkg.module ?? pkg.main ?? "mod.js";
  return pathToFileURL(join(dir, entry)).href;
}

/**
 * Loads the binding named by SPEC (`zeromq:DIR` or `ours:DIR`).
 * @param {string} spec
 * @returns {Promise<import("./roles.js").Binding>}
 */
async function load(spec) {
  const [kind, dir] = [
    spec.slice(0, spec.indexOf(":")),
    spec.slice(spec.indexOf(":") + 1),
  ];
  const common = {
    cpu: () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    },
    memory: () => process.memoryUsage(),
    peerDone: async () => {
      for await (const _ of process.stdin) { /* until end-of-file */ }
    },
  };
  if (kind === "zeromq") {
    const zmq = createRequire(join(dir, "package.json"))("zeromq");
    return {
      ...zmq,
      newContext: () => {
        throw new Error("zeromq.js has one backend");
      },
      // zeromq.js terminates its context at exit, waiting for lingering messages.
      finish: () => Promise.resolve(),
      ...common,
    };
  }
  if (kind === "ours") {
    const zmq = await import(entryOf(dir));
    return {
      ...zmq,
      newContext: (/** @type {string} */ backend) =>
        new zmq.Context({ backend }),
      finish: () => zmq.Context.default.close(),
      senderWorker: (
        /** @type {{ address: bigint }} */ context,
        /** @type {string} */ endpoint,
        /** @type {number} */ count,
        /** @type {number} */ size,
      ) => senderWorker(entryOf(dir), context.address, endpoint, count, size),
      ...common,
    };
  }
  throw new Error(`unknown binding "${spec}": use zeromq:DIR or ours:DIR`);
}

/**
 * Starts node_sender.mjs in a worker thread on the context at ADDRESS (see
 * roles.js, SenderWorker).
 * @param {string} entry
 * @param {bigint} address
 * @param {string} endpoint
 * @param {number} count
 * @param {number} size
 */
function senderWorker(entry, address, endpoint, count, size) {
  const worker = new Worker(new URL("./node_sender.mjs", import.meta.url), {
    workerData: { entry, address, endpoint, count, size },
  });
  /** @param {string} expected */
  const reply = (expected) =>
    new Promise((resolve, reject) => {
      worker.once("error", reject);
      worker.once("message", (data) =>
        data === expected
          ? resolve(undefined)
          : reject(new Error(`sender worker: ${data}`)));
    });
  const sent = reply("sent");
  return {
    sent,
    close: async () => {
      await sent;
      const closed = reply("closed");
      worker.postMessage("close");
      await closed;
      await worker.terminate();
    },
  };
}

const [spec, ...args] = process.argv.slice(2);
await main(await load(spec), args);
