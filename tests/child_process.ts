/**
 * Running programs from tests: a command's exit code and output, and a
 * fixture bundled with esbuild and run under Node (as a user of the npm
 * package would, with no Deno API).
 */

const root = new URL("../", import.meta.url);

/** What a finished command printed. */
export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command` in the checkout's root and collects its output. */
export async function run(
  command: string,
  args: string[],
  cwd: URL = root,
): Promise<Output> {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

/**
 * Bundles `fixture` with esbuild (ESM, platform node) and runs it with
 * `node`, passing `args`; throws when the bundle cannot be built.
 */
export async function runInNode(
  fixture: URL,
  args: string[] = [],
): Promise<Output> {
  const dir = await Deno.makeTempDir({ prefix: "deno-zmq-node-" });
  try {
    const bundle = `${dir}/bundle.mjs`;
    const built = await run("npx", [
      "--yes",
      "esbuild@0.24",
      fixture.pathname,
      "--bundle",
      "--format=esm",
      "--platform=node",
      "--log-level=warning",
      `--outfile=${bundle}`,
    ]);
    if (built.code !== 0) throw new Error(`esbuild failed:\n${built.stderr}`);
    return await run("node", [bundle, ...args]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
