/**
 * ZRE v2 message codec (rfc.zeromq.org 36/ZRE).
 *
 * A ZRE message is one ZeroMQ multipart message. Its first frame holds the
 * command: signature %xAA %xA1, command id (1 octet), version %x02 (1 octet),
 * a 16-bit sequence number and the command's fields, all numbers in network
 * byte order. WHISPER and SHOUT carry their content as the frames that follow
 * (zero or more).
 *
 * Field encodings: `string` is a 1-octet length and that many octets (UTF-8
 * here); `longstr` a 4-octet length and its octets; `strings` a 4-octet count
 * and that many longstr; `dictionary` (hash) a 4-octet count and that many
 * pairs of string name and longstr value.
 *
 * Decoding never throws anything but {@link ZreDecodeError}.
 *
 * @module
 */

/** First two octets of every ZRE message. */
export const ZRE_SIGNATURE: readonly [number, number] = [0xaa, 0xa1];

/** Protocol version carried by every ZRE message. */
export const ZRE_VERSION = 2;

/** Command ids of ZRE v2. */
export const ZreCommandId = {
  HELLO: 1,
  WHISPER: 2,
  SHOUT: 3,
  JOIN: 4,
  LEAVE: 5,
  PING: 6,
  PING_OK: 7,
} as const;

/** Name of a ZRE v2 command. */
export type ZreCommand = keyof typeof ZreCommandId;

/** Greets a peer so that it can connect back (always the first message, sequence 1). */
export interface ZreHello {
  /** Command name. */
  command: "HELLO";
  /** Cyclic 16-bit sequence number. */
  sequence: number;
  /** ZeroMQ endpoint the sender accepts connections on. */
  endpoint: string;
  /** Groups the sender is in. */
  groups: string[];
  /** Sender's group status sequence (0-255). */
  status: number;
  /** Sender's public name. */
  name: string;
  /** Sender's header properties. */
  headers: Record<string, string>;
}

/** A multipart message to one peer. */
export interface ZreWhisper {
  /** Command name. */
  command: "WHISPER";
  /** Cyclic 16-bit sequence number. */
  sequence: number;
  /** Content frames (zero or more). */
  content: Uint8Array[];
}

/** A multipart message to a group. */
export interface ZreShout {
  /** Command name. */
  command: "SHOUT";
  /** Cyclic 16-bit sequence number. */
  sequence: number;
  /** Group name. */
  group: string;
  /** Content frames (zero or more). */
  content: Uint8Array[];
}

/** The sender joined a group; `status` is its group status after joining. */
export interface ZreJoin {
  /** Command name. */
  command: "JOIN";
  /** Cyclic 16-bit sequence number. */
  sequence: number;
  /** Group name. */
  group: string;
  /** Sender's group status sequence after the change. */
  status: number;
}

/** The sender left a group; `status` is its group status after leaving. */
export interface ZreLeave {
  /** Command name. */
  command: "LEAVE";
  /** Cyclic 16-bit sequence number. */
  sequence: number;
  /** Group name. */
  group: string;
  /** Sender's group status sequence after the change. */
  status: number;
}

/** Pings a peer that has gone silent. */
export interface ZrePing {
  /** Command name. */
  command: "PING";
  /** Cyclic 16-bit sequence number. */
  sequence: number;
}

/** Answers a PING. */
export interface ZrePingOk {
  /** Command name. */
  command: "PING_OK";
  /** Cyclic 16-bit sequence number. */
  sequence: number;
}

/** Any ZRE v2 message. */
export type ZreMessage =
  | ZreHello
  | ZreWhisper
  | ZreShout
  | ZreJoin
  | ZreLeave
  | ZrePing
  | ZrePingOk;

/** Why a message could not be decoded. */
export type ZreDecodeFailure =
  | "empty"
  | "signature"
  | "command"
  | "version"
  | "truncated"
  | "trailing";

/**
 * A message that is not valid ZRE v2. `reason` says why: `signature` (not a
 * ZRE message at all, to be discarded silently), `command` (unknown command
 * id; `sequence` is then set when it could be read), `version`, `truncated`
 * (a field runs past the frame), `trailing` (octets after the last field, or
 * frames after a command that has no content), `empty` (no frame).
 *
 * @example
 * ```ts
 * import { decodeMessage, ZreDecodeError } from "./codec.ts";
 * try {
 *   decodeMessage([new Uint8Array([0xaa, 0xa1, 6, 2])]);
 * } catch (err) {
 *   if (err instanceof ZreDecodeError) console.log(err.reason); // "truncated"
 * }
 * ```
 */
export class ZreDecodeError extends Error {
  /** What was wrong. */
  readonly reason: ZreDecodeFailure;
  /** Sequence number of a message with an unknown command id, if readable. */
  readonly sequence?: number;
  /** The unknown command id, when `reason` is `command`. */
  readonly commandId?: number;

  /**
   * Creates a decode error.
   *
   * @example
   * ```ts
   * import { ZreDecodeError } from "./codec.ts";
   * const err = new ZreDecodeError("version", "version 3");
   * console.log(err.reason); // "version"
   * ```
   */
  constructor(
    reason: ZreDecodeFailure,
    message: string,
    sequence?: number,
    commandId?: number,
  ) {
    super(message);
    this.name = "ZreDecodeError";
    this.reason = reason;
    if (sequence !== undefined) this.sequence = sequence;
    if (commandId !== undefined) this.commandId = commandId;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class Writer {
  #chunks: number[] = [];
  #parts: Uint8Array[] = [];
  #length = 0;

  #flush(): void {
    if (this.#chunks.length) {
      this.#parts.push(Uint8Array.from(this.#chunks));
      this.#length += this.#chunks.length;
      this.#chunks = [];
    }
  }
  n1(value: number, what: string): void {
    checkInt(value, 0xff, what);
    this.#chunks.push(value);
  }
  n2(value: number, what: string): void {
    checkInt(value, 0xffff, what);
    this.#chunks.push(value >>> 8, value & 0xff);
  }
  n4(value: number, what: string): void {
    checkInt(value, 0xffffffff, what);
    this.#chunks.push(
      (value >>> 24) & 0xff,
      (value >>> 16) & 0xff,
      (value >>> 8) & 0xff,
      value & 0xff,
    );
  }
  bytes(bytes: Uint8Array): void {
    this.#flush();
    this.#parts.push(bytes);
    this.#length += bytes.length;
  }
  string(value: string, what: string): void {
    const bytes = utf8(value, what);
    if (bytes.length > 0xff) {
      throw new RangeError(
        `${what} is ${bytes.length} bytes long; a ZRE string holds at most 255`,
      );
    }
    this.n1(bytes.length, what);
    this.bytes(bytes);
  }
  longstr(value: string, what: string): void {
    const bytes = utf8(value, what);
    this.n4(bytes.length, what);
    this.bytes(bytes);
  }
  finish(): Uint8Array {
    this.#flush();
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

function checkInt(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} must be an integer from 0 to ${max}`);
  }
}

function utf8(value: string, what: string): Uint8Array {
  if (typeof value !== "string") {
    throw new TypeError(`${what} must be a string`);
  }
  return encoder.encode(value);
}

class Reader {
  #at = 0;
  constructor(readonly data: Uint8Array) {}

  #need(size: number, what: string): void {
    if (this.#at + size > this.data.length) {
      throw new ZreDecodeError(
        "truncated",
        `ZRE message truncated in ${what}`,
      );
    }
  }
  n1(what: string): number {
    this.#need(1, what);
    return this.data[this.#at++];
  }
  n2(what: string): number {
    this.#need(2, what);
    const d = this.data, at = this.#at;
    this.#at += 2;
    return (d[at] << 8) | d[at + 1];
  }
  n4(what: string): number {
    this.#need(4, what);
    const d = this.data, at = this.#at;
    this.#at += 4;
    return ((d[at] << 24) >>> 0) + (d[at + 1] << 16) + (d[at + 2] << 8) +
      d[at + 3];
  }
  #text(size: number, what: string): string {
    this.#need(size, what);
    const text = decoder.decode(
      this.data.subarray(this.#at, this.#at + size),
    );
    this.#at += size;
    return text;
  }
  string(what: string): string {
    return this.#text(this.n1(what), what);
  }
  longstr(what: string): string {
    return this.#text(this.n4(what), what);
  }
  /** A count of items each at least `minSize` octets: checked against what is left. */
  count(minSize: number, what: string): number {
    const count = this.n4(what);
    this.#need(count * minSize, what);
    return count;
  }
  end(): void {
    if (this.#at !== this.data.length) {
      throw new ZreDecodeError(
        "trailing",
        `ZRE message has ${
          this.data.length - this.#at
        } octets after its last field`,
      );
    }
  }
}

/**
 * Encodes a ZRE message into the frames of one ZeroMQ multipart message:
 * the command frame, then the content frames of WHISPER and SHOUT.
 * Throws RangeError or TypeError for values the protocol cannot carry
 * (a string over 255 UTF-8 octets, a sequence over 65535, ...).
 *
 * @example
 * ```ts
 * import { encodeMessage } from "./codec.ts";
 * const [frame] = encodeMessage({ command: "PING", sequence: 7 });
 * console.log(frame); // Uint8Array [ 0xaa, 0xa1, 6, 2, 0, 7 ]
 * ```
 */
export function encodeMessage(message: ZreMessage): Uint8Array[] {
  const w = new Writer();
  const id = ZreCommandId[message.command];
  if (id === undefined) {
    throw new TypeError(`Unknown ZRE command ${String(message.command)}`);
  }
  w.n1(ZRE_SIGNATURE[0], "signature");
  w.n1(ZRE_SIGNATURE[1], "signature");
  w.n1(id, "command");
  w.n1(ZRE_VERSION, "version");
  w.n2(message.sequence, "sequence");
  switch (message.command) {
    case "HELLO": {
      w.string(message.endpoint, "endpoint");
      w.n4(message.groups.length, "groups");
      for (const group of message.groups) w.longstr(group, "group");
      w.n1(message.status, "status");
      w.string(message.name, "name");
      const entries = Object.entries(message.headers);
      w.n4(entries.length, "headers");
      for (const [key, value] of entries) {
        w.string(key, "header name");
        w.longstr(value, "header value");
      }
      return [w.finish()];
    }
    case "WHISPER":
      return [w.finish(), ...message.content];
    case "SHOUT":
      w.string(message.group, "group");
      return [w.finish(), ...message.content];
    case "JOIN":
    case "LEAVE":
      w.string(message.group, "group");
      w.n1(message.status, "status");
      return [w.finish()];
    case "PING":
    case "PING_OK":
      return [w.finish()];
  }
}

const COMMANDS: Record<number, ZreCommand> = Object.fromEntries(
  Object.entries(ZreCommandId).map(([name, id]) => [id, name as ZreCommand]),
);

/**
 * Decodes the frames of one ZRE message (without the ROUTER's identity
 * frame). Throws {@link ZreDecodeError}, and nothing else, for any input that
 * is not a valid ZRE v2 message.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./codec.ts";
 * const message = decodeMessage([
 *   new Uint8Array([0xaa, 0xa1, 2, 2, 0, 3]),
 *   new TextEncoder().encode("hi"),
 * ]);
 * console.log(message.command, message.sequence); // WHISPER 3
 * ```
 */
export function decodeMessage(frames: readonly Uint8Array[]): ZreMessage {
  if (!Array.isArray(frames) || frames.length === 0) {
    throw new ZreDecodeError("empty", "ZRE message has no frame");
  }
  for (const frame of frames) {
    if (!(frame instanceof Uint8Array)) {
      throw new ZreDecodeError("empty", "ZRE message frames must be bytes");
    }
  }
  const r = new Reader(frames[0]);
  if (
    frames[0].length < 2 || frames[0][0] !== ZRE_SIGNATURE[0] ||
    frames[0][1] !== ZRE_SIGNATURE[1]
  ) {
    throw new ZreDecodeError("signature", "Not a ZRE message (signature)");
  }
  r.n2("signature");
  const id = r.n1("command");
  const version = r.n1("version");
  if (version !== ZRE_VERSION) {
    throw new ZreDecodeError("version", `Unsupported ZRE version ${version}`);
  }
  const sequence = r.n2("sequence");
  const command = COMMANDS[id];
  if (command === undefined) {
    throw new ZreDecodeError(
      "command",
      `Unknown ZRE command id ${id}`,
      sequence,
      id,
    );
  }
  const content = frames.slice(1);
  const noContent = () => {
    r.end();
    if (content.length > 0) {
      throw new ZreDecodeError(
        "trailing",
        `ZRE ${command} has ${content.length} unexpected frame(s)`,
      );
    }
  };
  switch (command) {
    case "HELLO": {
      const endpoint = r.string("endpoint");
      const groups: string[] = [];
      for (let n = r.count(4, "groups"); n > 0; n--) {
        groups.push(r.longstr("group"));
      }
      const status = r.n1("status");
      const name = r.string("name");
      const entries: [string, string][] = [];
      for (let n = r.count(5, "headers"); n > 0; n--) {
        const key = r.string("header name");
        entries.push([key, r.longstr("header value")]);
      }
      noContent();
      return {
        command,
        sequence,
        endpoint,
        groups,
        status,
        name,
        headers: Object.fromEntries(entries),
      };
    }
    case "WHISPER":
      r.end();
      return { command, sequence, content };
    case "SHOUT": {
      const group = r.string("group");
      r.end();
      return { command, sequence, group, content };
    }
    case "JOIN":
    case "LEAVE": {
      const group = r.string("group");
      const status = r.n1("status");
      noContent();
      return { command, sequence, group, status };
    }
    case "PING":
    case "PING_OK":
      noContent();
      return { command, sequence };
  }
}
