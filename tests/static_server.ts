/**
 * A static file server on loopback for the tests that import the library by
 * URL, as a user of a URL or of JSR would: TypeScript served as such.
 */

/** Serves `dir` on 127.0.0.1 (a free port), counting the bytes of each path served. */
export function serveDirectory(dir: string) {
  const root = dir.endsWith("/") ? dir.slice(0, -1) : dir;
  const served = new Map<string, number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      try {
        const body = await Deno.readFile(`${root}${path}`);
        served.set(path, (served.get(path) ?? 0) + body.length);
        const type = path.endsWith(".ts")
          ? "application/typescript"
          : "application/javascript";
        return new Response(body, { headers: { "content-type": type } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  const port = server.addr.port;
  return { server, served, port, base: `http://127.0.0.1:${port}` };
}
