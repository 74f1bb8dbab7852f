/**
 * Every libzmq 4.3.4 socket and context option, in one table each.
 *
 * The socket classes get a camelCase property per option from these tables
 * (see `defineOptions` in `option_access.ts`), and their TypeScript types are
 * derived from them too, so the table is the single source of truth.
 *
 * @module
 */

/** How an option's value is represented in JS and encoded for libzmq. */
export type OptionType =
  | "int" // int32
  | "bool" // int32 0/1
  | "int64"
  | "uint64"
  | "string" // UTF-8, NUL-terminated on read
  | "bytes" // binary blob
  | "key" // CURVE key: 32 raw bytes or 40 Z85 characters; reads as Z85
  | "mechanism"; // int32 read as "null" | "plain" | "curve" | "gssapi"

/** One option: its libzmq id, value type and whether it can be read/written. */
export interface OptionSpec {
  /** The libzmq option number (ZMQ_LINGER is 17, ...). */
  readonly id: number;
  /** How the value is represented. */
  readonly type: OptionType;
  /** Readable and writable, read-only or write-only. */
  readonly access: "rw" | "r" | "w";
  /** Only available when libzmq was built with the draft API. */
  readonly draft?: boolean;
  /** Still supported by libzmq, but superseded. */
  readonly deprecated?: boolean;
}

/** Options every socket type has. */
export const socketOptions = {
  affinity: { id: 4, type: "uint64", access: "rw" },
  routingId: { id: 5, type: "bytes", access: "rw" },
  rate: { id: 8, type: "int", access: "rw" },
  recoveryInterval: { id: 9, type: "int", access: "rw" },
  sendBufferSize: { id: 11, type: "int", access: "rw" },
  receiveBufferSize: { id: 12, type: "int", access: "rw" },
  receiveMore: { id: 13, type: "bool", access: "r" },
  fd: { id: 14, type: "int", access: "r" },
  type: { id: 16, type: "int", access: "r" },
  linger: { id: 17, type: "int", access: "rw" },
  reconnectInterval: { id: 18, type: "int", access: "rw" },
  backlog: { id: 19, type: "int", access: "rw" },
  reconnectMaxInterval: { id: 21, type: "int", access: "rw" },
  maxMessageSize: { id: 22, type: "int64", access: "rw" },
  sendHighWaterMark: { id: 23, type: "int", access: "rw" },
  receiveHighWaterMark: { id: 24, type: "int", access: "rw" },
  multicastHops: { id: 25, type: "int", access: "rw" },
  receiveTimeout: { id: 27, type: "int", access: "rw" },
  sendTimeout: { id: 28, type: "int", access: "rw" },
  ipv4Only: { id: 31, type: "bool", access: "rw", deprecated: true },
  lastEndpoint: { id: 32, type: "string", access: "r" },
  tcpKeepalive: { id: 34, type: "int", access: "rw" },
  tcpKeepaliveCount: { id: 35, type: "int", access: "rw" },
  tcpKeepaliveIdle: { id: 36, type: "int", access: "rw" },
  tcpKeepaliveInterval: { id: 37, type: "int", access: "rw" },
  tcpAcceptFilter: { id: 38, type: "string", access: "w", deprecated: true },
  immediate: { id: 39, type: "bool", access: "rw" },
  ipv6: { id: 42, type: "bool", access: "rw" },
  mechanism: { id: 43, type: "mechanism", access: "r" },
  plainServer: { id: 44, type: "bool", access: "rw" },
  plainUsername: { id: 45, type: "string", access: "rw" },
  plainPassword: { id: 46, type: "string", access: "rw" },
  curveServer: { id: 47, type: "bool", access: "rw" },
  curvePublicKey: { id: 48, type: "key", access: "rw" },
  curveSecretKey: { id: 49, type: "key", access: "rw" },
  curveServerKey: { id: 50, type: "key", access: "rw" },
  conflate: { id: 54, type: "bool", access: "w" },
  zapDomain: { id: 55, type: "string", access: "rw" },
  typeOfService: { id: 57, type: "int", access: "rw" },
  ipcFilterPid: { id: 58, type: "int", access: "w", deprecated: true },
  ipcFilterUid: { id: 59, type: "int", access: "w", deprecated: true },
  ipcFilterGid: { id: 60, type: "int", access: "w", deprecated: true },
  gssapiServer: { id: 62, type: "bool", access: "rw" },
  gssapiPrincipal: { id: 63, type: "string", access: "rw" },
  gssapiServicePrincipal: { id: 64, type: "string", access: "rw" },
  gssapiPlainText: { id: 65, type: "bool", access: "rw" },
  handshakeInterval: { id: 66, type: "int", access: "rw" },
  socksProxy: { id: 68, type: "string", access: "rw" },
  heartbeatInterval: { id: 75, type: "int", access: "rw" },
  heartbeatTimeToLive: { id: 76, type: "int", access: "rw" },
  heartbeatTimeout: { id: 77, type: "int", access: "rw" },
  connectTimeout: { id: 79, type: "int", access: "rw" },
  tcpMaxRetransmitTimeout: { id: 80, type: "int", access: "rw" },
  threadSafe: { id: 81, type: "bool", access: "r" },
  multicastMaxTransportDataUnitSize: { id: 84, type: "int", access: "rw" },
  vmciBufferSize: { id: 85, type: "uint64", access: "rw" },
  vmciBufferMinSize: { id: 86, type: "uint64", access: "rw" },
  vmciBufferMaxSize: { id: 87, type: "uint64", access: "rw" },
  vmciConnectTimeout: { id: 88, type: "int", access: "rw" },
  useFd: { id: 89, type: "int", access: "rw" },
  gssapiPrincipalNameType: { id: 90, type: "int", access: "rw" },
  gssapiServicePrincipalNameType: { id: 91, type: "int", access: "rw" },
  bindToDevice: { id: 92, type: "string", access: "rw" },
  zapEnforceDomain: { id: 93, type: "bool", access: "rw", draft: true },
  loopbackFastPath: { id: 94, type: "bool", access: "rw", draft: true },
  metadata: { id: 95, type: "string", access: "w", draft: true },
  multicastLoop: { id: 96, type: "bool", access: "rw", draft: true },
  socksUsername: { id: 99, type: "string", access: "rw", draft: true },
  socksPassword: { id: 100, type: "string", access: "rw", draft: true },
  inBatchSize: { id: 101, type: "int", access: "rw", draft: true },
  outBatchSize: { id: 102, type: "int", access: "rw", draft: true },
  wssKeyPem: { id: 103, type: "string", access: "w", draft: true },
  wssCertPem: { id: 104, type: "string", access: "w", draft: true },
  wssTrustPem: { id: 105, type: "string", access: "w", draft: true },
  wssHostname: { id: 106, type: "string", access: "w", draft: true },
  wssTrustSystem: { id: 107, type: "bool", access: "w", draft: true },
  reconnectStop: { id: 109, type: "int", access: "rw", draft: true },
  helloMessage: { id: 110, type: "bytes", access: "w", draft: true },
  disconnectMessage: { id: 111, type: "bytes", access: "w", draft: true },
  priority: { id: 112, type: "int", access: "rw", draft: true },
} as const satisfies Record<string, OptionSpec>;

/** ROUTER (and, for connectRoutingId, STREAM) options. */
export const routerOptions = {
  routerMandatory: { id: 33, type: "bool", access: "w" },
  routerRaw: { id: 41, type: "bool", access: "w", deprecated: true },
  probeRouter: { id: 51, type: "bool", access: "w" },
  routerHandover: { id: 56, type: "bool", access: "w" },
  connectRoutingId: { id: 61, type: "bytes", access: "w" },
  routerNotify: { id: 97, type: "int", access: "rw", draft: true },
} as const satisfies Record<string, OptionSpec>;

/** DEALER options. */
export const dealerOptions = {
  probeRouter: { id: 51, type: "bool", access: "w" },
} as const satisfies Record<string, OptionSpec>;

/** REQ options. */
export const requestOptions = {
  probeRouter: { id: 51, type: "bool", access: "w" },
  correlate: { id: 52, type: "bool", access: "w" },
  relaxed: { id: 53, type: "bool", access: "w" },
} as const satisfies Record<string, OptionSpec>;

/** PUB options. */
export const publisherOptions = {
  noDrop: { id: 69, type: "bool", access: "w" },
  invertMatching: { id: 74, type: "bool", access: "rw" },
} as const satisfies Record<string, OptionSpec>;

/** SUB options. */
export const subscriberOptions = {
  invertMatching: { id: 74, type: "bool", access: "rw" },
} as const satisfies Record<string, OptionSpec>;

/** XPUB options. */
export const xPublisherOptions = {
  verbose: { id: 40, type: "bool", access: "w" },
  noDrop: { id: 69, type: "bool", access: "w" },
  manual: { id: 71, type: "bool", access: "w" },
  welcomeMessage: { id: 72, type: "bytes", access: "w" },
  invertMatching: { id: 74, type: "bool", access: "rw" },
  verboser: { id: 78, type: "bool", access: "w" },
  manualLastValue: { id: 98, type: "bool", access: "w", draft: true },
  onlyFirstSubscribe: { id: 108, type: "bool", access: "w", draft: true },
} as const satisfies Record<string, OptionSpec>;

/** XSUB options. */
export const xSubscriberOptions = {
  onlyFirstSubscribe: { id: 108, type: "bool", access: "w", draft: true },
} as const satisfies Record<string, OptionSpec>;

/** STREAM options. */
export const streamOptions = {
  connectRoutingId: { id: 61, type: "bytes", access: "w" },
  streamNotify: { id: 73, type: "bool", access: "w" },
} as const satisfies Record<string, OptionSpec>;

/** Context options (`zmq_ctx_set`/`zmq_ctx_get`: all integers). */
export const contextOptions = {
  ioThreads: { id: 1, type: "int", access: "rw" },
  maxSockets: { id: 2, type: "int", access: "rw" },
  socketLimit: { id: 3, type: "int", access: "r" },
  threadPriority: { id: 3, type: "int", access: "w" },
  threadSchedulingPolicy: { id: 4, type: "int", access: "w" },
  maxMessageSize: { id: 5, type: "int", access: "rw" },
  messageStructSize: { id: 6, type: "int", access: "r" },
  threadAffinityCpuAdd: { id: 7, type: "int", access: "w" },
  threadAffinityCpuRemove: { id: 8, type: "int", access: "w" },
  threadNamePrefix: { id: 9, type: "int", access: "w" },
  zeroCopyReceive: { id: 10, type: "bool", access: "rw", draft: true },
  ipv6: { id: 42, type: "bool", access: "rw" },
  blocky: { id: 70, type: "bool", access: "rw" },
} as const satisfies Record<string, OptionSpec>;

/** The JS type an option reads as. */
export type ReadType<T extends OptionType> = T extends
  "int" | "int64" | "uint64" ? number
  : T extends "bool" ? boolean
  : T extends "string" | "key" ? string
  : T extends "bytes" ? Uint8Array
  : T extends "mechanism" ? "null" | "plain" | "curve" | "gssapi"
  : never;

/** The JS types an option accepts. */
export type WriteType<T extends OptionType> = T extends "int" ? number
  : T extends "int64" | "uint64" ? number | bigint
  : T extends "bool" ? boolean
  : T extends "string" ? string
  : T extends "bytes" | "key" ? string | Uint8Array
  : never;

/** Names of the options of a table that can be written. */
export type WritableKeys<T> = {
  [K in keyof T]: T[K] extends { access: "rw" | "w" } ? K : never;
}[keyof T];
/** Names of the read-only options of a table. */
export type ReadOnlyKeys<T> = {
  [K in keyof T]: T[K] extends { access: "r" } ? K : never;
}[keyof T];
/** The {@link OptionType} of an option spec. */
export type TypeOf<S> = S extends { type: infer T extends OptionType } ? T
  : never;

/**
 * The option properties a socket class exposes for an option table: readable
 * options read as their value (and accept more types at run time, such as a
 * string for a bytes option); write-only ones return the last value written
 * (libzmq cannot read them back), or undefined.
 */
export type OptionProperties<T> =
  & {
    -readonly [K in WritableKeys<T>]: T[K] extends { access: "w" }
      ? WriteType<TypeOf<T[K]>> | undefined
      : ReadType<TypeOf<T[K]>>;
  }
  & { readonly [K in ReadOnlyKeys<T>]: ReadType<TypeOf<T[K]>> };

/** Options accepted by a constructor for an option table. */
export type OptionInit<T> = {
  [K in WritableKeys<T>]?: WriteType<TypeOf<T[K]>>;
};
