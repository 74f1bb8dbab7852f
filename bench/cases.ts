/**
 * The benchmark cases, as data: what each measures, with which message
 * counts, which implementations take part and the target ours must meet.
 * Generic runners (runner.ts) execute them; nothing here runs anything.
 *
 * @module
 */

import type { Side } from "./process.ts";

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
 * - batch: the same with receiveMany/sendMany (native: the same C programs);
 * - latency: REP process binds, REQ process measures round trips (pinned to other cores);
 * - inproc: one process, PUSH and PULL concurrently on one thread (native: two threads);
 * - inproc-worker: one process, PUSH in a Worker, PULL on the main thread, one
 *   shared context (native: the same two-thread program as inproc);
 * - single: one process, one thread (native: DONTWAIT loop; ours: the WASM backend);
 * - memory: one process streaming inproc, RSS growth;
 * - sockets: one process creating idle sockets, RSS per 1,000.
 */
export type Scenario =
  | "throughput"
  | "batch"
  | "latency"
  | "inproc"
  | "inproc-worker"
  | "single"
  | "memory"
  | "sockets";

/**
 * What the CPU figures of a scenario cover, by the process that reports
 * them (the server binds, the client connects or runs alone); absent: no
 * CPU figure per message.
 */
export const cpuSides: Record<Scenario, Partial<Record<Side, string>>> = {
  throughput: { server: "receiver", client: "sender" },
  batch: { server: "receiver", client: "sender" },
  latency: { server: "REP", client: "REQ" },
  inproc: { client: "both ends" },
  "inproc-worker": { client: "both threads" },
  single: { client: "both ends" },
  memory: { client: "both ends" },
  sockets: {},
};

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
  /** Whether ours must be ahead of zeromq.js and pyzmq (default: yes). */
  judgePeers?: boolean;
}

const SIZES = [
  { size: 16, name: "16 B", full: 1_000_000, quick: 100_000 },
  { size: 1024, name: "1 KiB", full: 200_000, quick: 20_000 },
  { size: 65536, name: "64 KiB", full: 20_000, quick: 2_000 },
] as const;

const atLeast = (value: number): Target => ({ kind: "min-ratio", value });

/** Targets of the throughput cases (issue 14), by case id. */
const THROUGHPUT_TARGETS: Record<string, Target> = {
  "tcp-16": atLeast(0.8),
  "tcp-1024": atLeast(0.95),
  "tcp-65536": atLeast(0.95),
  "ipc-16": atLeast(0.8),
  "ipc-1024": atLeast(0.95),
  "ipc-65536": atLeast(0.95),
  "inproc-worker-16": atLeast(0.8),
};

/** Every implementation, native first. */
const ALL: readonly ImplId[] = [
  "native",
  "ours",
  "zeromqjs",
  "pyzmq",
  "node-ours",
];

/**
 * Who runs each throughput scenario: zeromq.js and pyzmq cannot share a
 * context with a Worker, nor drive both ends from one thread.
 */
const THROUGHPUT_IMPLS: Record<string, readonly ImplId[]> = {
  throughput: ALL,
  // Only deno-zmq has a batch API.
  batch: ["native", "ours", "node-ours"],
  inproc: ["native", "ours"],
  "inproc-worker": ["native", "ours", "node-ours"],
};

const throughputRows = [
  { transport: "tcp", scenario: "throughput", id: "tcp", label: "tcp" },
  {
    transport: "tcp",
    scenario: "batch",
    id: "tcp-batch",
    label: "tcp batches",
  },
  { transport: "ipc", scenario: "throughput", id: "ipc", label: "ipc" },
  {
    transport: "inproc",
    scenario: "inproc",
    id: "inproc",
    label: "inproc (1 thread)",
  },
  {
    transport: "inproc",
    scenario: "inproc-worker",
    id: "inproc-worker",
    label: "inproc (Worker sender)",
  },
] as const;

const throughputCases: BenchCase[] = throughputRows.flatMap((row) =>
  SIZES.map(({ size, name, full, quick }): BenchCase => ({
    id: `${row.id}-${size}`,
    label: `${row.label} PUSH->PULL ${name}`,
    scenario: row.scenario,
    transport: row.transport,
    size,
    count: { full, quick },
    unit: "msg/s",
    impls: THROUGHPUT_IMPLS[row.scenario],
    target: THROUGHPUT_TARGETS[`${row.id}-${size}`],
  }))
);

const latencyCases: BenchCase[] = [
  {
    size: 16,
    name: "16 B",
    target: { kind: "max-ratio", value: 0.7 } as Target,
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
  impls: ALL,
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
  {
    id: "sockets",
    label: "RSS of 1,000 idle sockets",
    scenario: "sockets",
    transport: "inproc",
    size: 0,
    count: { full: 1000, quick: 1000 },
    unit: "MB",
    impls: ALL,
    judgePeers: false,
  },
];

/** Whether a larger value is better for this unit. */
export function higherIsBetter(unit: Unit): boolean {
  return unit === "msg/s";
}
