import type Database from "better-sqlite3";
import { CANDIDATE_COLUMNS, type CandidateRow } from "./sqlite-rows.js";
import type { FifoLocks } from "./sqlite-fifo-locks.js";
import { byLimit } from "./sqlite-statements.js";

/**
 * FIFO candidates: the first `limit` messages, in sequence order, that a receive may take. A message
 * qualifies when it is visible, no message of its group is in flight, and no earlier message of its group is
 * invisible (delayed). Two plans answer the same question:
 *
 * - the sequence walk reads the queue's visible messages front to back, skipping those with an invisible one
 *   ahead in their group. It stops as soon as it has `limit` messages, so it is cheap when available groups
 *   sit near the head, but when the groups at the head are locked it reads every message behind them;
 * - the group walk visits each group once (a skip scan over messages_by_group), passes over a locked group
 *   without reading it and reads at most `limit` messages of each open group. Its cost follows the number of
 *   groups, not messages.
 *
 * Which groups are locked (have a message in flight anywhere) comes from FifoLocks. Both plans pick sequence
 * numbers from narrow reads and only then read the rows they picked, bodies and all.
 *
 * Queues with few groups take the group walk. With many, a sequence walk over the first SEQ_WALK_ROWS
 * messages comes first and the group walk only answers what that window could not.
 */
const GROUP_WALK_MAX_GROUPS = 32;
const SEQ_WALK_ROWS = 256;

/** Past every sequence number: an open bound. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

const columns = CANDIDATE_COLUMNS.join(", ");

// The groups of a queue in group_id order, one index seek each rather than a read of every message.
const GROUPS_CTE = `grp(g, n) AS (
    SELECT (SELECT group_id FROM messages INDEXED BY messages_by_group
             WHERE queue_id = @queue AND group_id IS NOT NULL ORDER BY group_id LIMIT 1), 1
    UNION ALL
    SELECT (SELECT group_id FROM messages INDEXED BY messages_by_group
             WHERE queue_id = @queue AND group_id > grp.g ORDER BY group_id LIMIT 1), n + 1
      FROM grp WHERE grp.g IS NOT NULL`;

type Position = [seq: number, visibleAt: number];

function prepareFifoStatements(db: Database.Database) {
  return {
    /** How many groups the queue has, counted up to one past GROUP_WALK_MAX_GROUPS. */
    groupCount: db
      .prepare<{ queue: number }, number>(
        `WITH RECURSIVE ${GROUPS_CTE} AND n <= ${GROUP_WALK_MAX_GROUPS})
         SELECT count(g) FROM grp`,
      )
      .pluck(),
    groups: db
      .prepare<{ queue: number }, string>(`WITH RECURSIVE ${GROUPS_CTE}) SELECT g FROM grp WHERE g IS NOT NULL`)
      .pluck(),
    /** A group's first messages in sequence order: what a receive may take from it, up to the first invisible. */
    groupFront: byLimit((limit) =>
      db
        .prepare<[queue: number, group: string], Position>(
          `SELECT seq, visible_at FROM messages INDEXED BY messages_by_group
            WHERE queue_id = ? AND group_id = ? ORDER BY seq LIMIT ${limit}`,
        )
        .raw(true),
    ),
    /** The sequence number of the queue's SEQ_WALK_ROWS-th message: how far a bounded sequence walk reads. */
    seqWalkBound: db
      .prepare<[queue: number], number>(
        `SELECT seq FROM messages INDEXED BY messages_by_queue WHERE queue_id = ? AND group_id IS NOT NULL
          ORDER BY seq LIMIT 1 OFFSET ${SEQ_WALK_ROWS - 1}`,
      )
      .pluck(),
    // Visible messages with no invisible one ahead of them in their group; whether a later one of the
    // group is in flight is FifoLocks' to say.
    seqWalk: db
      .prepare<{ queue: number; now: number; bound: number }, [seq: number, group: string]>(
        `SELECT seq, group_id FROM messages m INDEXED BY messages_by_queue
          WHERE m.queue_id = @queue AND m.group_id IS NOT NULL AND m.seq <= @bound AND m.visible_at <= @now
            AND NOT EXISTS (SELECT 1 FROM messages o INDEXED BY messages_by_group
                             WHERE o.queue_id = @queue AND o.group_id = m.group_id AND o.seq < m.seq
                               AND o.visible_at > @now)
          ORDER BY m.seq`,
      )
      .raw(true),
    candidate: db.prepare<[seq: number], CandidateRow>(`SELECT ${columns} FROM messages WHERE seq = ?`).raw(true),
  };
}

type FifoStatements = ReturnType<typeof prepareFifoStatements>;

/** How many receives of a queue reuse one count of its groups before counting again. */
const RECOUNT_EVERY = 32;

/** Picks the plan per queue; the group count it remembers only ever chooses a plan, never a result. */
export class FifoCandidates {
  private readonly stmt: FifoStatements;
  private readonly plans = new Map<number, { fewGroups: boolean; uses: number }>();

  constructor(
    db: Database.Database,
    private readonly locks: FifoLocks,
  ) {
    this.stmt = prepareFifoStatements(db);
  }

  /** The first `limit` FIFO candidates of the queue, in sequence order. */
  find(queue: number, now: number, limit: number): CandidateRow[] {
    const rows: CandidateRow[] = [];
    for (const seq of this.pick(queue, now, limit)) {
      const row = this.stmt.candidate.get(seq);
      if (row) rows.push(row);
    }
    return rows;
  }

  forget(queue: number): void {
    this.plans.delete(queue);
    this.locks.forget(queue);
  }

  private pick(queue: number, now: number, limit: number): number[] {
    if (this.fewGroups(queue)) return this.groupWalk(queue, now, limit);
    const bound = this.stmt.seqWalkBound.get(queue);
    const seqs = this.seqWalk(queue, now, limit, bound ?? NO_BOUND);
    // Short of `limit` within the window: what qualifies may lie anywhere behind it.
    if (seqs.length >= limit || bound === undefined) return seqs;
    return this.groupWalk(queue, now, limit);
  }

  /** Each open group's run of visible messages from its front, merged in sequence order. */
  private groupWalk(queue: number, now: number, limit: number): number[] {
    const seqs: number[] = [];
    for (const group of this.stmt.groups.all({ queue })) {
      if (this.locks.locked(queue, group, now)) continue;
      for (const [seq, visibleAt] of this.stmt.groupFront(limit).all(queue, group)) {
        if (visibleAt > now) break;
        seqs.push(seq);
      }
    }
    return seqs.sort((a, b) => a - b).slice(0, limit);
  }

  /** The queue front to back, dropping each group at its first invisible message or if it is locked. */
  private seqWalk(queue: number, now: number, limit: number, bound: number): number[] {
    const seqs: number[] = [];
    for (const [seq, group] of this.stmt.seqWalk.iterate({ queue, now, bound })) {
      // A map lookup: FifoLocks keeps when each held message turns visible.
      if (this.locks.locked(queue, group, now)) continue;
      seqs.push(seq);
      if (seqs.length >= limit) break;
    }
    return seqs;
  }

  private fewGroups(queue: number): boolean {
    let plan = this.plans.get(queue);
    if (!plan || plan.uses >= RECOUNT_EVERY) {
      plan = { fewGroups: (this.stmt.groupCount.get({ queue }) ?? 0) <= GROUP_WALK_MAX_GROUPS, uses: 0 };
      this.plans.set(queue, plan);
    }
    plan.uses++;
    return plan.fewGroups;
  }
}
