/**
 * Summarizes V8 CPU profiles (`deno run --cpu-prof`, or `bench/run.ts
 * --profile DIR`): the functions that took the most time themselves (self
 * time, summed over every node of the profile's call tree).
 *
 *   deno run -A bench/profile_summary.ts FILE_OR_DIR... [--top N]
 *
 * A directory stands for every `.cpuprofile` under it, each summarized on
 * its own.
 *
 * @module
 */

/** The parts of a `.cpuprofile` this reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time in microseconds per function ("name file:line"), largest first. */
export function selfTimes(profile: CpuProfile): [string, number][] {
  const names = new Map<number, string>();
  for (const { id, callFrame } of profile.nodes) {
    const file = callFrame.url.split("/").slice(-2).join("/");
    names.set(
      id,
      `${callFrame.functionName || "(anonymous)"} ${file}:${
        callFrame.lineNumber + 1
      }`,
    );
  }
  const times = new Map<string, number>();
  profile.samples.forEach((node, i) => {
    const name = names.get(node) ?? "?";
    times.set(name, (times.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...times].sort((a, b) => b[1] - a[1]);
}

async function profilesIn(path: string): Promise<string[]> {
  if ((await Deno.stat(path)).isFile) return [path];
  const found: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    const child = `${path}/${entry.name}`;
    if (entry.isDirectory) found.push(...await profilesIn(child));
    else if (entry.name.endsWith(".cpuprofile")) found.push(child);
  }
  return found.sort();
}

if (import.meta.main) {
  const args = [...Deno.args];
  const topAt = args.indexOf("--top");
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 20;
  if (args.length === 0) {
    console.error(
      "usage: deno run -A bench/profile_summary.ts FILE_OR_DIR... [--top N]",
    );
    Deno.exit(2);
  }
  for (const arg of args) {
    for (const file of await profilesIn(arg)) {
      const rows = selfTimes(JSON.parse(await Deno.readTextFile(file)));
      const total = rows.reduce((sum, [, t]) => sum + t, 0);
      console.log(`${file}: ${(total / 1000).toFixed(1)} ms sampled`);
      for (const [name, t] of rows.slice(0, top)) {
        console.log(
          `${(t / 1000).toFixed(1).padStart(9)} ms ${
            (100 * t / total).toFixed(1).padStart(5)
          }%  ${name}`,
        );
      }
    }
  }
}
