/**
 * Web Streams over sockets: the receive and send ports of a channel.
 *
 * @module
 */

import type { Message } from "./message.ts";
import type { Socket } from "./socket.ts";

interface ReceivingSocket extends Socket {
  receive(): Promise<Uint8Array[]>;
}
interface SendingSocket extends Socket {
  send(message: Message): Promise<void>;
}

/**
 * A ReadableStream of the socket's incoming messages. A message is received
 * only when the stream is read (no read-ahead), so backpressure reaches
 * libzmq's queues. The stream ends when the socket closes; cancelling it
 * closes the socket.
 */
export function readableStreamOf(
  socket: ReceivingSocket,
): ReadableStream<Uint8Array[]> {
  return new ReadableStream<Uint8Array[]>({
    async pull(controller) {
      try {
        controller.enqueue(await socket.receive());
      } catch (err) {
        if (socket.closed) controller.close();
        else controller.error(err);
      }
    },
    cancel() {
      socket.close();
    },
  }, { highWaterMark: 0 });
}

/**
 * A WritableStream into the socket: each chunk is one message (a frame or an
 * array of frames). A write completes when libzmq accepted the message, so a
 * full high-water mark holds the writer back. Closing or aborting the stream
 * closes the socket.
 */
export function writableStreamOf(
  socket: SendingSocket,
): WritableStream<Message> {
  return new WritableStream<Message>({
    write(message) {
      return socket.send(message);
    },
    close() {
      socket.close();
    },
    abort() {
      socket.close();
    },
  }, { highWaterMark: 1 });
}
