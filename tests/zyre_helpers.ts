/**
 * Helpers of the Zyre tests: unique beacon ports, node options for fast
 * loopback tests, and an event recorder to wait for events with a deadline.
 */

import type { Zyre, ZyreEvent, ZyreEventKind } from "../src/zyre/mod.ts";

/** A beacon port unlikely to be used by another test or run. */
export function beaconPort(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}

/** Options for fast tests on loopback only. */
export function fastOptions(port: number) {
  return {
    port,
    beaconAddress: "127.255.255.255",
    interval: 100,
    evasiveTimeout: 500,
    expiredTimeout: 1500,
  };
}

interface Waiter {
  match: (e: ZyreEvent) => boolean;
  resolve: (e: ZyreEvent) => void;
}

/** Records every event of a node and waits for those wanted. */
export class Recorder {
  readonly events: ZyreEvent[] = [];
  #waiters: Waiter[] = [];

  constructor(node: Zyre) {
    for (
      const type of [
        "enter",
        "exit",
        "join",
        "leave",
        "whisper",
        "shout",
        "evasive",
        "silent",
        "drop",
        "stop",
      ] as const
    ) {
      node.addEventListener(type, (event) => {
        this.events.push(event);
        this.#waiters = this.#waiters.filter((w) => {
          if (!w.match(event)) return true;
          w.resolve(event);
          return false;
        });
      });
    }
  }

  /** Events of a kind seen so far. */
  of(kind: ZyreEventKind): ZyreEvent[] {
    return this.events.filter((e) => e.kind === kind);
  }

  /** The first event (already seen or to come) matching, within `ms`. */
  async wait(
    kind: ZyreEventKind,
    filter: (e: ZyreEvent) => boolean = () => true,
    ms = 5000,
  ): Promise<ZyreEvent> {
    const match = (e: ZyreEvent) => e.kind === kind && filter(e);
    const seen = this.events.find(match);
    if (seen) return seen;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waiter: Waiter | undefined;
    try {
      return await new Promise<ZyreEvent>((resolve, reject) => {
        waiter = { match, resolve };
        this.#waiters.push(waiter);
        timer = setTimeout(
          () => reject(new Error(`no ${kind} event within ${ms} ms`)),
          ms,
        );
      });
    } finally {
      clearTimeout(timer);
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
    }
  }
}

const decoder = new TextDecoder();
/** Frames as strings. */
export function strings(frames: Uint8Array[] | undefined): string[] {
  return (frames ?? []).map((f) => decoder.decode(f));
}
