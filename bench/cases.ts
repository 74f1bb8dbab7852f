/**
 * The benchmark cases, as data: what each measures, with which message
 * counts, which implementations take part and the target ours must meet.
 * Generic runners (runner.ts) execute them; nothing here runs anything.
 *
 * @module
 */

/** An implementation taking part in a case. "native" is the reference. */
export type ImplId = "native" | "ours" | "zeromqjs" | "pyzmq" | "node-ours";

/** Display names of the implementations. */
export const implLabels: Record<ImplId, string> = {
  native: "native libzmq (C)",
  ours: "deno-zmq (Deno)",
  zeromqjs: "zeromq.js 6 (Node)",
  pyzmq: "pyzmq",
  "node-ours": "deno-zmq (Node, npm build)",
};

/** The peers ours is compared with, besides native. */
export const peerIds: readonly ImplId[] = ["zeromqjs", "pyzmq", "node-ours"];

/**
 * How a case runs:
 * - throughput: PULL process binds and measures, PUSH process sends;
 * - latency: REP process binds, REQ process measures round trips (pinned to other cores);
 * - inproc: one process, PUSH and PULL concurrently;
 * - single: one process, one thread (native: DONTWAIT loop; ours: the WASM backend);
 * - memory: one process streaming inproc, RSS growth.
 */
export type Scenario =
  | "throughput"
  | "latency"
  | "inproc"
  | "single"
  | "memory";

/** What a case's value is. */
export type Unit = "msg/s" | "us" | "MB";

/** A target for ours: a bound on ours/native, or on ours' own value. */
export interface Target {
  /** How the target bounds ours. */
  kind: "min-ratio" | "max-ratio" | "max-value";
  /** The bound. */
  value: number;
}

/** One benchmark case. */
export interface BenchCase {
  /** Short stable id, e.g. "tcp-16". */
  id: string;
  /** Human label, e.g. "tcp PUSH->PULL 16 B". */
  label: string;
  /** How the case runs (which roles, how many processes). */
  scenario: Scenario;
  /** The transport the messages take. */
  transport: "tcp" | "ipc" | "inproc";
  /** Frame size in bytes. */
  size: number;
  /** Messages (or round trips) per run. */
  count: { full: number; quick: number };
  /** What the measured value is. */
  unit: Unit;
  /** Implementations in the order they run within a repetition. */
  impls: readonly ImplId[];
  /** What ours must achieve (besides being ahead of the peers). */
  target?: Target;
  /** deno-zmq's backend for this case (default: "auto", i.e. FFI). */
  backend?: "wasm";
}

const SIZES = [
  { size: 16, name: "16 B", full: 1_000_000, quick: 100_000 },
  { size: 1024, name: "1 KiB", full: 200_000, quick: 20_000 },
  { size: 65536, name: "64 KiB", full: 20_000, quick: 2_000 },
] as const;

/** Targets of the throughput cases, by transport and size. */
const THROUGHPUT_TARGETS: Record<string, Target> = {
  "tcp-16": { kind: "min-ratio", value: 0.6 },
  "tcp-1024": { kind: "min-ratio", value: 0.9 },
  "inproc-16": { kind: "min-ratio", value: 0.6 },
};

/** Peers measured per transport (the JS and Python peers run tcp only). */
const THROUGHPUT_IMPLS: Record<BenchCase["transport"], readonly ImplId[]> = {
  tcp: ["native", "ours", "zeromqjs", "pyzmq", "node-ours"],
  ipc: ["native", "ours"],
  inproc: ["native", "ours"],
};

const throughputCases: BenchCase[] = (["tcp", "ipc", "inproc"] as const)
  .flatMap((transport) =>
    SIZES.map(({ size, name, full, quick }): BenchCase => ({
      id: `${transport}-${size}`,
      label: `${transport} PUSH->PULL ${name}`,
      scenario: transport === "inproc" ? "inproc" : "throughput",
      transport,
      size,
      count: { full, quick },
      unit: "msg/s",
      impls: THROUGHPUT_IMPLS[transport],
      target: THROUGHPUT_TARGETS[`${transport}-${size}`],
    }))
  );

const latencyCases: BenchCase[] = [
  {
    size: 16,
    name: "16 B",
    target: { kind: "max-ratio", value: 1.2 } as Target,
  },
  { size: 1024, name: "1 KiB", target: undefined },
].map(({ size, name, target }) => ({
  id: `reqrep-${size}`,
  label: `tcp REQ/REP round trip ${name}`,
  scenario: "latency",
  transport: "tcp",
  size,
  count: { full: 20_000, quick: 2_000 },
  unit: "us",
  impls: ["native", "ours", "zeromqjs", "pyzmq", "node-ours"],
  target,
}));

/**
 * The WASM backend over tcp (libzmq's engine in WebAssembly, the host
 * runtime's sockets), both ends on WASM, against native in the same run.
 * Goals from issue 13.
 */
const wasmTcpCases: BenchCase[] = [
  ...SIZES.map(({ size, name, full, quick }): BenchCase => ({
    id: `wasm-tcp-${size}`,
    label: `WASM tcp PUSH->PULL ${name}`,
    scenario: "throughput",
    transport: "tcp",
    size,
    count: { full, quick },
    unit: "msg/s",
    impls: ["native", "ours"],
    target: size === 16
      ? { kind: "min-ratio", value: 0.3 }
      : size === 65536
      ? { kind: "min-ratio", value: 0.7 }
      : undefined,
    backend: "wasm",
  })),
  {
    id: "wasm-reqrep-16",
    label: "WASM tcp REQ/REP round trip 16 B",
    scenario: "latency",
    transport: "tcp",
    size: 16,
    count: { full: 20_000, quick: 2_000 },
    unit: "us",
    impls: ["native", "ours"],
    target: { kind: "max-ratio", value: 2 },
    backend: "wasm",
  },
];

/** Every case, in the order they run and are reported. */
export const cases: readonly BenchCase[] = [
  ...throughputCases,
  {
    id: "wasm-16",
    label: "WASM inproc 16 B (1 thread)",
    scenario: "single",
    transport: "inproc",
    size: 16,
    count: { full: 1_000_000, quick: 100_000 },
    unit: "msg/s",
    impls: ["native", "ours"],
    target: { kind: "min-ratio", value: 1.0 },
    backend: "wasm",
  },
  ...wasmTcpCases,
  ...latencyCases,
  {
    id: "memory",
    label: "RSS growth, inproc 16 B stream",
    scenario: "memory",
    transport: "inproc",
    size: 16,
    count: { full: 10_000_000, quick: 1_000_000 },
    unit: "MB",
    impls: ["ours"],
    target: { kind: "max-value", value: 10 },
  },
];

/** Whether a larger value is better for this unit. */
export function higherIsBetter(unit: Unit): boolean {
  return unit === "msg/s";
}
