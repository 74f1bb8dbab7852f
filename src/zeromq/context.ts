/**
 * zeromq.js's `Context` and the global `context`: a core context with
 * zeromq.js's option names and argument checks, sealed like zeromq.js's.
 *
 * @module
 */

// The core's entry registers the backends: first, as `context` is made at load.
import "../../mod.ts";
import { Context as CoreContext } from "../context.ts";
import { assignOptions, defineOption } from "./options.ts";
import { checkArgumentCount } from "./errors.ts";

// zeromq.js's context options, by zeromq.js name: [core property, type].
const CONTEXT_OPTIONS: Record<
  string,
  [string, "Int32" | "Bool", "r" | "w" | "rw"]
> = {
  blocky: ["blocky", "Bool", "rw"],
  ioThreads: ["ioThreads", "Int32", "rw"],
  maxMessageSize: ["maxMessageSize", "Int32", "rw"],
  maxSockets: ["maxSockets", "Int32", "rw"],
  maxSocketsLimit: ["socketLimit", "Int32", "r"],
  ipv6: ["ipv6", "Bool", "rw"],
  threadPriority: ["threadPriority", "Int32", "w"],
  threadSchedulingPolicy: ["threadSchedulingPolicy", "Int32", "w"],
};
const CORE_IDS: Record<number, string> = {
  1: "ioThreads",
  2: "maxSockets",
  3: "socketLimit",
  4: "threadSchedulingPolicy",
  5: "maxMessageSize",
  42: "ipv6",
  70: "blocky",
};

/** Options of a zeromq.js {@link Context}. */
export interface ContextOptions {
  /** ZMQ_BLOCKY: whether terminating waits for lingering messages. */
  blocky?: boolean;
  /** ZMQ_IO_THREADS: libzmq's I/O threads. */
  ioThreads?: number;
  /** ZMQ_MAX_MSGSZ: the largest message accepted. */
  maxMessageSize?: number;
  /** ZMQ_MAX_SOCKETS: how many sockets the context may have. */
  maxSockets?: number;
  /** ZMQ_IPV6: IPv6 for new sockets. */
  ipv6?: boolean;
  /** ZMQ_THREAD_PRIORITY of the I/O threads. */
  threadPriority?: number;
  /** ZMQ_THREAD_SCHED_POLICY of the I/O threads. */
  threadSchedulingPolicy?: number;
}

/**
 * A ZeroMQ context as zeromq.js has it (no `close()` needed: it is collected
 * once unreferenced; the core's `close()` is there too).
 *
 * @example
 * ```ts
 * import { Context, Dealer } from "@deno-zmq/zmq/zeromq";
 * const context = new Context({ ioThreads: 2 });
 * const dealer = new Dealer({ context });
 * dealer.close();
 * ```
 */
export class Context extends CoreContext {
  /**
   * Creates a context (`new Context({ ioThreads: 2 })`).
   *
   * @example
   * ```ts
   * import { Context } from "@deno-zmq/zmq/zeromq";
   * const context = new Context({ maxSockets: 64 });
   * console.log(context.maxSockets); // 64
   * ```
   */
  constructor(options?: ContextOptions) {
    checkArgumentCount(arguments.length, 1);
    if (
      options !== undefined && (typeof options !== "object" || options === null)
    ) {
      throw new TypeError("Options must be an object");
    }
    super();
    Object.seal(this);
    if (options) {
      assignOptions(this, "Context", options as Record<string, unknown>);
    }
  }

  /** zeromq.js's raw accessor: a boolean context option by number. */
  protected getBoolOption(option: number): boolean {
    return Reflect.get(
      CoreContext.prototype,
      CORE_IDS[option],
      this,
    ) as boolean;
  }
  /** zeromq.js's raw accessor: sets a boolean context option by number. */
  protected setBoolOption(option: number, value: boolean): void {
    if (typeof value !== "boolean") {
      throw new TypeError("Option value must be a boolean");
    }
    Reflect.set(CoreContext.prototype, CORE_IDS[option], value, this);
  }
  /** zeromq.js's raw accessor: an integer context option by number. */
  protected getInt32Option(option: number): number {
    return Reflect.get(CoreContext.prototype, CORE_IDS[option], this) as number;
  }
  /** zeromq.js's raw accessor: sets an integer context option by number. */
  protected setInt32Option(option: number, value: number): void {
    if (typeof value !== "number") {
      throw new TypeError("Option value must be a number");
    }
    Reflect.set(CoreContext.prototype, CORE_IDS[option], value, this);
  }
}

for (const [name, [core, type, access]] of Object.entries(CONTEXT_OPTIONS)) {
  const id = Number(Object.keys(CORE_IDS).find((k) => CORE_IDS[+k] === core));
  if (name === "threadPriority") {
    // Same number as maxSocketsLimit (ZMQ_THREAD_PRIORITY = ZMQ_SOCKET_LIMIT = 3).
    Object.defineProperty(Context.prototype, name, {
      configurable: true,
      set(this: Context, value: unknown) {
        if (typeof value !== "number") {
          throw new TypeError("Option value must be a number");
        }
        Reflect.set(CoreContext.prototype, "threadPriority", value, this);
      },
    });
    continue;
  }
  defineOption(Context.prototype, "Context", name, { id, type, access });
}

/** zeromq.js's context options as properties. */
export interface Context {
  /** ZMQ_BLOCKY: whether closing waits for lingering messages. */
  blocky: boolean;
  /** ZMQ_MAX_SOCKETS. */
  maxSockets: number;
  /** ZMQ_SOCKET_LIMIT: the largest maxSockets allowed. */
  readonly maxSocketsLimit: number;
}

/**
 * The context sockets use when none is given.
 *
 * @example
 * ```ts
 * import { context, Dealer } from "@deno-zmq/zmq/zeromq";
 * const dealer = new Dealer();
 * console.log(dealer.context === context); // true
 * dealer.close();
 * ```
 */
export const context: Context = new Context();
