/**
 * One way to publish events: an `EventTarget` with listeners typed by event
 * name, that is also an async iterable (each iterator gets every event from
 * the moment it starts, queued until read, and finishes when the hub ends).
 * Socket events, the ZAP authenticator and Zyre nodes are hubs.
 *
 * @module
 */

/** A listener of events of type `E`. */
export type HubListener<E extends Event> =
  | ((event: E) => void)
  | { handleEvent(event: E): void };

interface Follower<E> {
  readonly queue: E[];
  wake?: () => void;
  ended: boolean;
}

/**
 * An `EventTarget` and async iterable of events; `Events` maps each event
 * name to its event class.
 *
 * @example
 * ```ts
 * import { EventHub } from "@deno-zmq/zmq";
 *
 * class Ticks extends EventHub<{ tick: Event }> {
 *   tick() {
 *     this.emit(new Event("tick"));
 *   }
 *   stop() {
 *     this.end();
 *   }
 * }
 * const ticks = new Ticks();
 * ticks.addEventListener("tick", (event) => console.log(event.type));
 * const iterator = ticks[Symbol.asyncIterator]();
 * ticks.tick();
 * ticks.stop();
 * console.log((await iterator.next()).value?.type); // "tick"
 * console.log((await iterator.next()).done); // true
 * ```
 */
export class EventHub<Events extends Record<string, Event>> extends EventTarget
  implements AsyncIterable<Events[keyof Events]> {
  readonly #followers = new Set<Follower<Events[keyof Events]>>();
  #ended = false;

  /** Whether the hub has ended: no more events, iterators are finished. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Queues an event for every iterator, then dispatches it to the listeners. */
  protected emit(event: Events[keyof Events]): void {
    for (const follower of this.#followers) {
      follower.queue.push(event);
      follower.wake?.();
      follower.wake = undefined;
    }
    this.dispatchEvent(event);
  }

  /** Ends the hub: iterators finish once they have read what is queued. */
  protected end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const follower of this.#followers) {
      follower.ended = true;
      follower.wake?.();
      follower.wake = undefined;
    }
    this.#followers.clear();
  }

  /** Undoes {@link EventHub.end} for a hub that starts again (new iterators follow it). */
  protected reopen(): void {
    this.#ended = false;
  }

  /** Iterates over the events emitted from now on, until the hub ends. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Events[keyof Events]> {
    type E = Events[keyof Events];
    const follower: Follower<E> = { queue: [], ended: this.#ended };
    if (!follower.ended) this.#followers.add(follower);
    const done: IteratorReturnResult<undefined> = {
      done: true,
      value: undefined,
    };
    const iterator: AsyncIterableIterator<E> = {
      next: async (): Promise<IteratorResult<E>> => {
        while (follower.queue.length === 0 && !follower.ended) {
          await new Promise<void>((resolve) => follower.wake = resolve);
        }
        return follower.queue.length > 0
          ? { done: false, value: follower.queue.shift()! }
          : done;
      },
      return: (): Promise<IteratorResult<E>> => {
        follower.ended = true;
        follower.queue.length = 0;
        this.#followers.delete(follower);
        follower.wake?.();
        return Promise.resolve(done);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Listens to one kind of event, typed. */
  override addEventListener<K extends keyof Events & string>(
    type: K,
    listener: HubListener<Events[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Listens to any event type, as on every `EventTarget`. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
  }

  /** Stops listening, typed. */
  override removeEventListener<K extends keyof Events & string>(
    type: K,
    listener: HubListener<Events[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Stops listening, as on every `EventTarget`. */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
  }
}
