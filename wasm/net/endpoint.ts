/**
 * The host part of tcp:// and ipc:// endpoints, as the host runtime needs
 * it (libzmq parses the full syntax itself; this only finds where to
 * connect or listen, for the permission check and the host listener).
 *
 * @module
 */

import type { HostTarget } from "./host.ts";

/**
 * The target of `tcp://host:port` (`[v6]:port`, `*`, port `*` or `0`; a
 * source address before `;` is skipped) or `ipc://path`; undefined for other
 * transports or when libzmq should reject the endpoint itself. `*` as host
 * means every interface: `anyHost` says which wildcard address to use.
 */
export function targetOf(
  endpoint: string,
  anyHost = "0.0.0.0",
): HostTarget | undefined {
  if (endpoint.startsWith("ipc://")) {
    const path = endpoint.slice("ipc://".length);
    // Abstract (@name) and wildcard (*) paths have no host equivalent.
    return path && path !== "*" && !path.startsWith("@") ? { path } : undefined;
  }
  if (!endpoint.startsWith("tcp://")) return undefined;
  let rest = endpoint.slice("tcp://".length);
  const semicolon = rest.lastIndexOf(";");
  if (semicolon >= 0) rest = rest.slice(semicolon + 1);
  const colon = rest.lastIndexOf(":");
  if (colon <= 0) return undefined;
  let hostname = rest.slice(0, colon);
  const portText = rest.slice(colon + 1);
  const port = portText === "*" ? 0 : Number(portText);
  if (!/^(\*|\d+)$/.test(portText) || port > 65535) return undefined;
  if (hostname.startsWith("[") && hostname.endsWith("]")) {
    hostname = hostname.slice(1, -1);
  }
  // A scope id (fe80::1%eth0) is libzmq's business; the host gets the rest.
  if (hostname === "*") hostname = anyHost;
  return { hostname, port };
}

/** The endpoint with its tcp port replaced (a wildcard made concrete). */
export function withPort(endpoint: string, port: number): string {
  return endpoint.replace(/:(\*|\d+)$/, `:${port}`);
}
