import type Database from "better-sqlite3";
import { CANDIDATE_COLUMNS, type CandidateRow } from "./sqlite-rows.js";
import { byLimit } from "./sqlite-statements.js";

/**
 * FIFO candidates: the first `limit` messages, in sequence order, that a receive may take. A message
 * qualifies when it is visible, no message of its group is in flight, and no earlier message of its group is
 * invisible (delayed). Two plans answer the same question:
 *
 * - the sequence walk reads the queue front to back and probes each visible message's group. It stops as
 *   soon as it has `limit` messages, so it is cheap when available groups sit near the head, but when the
 *   groups at the head are locked it reads every message behind them;
 * - the group walk visits each group once (a skip scan over messages_by_group), drops a locked group with
 *   one probe and reads at most `limit` messages of each open group. Its cost follows the number of groups,
 *   not messages.
 *
 * Queues with few groups take the group walk. With many, a sequence walk over the first SEQ_WALK_ROWS
 * messages comes first and the group walk only answers what that window could not.
 */
const GROUP_WALK_MAX_GROUPS = 32;
const SEQ_WALK_ROWS = 256;

/** Past every sequence number: an open bound. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

const columns = CANDIDATE_COLUMNS.map((c) => `m.${c}`).join(", ");

// The groups of a queue in group_id order, one index seek each rather than a read of every message.
const GROUPS_CTE = `grp(g, n) AS (
    SELECT (SELECT group_id FROM messages INDEXED BY messages_by_group
             WHERE queue_id = @queue AND group_id IS NOT NULL ORDER BY group_id LIMIT 1), 1
    UNION ALL
    SELECT (SELECT group_id FROM messages INDEXED BY messages_by_group
             WHERE queue_id = @queue AND group_id > grp.g ORDER BY group_id LIMIT 1), n + 1
      FROM grp WHERE grp.g IS NOT NULL`;

// A message in flight locks its group wherever it sits: a redriven message or one whose visibility was reset
// can be ahead of it, so the group's head alone does not tell.
const LOCKED = `EXISTS (SELECT 1 FROM messages INDEXED BY messages_by_group_visibility
                 WHERE queue_id = @queue AND group_id = grp.g AND visible_at > @now AND receive_count > 0)`;

function prepareFifoStatements(db: Database.Database) {
  return {
    /** How many groups the queue has, counted up to one past GROUP_WALK_MAX_GROUPS. */
    groupCount: db
      .prepare<{ queue: number }, number>(
        `WITH RECURSIVE ${GROUPS_CTE} AND n <= ${GROUP_WALK_MAX_GROUPS})
         SELECT count(g) FROM grp`,
      )
      .pluck(),
    groupWalk: byLimit((limit) =>
      db
        .prepare<{ queue: number; now: number }, CandidateRow>(
          // For an open group every message before its first invisible one qualifies; `upto` caps that run
          // at the group's first `limit` messages, so no group contributes more than the receive can take.
          // MATERIALIZED and CROSS JOIN keep the planner from turning the walk inside out.
          `WITH RECURSIVE ${GROUPS_CTE}),
           open(g, upto) AS MATERIALIZED (
             SELECT g, min(
                      coalesce((SELECT min(seq) FROM messages INDEXED BY messages_by_group_visibility
                                 WHERE queue_id = @queue AND group_id = grp.g AND visible_at > @now) - 1, ${NO_BOUND}),
                      coalesce((SELECT seq FROM messages INDEXED BY messages_by_group
                                 WHERE queue_id = @queue AND group_id = grp.g
                                 ORDER BY seq LIMIT 1 OFFSET ${limit - 1}), ${NO_BOUND}))
               FROM grp WHERE g IS NOT NULL AND NOT ${LOCKED}
           ),
           picked(seq) AS (
             SELECT c.seq FROM open CROSS JOIN messages c INDEXED BY messages_by_group
              WHERE c.queue_id = @queue AND c.group_id = open.g AND c.seq <= open.upto
              ORDER BY c.seq LIMIT ${limit}
           )
           SELECT ${columns} FROM picked CROSS JOIN messages m
            WHERE m.seq = picked.seq AND m.queue_id = @queue
            ORDER BY m.seq`,
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
    seqWalk: byLimit((limit) =>
      db
        .prepare<{ queue: number; now: number; bound: number }, CandidateRow>(
          `SELECT ${columns} FROM messages m INDEXED BY messages_by_queue
            WHERE m.queue_id = @queue AND m.group_id IS NOT NULL AND m.seq <= @bound AND m.visible_at <= @now
              AND NOT EXISTS (SELECT 1 FROM messages o
                               WHERE o.queue_id = @queue AND o.group_id = m.group_id AND o.visible_at > @now
                                 AND (o.seq < m.seq OR o.receive_count > 0))
            ORDER BY m.seq LIMIT ${limit}`,
        )
        .raw(true),
    ),
  };
}

type FifoStatements = ReturnType<typeof prepareFifoStatements>;

/** How many receives of a queue reuse one count of its groups before counting again. */
const RECOUNT_EVERY = 32;

/** Picks the plan per queue; the group count it remembers only ever chooses a plan, never a result. */
export class FifoCandidates {
  private readonly stmt: FifoStatements;
  private readonly plans = new Map<number, { fewGroups: boolean; uses: number }>();

  constructor(db: Database.Database) {
    this.stmt = prepareFifoStatements(db);
  }

  /** The first `limit` FIFO candidates of the queue, in sequence order. */
  find(queue: number, now: number, limit: number): CandidateRow[] {
    if (this.fewGroups(queue)) return this.stmt.groupWalk(limit).all({ queue, now });
    const bound = this.stmt.seqWalkBound.get(queue);
    const rows = this.stmt.seqWalk(limit).all({ queue, now, bound: bound ?? NO_BOUND });
    // Short of `limit` within the window: what qualifies may lie anywhere behind it.
    if (rows.length >= limit || bound === undefined) return rows;
    return this.stmt.groupWalk(limit).all({ queue, now });
  }

  forget(queue: number): void {
    this.plans.delete(queue);
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
