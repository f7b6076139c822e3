import type Database from "better-sqlite3";

type MessageState = [queueId: number, visibleAt: number, receiveCount: number];

interface QueueLocks {
  /** Per group, the messages that may be in flight and until when. */
  byGroup: Map<string, Map<number, number>>;
  groupOf: Map<number, string>;
  /** Messages left without saying which (the retention sweep): check every entry against its row first. */
  unsure: boolean;
}

function prepareLockStatements(db: Database.Database) {
  return {
    inFlight: db
      .prepare<[queue: number, now: number], [seq: number, group: string, visibleAt: number]>(
        `SELECT seq, group_id, visible_at FROM messages INDEXED BY messages_by_visibility
          WHERE queue_id = ? AND visible_at > ? AND receive_count > 0 AND group_id IS NOT NULL`,
      )
      .raw(true),
    state: db
      .prepare<[seq: number], MessageState>("SELECT queue_id, visible_at, receive_count FROM messages WHERE seq = ?")
      .raw(true),
  };
}

/**
 * Which groups of each FIFO queue have a message in flight. An index over (group, visibility) answers that
 * too, but it costs a page written per message on every send, receive and delete: the largest share of a
 * FIFO queue's writes when it has many groups.
 *
 * Only a receive and a visibility change give a message a visibility in the future, and both report it
 * here; a delete reports the message gone. The retention sweep removes messages without saying which, so
 * after it the entries are checked against their rows before they are trusted again, and a rolled-back
 * transaction or a failed commit drops everything, to be read again from the rows. A queue is read from its
 * rows the first time a receive asks, so opening a store costs nothing here.
 */
export class FifoLocks {
  private readonly queues = new Map<number, QueueLocks>();
  private readonly stmt: ReturnType<typeof prepareLockStatements>;

  constructor(db: Database.Database) {
    this.stmt = prepareLockStatements(db);
  }

  /** A receive or visibility change left `seq` invisible until `visibleAt`. */
  hold(queue: number, group: string, seq: number, visibleAt: number): void {
    // Not read yet: the read will see this write in the rows.
    const locks = this.queues.get(queue);
    if (locks) this.put(locks, group, seq, visibleAt);
  }

  /** `seq` was deleted. */
  release(queue: number, seq: number): void {
    const locks = this.queues.get(queue);
    const group = locks?.groupOf.get(seq);
    if (!locks || group === undefined) return;
    locks.groupOf.delete(seq);
    const held = locks.byGroup.get(group);
    held?.delete(seq);
    if (held?.size === 0) locks.byGroup.delete(group);
  }

  /** Whether the group has a message in flight at `now`. */
  locked(queue: number, group: string, now: number): boolean {
    const locks = this.load(queue, now);
    const held = locks.byGroup.get(group);
    if (!held) return false;
    for (const [seq, visibleAt] of held) {
      if (visibleAt > now) return true;
      // Visible again: only another receive or visibility change can hide it, and both report it.
      held.delete(seq);
      locks.groupOf.delete(seq);
    }
    locks.byGroup.delete(group);
    return false;
  }

  /** Messages of these queues were removed without being named. */
  removedUnnamed(queues: Iterable<number>): void {
    for (const queue of queues) {
      const locks = this.queues.get(queue);
      if (locks) locks.unsure = true;
    }
  }

  forget(queue: number): void {
    this.queues.delete(queue);
  }

  /** After a rollback the entries may name writes that never happened, or miss ones it restored. */
  reset(): void {
    this.queues.clear();
  }

  private put(locks: QueueLocks, group: string, seq: number, visibleAt: number): void {
    let held = locks.byGroup.get(group);
    if (!held) {
      held = new Map();
      locks.byGroup.set(group, held);
    }
    held.set(seq, visibleAt);
    locks.groupOf.set(seq, group);
  }

  private load(queue: number, now: number): QueueLocks {
    let locks = this.queues.get(queue);
    if (locks && !locks.unsure) return locks;
    if (locks) {
      for (const seq of [...locks.groupOf.keys()]) {
        const state = this.stmt.state.get(seq);
        if (state && state[0] === queue && state[1] > now && state[2] > 0) continue;
        this.release(queue, seq);
      }
      locks.unsure = false;
      return locks;
    }
    locks = { byGroup: new Map(), groupOf: new Map(), unsure: false };
    for (const [seq, group, visibleAt] of this.stmt.inFlight.all(queue, now)) this.put(locks, group, seq, visibleAt);
    this.queues.set(queue, locks);
    return locks;
  }
}
