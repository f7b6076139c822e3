import { MinHeap } from "./min-heap.js";
import type { StoredMessage } from "./types.js";

export interface Visibility {
  at: number;
  seq: number;
}

/**
 * One message group's messages in sequence order. Removal only marks: a message is live while its set still
 * maps its seq to it, so deletes (nearly always at the front) cost nothing here and the dead are dropped
 * when they pile up.
 */
class MessageGroup {
  items: StoredMessage[] = [];
  head = 0;
  live = 0;
  dead = 0;
  /** Messages a receive or a visibility change may have put in flight; pruned as they turn out not to be. */
  readonly held = new Set<StoredMessage>();

  constructor(private readonly isLive: (message: StoredMessage) => boolean) {}

  insert(message: StoredMessage): void {
    const items = this.items;
    if (items.length === this.head || items[items.length - 1].seq < message.seq) items.push(message);
    else {
      const at = this.firstAfter(message.seq - 1);
      if (at < items.length && items[at].seq === message.seq) items[at] = message;
      else items.splice(at, 0, message);
    }
    this.live++;
  }

  remove(message: StoredMessage): void {
    this.live--;
    this.dead++;
    this.held.delete(message);
    while (this.head < this.items.length && !this.isLive(this.items[this.head])) {
      this.head++;
      this.dead--;
    }
    if (this.dead > 32 && this.dead > this.live) {
      this.items = this.items.slice(this.head).filter(this.isLive);
      this.head = 0;
      this.dead = 0;
    }
  }

  /** Index of the first message (live or not) with a seq above `seq`. */
  private firstAfter(seq: number): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first live message after `seq`, or the group's first when `seq` is undefined. */
  next(seq?: number): StoredMessage | undefined {
    for (let i = seq === undefined ? this.head : this.firstAfter(seq); i < this.items.length; i++) {
      if (this.isLive(this.items[i])) return this.items[i];
    }
    return undefined;
  }

  /** A group with a message in flight yields nothing, whatever the order of its other messages. */
  locked(now: number): boolean {
    for (const message of this.held) {
      if (message.visibleAt > now && message.receiveCount > 0) return true;
      // Only a receive or a visibility change can put it back in flight, and both hold it again.
      this.held.delete(message);
    }
    return false;
  }
}

interface Cursor {
  group: MessageGroup;
  message: StoredMessage;
}

/** A queue's messages by seq (see `inOrder`), FIFO queues' also by group. */
export class MessageSet {
  bySeq = new Map<number, StoredMessage>();
  lastSeq = 0;
  private sorted = true;
  readonly visibility = new MinHeap<Visibility>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private readonly groups = new Map<string, MessageGroup>();
  private readonly isLive = (message: StoredMessage): boolean => this.bySeq.get(message.seq) === message;

  /** Only a FIFO queue's messages are kept by group: a standard queue's may carry a group id but ignore it. */
  constructor(readonly fifo: boolean) {}

  add(message: StoredMessage): void {
    this.bySeq.set(message.seq, message);
    // Moves bring older messages in (dead-lettered, redriven back); re-sorting on each cost O(queue) per
    // message, so the order is restored only when something walks the queue in order.
    if (message.seq < this.lastSeq) this.sorted = false;
    else this.lastSeq = message.seq;
    this.visibility.push({ at: message.visibleAt, seq: message.seq });
    if (this.fifo && message.groupId !== undefined) {
      let group = this.groups.get(message.groupId);
      if (!group) {
        group = new MessageGroup(this.isLive);
        this.groups.set(message.groupId, group);
      }
      group.insert(message);
      if (message.receiveCount > 0) group.held.add(message);
    }
  }

  remove(message: StoredMessage): void {
    if (this.bySeq.get(message.seq) !== message) return;
    this.bySeq.delete(message.seq);
    if (message.groupId === undefined) return;
    const group = this.groups.get(message.groupId);
    if (!group) return;
    group.remove(message);
    if (group.live === 0) this.groups.delete(message.groupId);
  }

  /** The messages in sequence order. */
  inOrder(): IterableIterator<StoredMessage> {
    if (!this.sorted) {
      this.bySeq = new Map([...this.bySeq.entries()].sort((a, b) => a[0] - b[0]));
      this.sorted = true;
    }
    return this.bySeq.values();
  }

  setVisibleAt(message: StoredMessage, at: number): void {
    message.visibleAt = at;
    this.visibility.push({ at, seq: message.seq });
    if (message.groupId !== undefined) this.groups.get(message.groupId)?.held.add(message);
  }

  /** Drops heap entries that no longer describe a live message. */
  cleanTop(): Visibility | undefined {
    for (;;) {
      const top = this.visibility.peek();
      if (!top) return undefined;
      const message = this.bySeq.get(top.seq);
      if (message && message.visibleAt === top.at) return top;
      this.visibility.pop();
    }
  }

  /**
   * The earliest time after `since` at which a group of this FIFO queue can open: a held message's
   * visibility running out or a group's front turning visible. Visible messages behind a lock change
   * nothing, so the queue's other messages need not be read.
   */
  nextGroupChange(since: number): number | undefined {
    let next: number | undefined;
    const consider = (at: number) => {
      if (at > since && (next === undefined || at < next)) next = at;
    };
    for (const group of this.groups.values()) {
      const front = group.next();
      if (front) consider(front.visibleAt);
      for (const message of group.held) if (this.isLive(message)) consider(message.visibleAt);
    }
    return next;
  }

  /**
   * Visible messages in sequence order, skipping every group that has a message in flight and, within a
   * group, everything behind a message that is not visible. A merge of the open groups' fronts, so a
   * receive costs the number of groups, not the length of the queue.
   */
  *fifoCandidates(now: number): Generator<StoredMessage> {
    const fronts = new MinHeap<Cursor>((a, b) => a.message.seq < b.message.seq);
    for (const group of this.groups.values()) {
      const first = group.next();
      if (first && first.visibleAt <= now && !group.locked(now)) fronts.push({ group, message: first });
    }
    for (;;) {
      const cursor = fronts.pop();
      if (!cursor) return;
      yield cursor.message;
      // The receive may have taken, deleted or moved it; either way the group goes on after its seq.
      const next = cursor.group.next(cursor.message.seq);
      if (next && next.visibleAt <= now) fronts.push({ group: cursor.group, message: next });
    }
  }
}
