/**
 * Starting benchmark processes and reading the harness protocol from their
 * standard output:
 *
 * - `ready ENDPOINT`: a binding side is bound (ENDPOINT as resolved: tcp port, ipc path);
 * - `result VALUE [key=value ...]`: the measurement, printed last by the measuring side;
 * - `cpu SECONDS`: the CPU time (user + system, every thread) a side spent over
 *   the measured interval, printed by each side;
 * - `na REASON`: this implementation cannot run the case here.
 *
 * A client started after a server gets its stdin closed once the server has
 * exited, so a sender can wait for end-of-file before disconnecting.
 *
 * Every run is time-bounded: past its deadline all its processes are killed
 * and the run is reported as an error, so the harness never hangs.
 *
 * @module
 */

/** A process to start. */
export interface Command {
  /** Program and arguments. */
  argv: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** What one run of one implementation produced. */
export type Outcome =
  | {
    status: "ok";
    /** The measured value (msg/s, microseconds or MB, by case). */
    value: number;
    /** Additional `key=value` figures of the result line. */
    extra: Record<string, number>;
    /** CPU seconds each process reported (`cpu` lines), by its part in the plan. */
    cpu: Partial<Record<Side, number>>;
  }
  | { status: "na" | "error"; reason: string };

/** A process' part in a plan. */
export type Side = "server" | "client";

/** Two cooperating processes (or one), and which of them prints the result. */
export interface Plan {
  /** Started first; must print `ready ENDPOINT` before the client starts. */
  server?: Command;
  /** Started with the endpoint the server printed (or "" without a server). */
  client: (endpoint: string) => Command;
  /** The process whose `result` line is the measurement. */
  resultFrom: "server" | "client";
  /** Kill everything and report an error after this many milliseconds. */
  timeoutMs: number;
}

/** A started process whose stdout is read line by line. */
class Child {
  readonly name: string;
  readonly #process: Deno.ChildProcess;
  readonly lines: string[] = [];
  #stderr = "";
  #exitCode: number | undefined;
  #onLine: (() => void) | undefined;
  /** Settles once the process exited and both pipes are drained. */
  readonly done: Promise<number>;

  constructor(
    name: string,
    command: Command,
    stdin: "piped" | "null" = "null",
  ) {
    this.name = name;
    const [program, ...args] = command.argv;
    this.#process = new Deno.Command(program, {
      args,
      env: command.env,
      stdin,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const out = this.#pump(this.#process.stdout, (line) => {
      this.lines.push(line);
      this.#onLine?.();
    });
    const err = this.#pump(this.#process.stderr, (line) => {
      this.#stderr = (this.#stderr + line + "\n").slice(-2000);
    });
    this.done = Promise.all([this.#process.status, out, err]).then(
      ([status]) => {
        this.#exitCode = status.code;
        this.#onLine?.();
        return status.code;
      },
    );
  }

  async #pump(
    stream: ReadableStream<Uint8Array>,
    onLine: (line: string) => void,
  ): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of stream) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        onLine(buffered.slice(0, newline).trimEnd());
        buffered = buffered.slice(newline + 1);
      }
    }
    if (buffered) onLine(buffered.trimEnd());
  }

  /** The first line starting with one of PREFIXES, or undefined if the process exits first. */
  waitLine(...prefixes: string[]): Promise<string | undefined> {
    return new Promise((resolve) => {
      const check = () => {
        const line = this.lines.find((l) =>
          prefixes.some((p) => l.startsWith(p))
        );
        if (line !== undefined || this.#exitCode !== undefined) {
          this.#onLine = undefined;
          resolve(line);
        }
      };
      this.#onLine = check;
      check();
    });
  }

  /** The last lines of stderr, for error reports. */
  get stderrTail(): string {
    return this.#stderr.trim().split("\n").slice(-3).join(" | ");
  }

  /** Closes the process' stdin (the "peer is done" signal of the protocol). */
  closeStdin(): void {
    this.#process.stdin.close().catch(() => {});
  }

  /** Kills the process if it still runs. */
  kill(): void {
    if (this.#exitCode !== undefined) return;
    try {
      this.#process.kill("SIGKILL");
    } catch { /* already gone */ }
  }
}

const TIMEOUT = Symbol("timeout");

/** Parses the last `result` or `na` line of a process. */
function parseResult(child: Child): Outcome {
  const line = child.lines.findLast((l) =>
    l.startsWith("result ") || l.startsWith("na ")
  );
  if (line === undefined) {
    return {
      status: "error",
      reason: `${child.name} printed no result${
        child.stderrTail ? `: ${child.stderrTail}` : ""
      }`,
    };
  }
  if (line.startsWith("na ")) return { status: "na", reason: line.slice(3) };
  const [value, ...pairs] = line.slice(7).trim().split(/\s+/);
  const extra: Record<string, number> = {};
  for (const pair of pairs) {
    const [key, text] = pair.split("=");
    extra[key] = Number(text);
  }
  const number = Number(value);
  return Number.isFinite(number)
    ? { status: "ok", value: number, extra, cpu: {} }
    : {
      status: "error",
      reason: `${child.name} printed a bad result: ${line}`,
    };
}

/** The CPU seconds of a process' last `cpu` line, if it printed one. */
function cpuOf(child: Child): number | undefined {
  const line = child.lines.findLast((l) => l.startsWith("cpu "));
  const seconds = line === undefined ? NaN : Number(line.slice(4));
  return Number.isFinite(seconds) ? seconds : undefined;
}

function failed(child: Child, what: string): Outcome {
  const tail = child.stderrTail;
  return {
    status: "error",
    reason: `${child.name} ${what}${tail ? `: ${tail}` : ""}`,
  };
}

/** Runs a plan to completion (or its deadline) and returns what it measured. */
export async function runPlan(plan: Plan): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), plan.timeoutMs);
  });
  const timedOut: Outcome = {
    status: "error",
    reason: `timeout after ${plan.timeoutMs / 1000} s (killed)`,
  };
  const children: Child[] = [];
  try {
    let endpoint = "";
    let server: Child | undefined;
    if (plan.server) {
      server = new Child("server", plan.server);
      children.push(server);
      const line = await Promise.race([
        server.waitLine("ready ", "na "),
        deadline,
      ]);
      if (line === TIMEOUT) return timedOut;
      if (line === undefined) {
        return failed(server, "exited before it was ready");
      }
      if (line.startsWith("na ")) {
        return { status: "na", reason: line.slice(3) };
      }
      endpoint = line.slice("ready ".length);
    }
    // The client's stdin closes when the server exits: a sender holds its
    // connection open until then, since disconnecting while the receiver is at
    // its high-water mark can lose the last messages (seen over ipc).
    const client = new Child(
      "client",
      plan.client(endpoint),
      server ? "piped" : "null",
    );
    children.push(client);
    server?.done.then(() => client.closeStdin());
    // Any process failing ends the run at once (its peer would wait forever).
    const finished = Promise.all(children.map(async (child) => {
      const code = await child.done;
      if (code !== 0) throw child;
    }));
    try {
      if (await Promise.race([finished, deadline]) === TIMEOUT) return timedOut;
    } catch (child) {
      return failed(
        child as Child,
        `exited with code ${await (child as Child).done}`,
      );
    }
    const outcome = parseResult(
      plan.resultFrom === "server" && server ? server : client,
    );
    if (outcome.status === "ok") {
      for (
        const [side, child] of [["server", server], ["client", client]] as const
      ) {
        const seconds = child && cpuOf(child);
        if (seconds !== undefined) outcome.cpu[side] = seconds;
      }
    }
    return outcome;
  } finally {
    clearTimeout(timer);
    for (const child of children) child.kill();
    await Promise.allSettled(children.map((child) => child.done));
  }
}

/** Runs a command to completion and returns its exit code and output (for setup steps). */
export async function capture(
  argv: string[],
  options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } =
    {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [program, ...args] = argv;
  try {
    const output = await new Deno.Command(program, {
      args,
      cwd: options.cwd,
      env: options.env,
      stdin: "null",
      signal: options.timeoutMs
        ? AbortSignal.timeout(options.timeoutMs)
        : undefined,
    }).output();
    const decode = (bytes: Uint8Array) =>
      new TextDecoder().decode(bytes).trim();
    return {
      code: output.code,
      stdout: decode(output.stdout),
      stderr: decode(output.stderr),
    };
  } catch (err) {
    return {
      code: -1,
      stdout: "",
      stderr: err instanceof Error ? err.message : String(err),
    };
  }
}
