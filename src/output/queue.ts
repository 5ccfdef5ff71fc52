/**
 * Bounded FIFO (ring buffer) for the asynchronous outputs. push() never blocks: when the
 * queue is full it refuses the item and counts it, so the producer (the replay loop) goes on
 * and the loss is visible.
 */
export class BoundedQueue<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private size = 0;
  /** items accepted by push()/unshift() over the queue's life */
  accepted = 0;
  /** items refused because the queue was full */
  refused = 0;
  /** largest length reached */
  highWater = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
    this.buf = new Array<T | undefined>(Math.min(capacity, 1024));
  }

  get length(): number {
    return this.size;
  }
  isFull(): boolean {
    return this.size >= this.capacity;
  }

  /** Appends; false (and refused++) when full. */
  push(item: T): boolean {
    if (this.size >= this.capacity) {
      this.refused++;
      return false;
    }
    this.grow();
    this.buf[(this.head + this.size) % this.buf.length] = item;
    this.size++;
    this.accepted++;
    if (this.size > this.highWater) this.highWater = this.size;
    return true;
  }

  /**
   * Puts an item back at the front (a retry keeps its place). Allowed to exceed the capacity
   * by the number of items in flight, so a retried item is never refused.
   */
  unshift(item: T): void {
    this.grow();
    this.head = (this.head - 1 + this.buf.length) % this.buf.length;
    this.buf[this.head] = item;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.size--;
    return item;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.buf[this.head];
  }

  /** Removes and returns everything (oldest first). */
  drain(): T[] {
    const out: T[] = [];
    for (let x = this.shift(); x !== undefined; x = this.shift()) out.push(x);
    return out;
  }

  private grow(): void {
    if (this.size < this.buf.length) return;
    const n = new Array<T | undefined>(this.buf.length * 2);
    for (let i = 0; i < this.size; i++) n[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = n;
    this.head = 0;
  }
}
