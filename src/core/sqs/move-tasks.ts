import { randomUUID } from "node:crypto";
import type { Clock, Timer } from "../clock.js";
import { SqsError } from "../errors.js";
import type { Caller } from "../identity.js";
import type { LongPoll } from "../long-poll.js";
import type { MoveTaskRow, Store } from "../../store/types.js";
import type { Queue } from "./queue.js";
import type { QueueRegistry } from "./queue-registry.js";

export interface StartMoveTaskInput {
  SourceArn?: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
}

export interface MoveTaskEntry {
  TaskHandle?: string;
  Status: string;
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  FailureReason?: string;
  StartedTimestamp: number;
}

/** Without a limit, tasks move at SQS's own ceiling. */
const DEFAULT_RATE = 500;
const MAX_BATCH = 50;
const NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue";

const notFound = (parameter: string) =>
  new SqsError("ResourceNotFoundException", `The resource that you specified for the ${parameter} parameter doesn't exist.`);
const invalid = (message: string) => new SqsError("InvalidParameterValueException", message);

/**
 * StartMessageMoveTask and friends. Each step moves a batch and records progress in the same transaction,
 * so a restart resumes a task without losing or duplicating a message.
 */
export class MoveTaskService {
  private tasks = new Map<string, MoveTaskRow>();
  private timers = new Map<string, Timer>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly registry: QueueRegistry,
    private readonly longPoll: LongPoll,
  ) {
    for (const task of store.loadMoveTasks()) {
      if (task.status === "CANCELLING") task.status = "CANCELLED";
      this.tasks.set(task.taskId, task);
      if (task.status === "RUNNING") this.schedule(task);
    }
  }

  private ownQueue(caller: Caller, arn: string | undefined, parameter: string): Queue {
    const queue = arn ? this.registry.byQueueArn(arn) : undefined;
    if (!queue || queue.accountId !== caller.accountId || queue.region !== caller.region) throw notFound(parameter);
    return queue;
  }

  start(caller: Caller, input: StartMoveTaskInput): string {
    const source = this.ownQueue(caller, input.SourceArn, "SourceArn");
    const destination = input.DestinationArn === undefined ? undefined : this.ownQueue(caller, input.DestinationArn, "DestinationArn");
    // A dead-letter queue only redrives into a queue of its own type: a standard queue's messages have no
    // group or sequence for a FIFO queue, and a FIFO queue's order would be lost in a standard one.
    if (destination && destination.fifo !== source.fifo) {
      throw invalid("The destination queue must be of the same type as the source queue.");
    }
    const rate = input.MaxNumberOfMessagesPerSecond;
    if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > 500)) {
      throw invalid("Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: You must enter a number that's between 1 and 500.");
    }
    if (this.registry.deadLetterSources(source).length === 0) {
      throw invalid("Source queue must be configured as a Dead Letter Queue.");
    }
    if ([...this.tasks.values()].some((t) => t.sourceArn === source.arn && t.status === "RUNNING")) {
      throw invalid("There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
    }
    const mark = this.store.moveWatermark(source.id);
    const task: MoveTaskRow = {
      taskId: randomUUID(),
      sourceArn: source.arn,
      destinationArn: input.DestinationArn,
      maxPerSecond: rate,
      status: "RUNNING",
      moved: 0,
      toMove: mark.count,
      startedAt: this.clock.now(),
      watermark: mark.upToSeq,
    };
    this.store.saveMoveTask(task);
    this.tasks.set(task.taskId, task);
    this.schedule(task);
    return handleOf(task);
  }

  cancel(caller: Caller, handle: string | undefined): number {
    const { taskId, sourceArn } = parseHandle(handle ?? "");
    this.ownQueue(caller, sourceArn, "SourceArn");
    const task = this.tasks.get(taskId);
    if (!task || task.sourceArn !== sourceArn) throw new SqsError("ResourceNotFoundException", "Task does not exist.");
    if (task.status !== "RUNNING") throw invalid("Only active tasks can be cancelled.");
    this.timers.get(taskId)?.cancel();
    this.timers.delete(taskId);
    task.status = "CANCELLED";
    this.store.saveMoveTask(task);
    return task.moved;
  }

  list(caller: Caller, sourceArn: string | undefined, maxResults: number | undefined): MoveTaskEntry[] {
    const source = this.ownQueue(caller, sourceArn, "SourceArn");
    const max = maxResults ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalid(`Value ${max} for parameter MaxResults is invalid. Reason: You must enter a number that's between 1 and 10.`);
    }
    return [...this.tasks.values()]
      .filter((t) => t.sourceArn === source.arn)
      .sort((a, b) => b.startedAt - a.startedAt)
      .slice(0, max)
      .map((t) => ({
        TaskHandle: t.status === "RUNNING" ? handleOf(t) : undefined,
        Status: t.status,
        SourceArn: t.sourceArn,
        DestinationArn: t.destinationArn,
        MaxNumberOfMessagesPerSecond: t.maxPerSecond,
        ApproximateNumberOfMessagesMoved: t.moved,
        ApproximateNumberOfMessagesToMove: t.toMove,
        FailureReason: t.failureReason,
        StartedTimestamp: t.startedAt,
      }));
  }

  private schedule(task: MoveTaskRow): void {
    const rate = task.maxPerSecond ?? DEFAULT_RATE;
    const batch = Math.min(rate, MAX_BATCH);
    const interval = (1000 * batch) / rate;
    const tick = () => {
      this.timers.delete(task.taskId);
      if (task.status !== "RUNNING") return;
      this.step(task, batch);
      if (task.status === "RUNNING") this.timers.set(task.taskId, this.clock.schedule(interval, tick));
    };
    this.timers.set(task.taskId, this.clock.schedule(interval, tick));
  }

  /** Moves one batch; the task's progress is saved in the same transaction as the messages. */
  private step(task: MoveTaskRow, batch: number): void {
    const now = this.clock.now();
    const woken = new Set<number>();
    this.store.transaction(() => {
      const source = this.registry.byQueueArn(task.sourceArn);
      const fixed = task.destinationArn !== undefined ? this.registry.byQueueArn(task.destinationArn) : undefined;
      if (!source || (task.destinationArn !== undefined && !fixed)) {
        this.finish(task, "FAILED", NON_EXISTENT_QUEUE);
        return;
      }
      const messages = this.store.messagesToMove(source.id, task.watermark, batch, now);
      for (const message of messages) {
        const target = fixed ?? (message.deadLetterSourceArn ? this.registry.byQueueArn(message.deadLetterSourceArn) : undefined);
        if (!target) {
          this.finish(task, "FAILED", message.deadLetterSourceArn ? NON_EXISTENT_QUEUE : "CouldNotDetermineMessageSource");
          return;
        }
        this.store.relocate(message.seq, target.id, now, now + target.settings.messageRetentionPeriod * 1000);
        task.moved++;
        woken.add(target.id);
      }
      if (messages.length < batch) task.status = "COMPLETED";
      this.store.saveMoveTask(task);
    });
    for (const queueId of woken) this.longPoll.notify(queueId);
  }

  private finish(task: MoveTaskRow, status: "FAILED", reason: string): void {
    task.status = status;
    task.failureReason = reason;
    this.store.saveMoveTask(task);
  }

  close(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }
}

function handleOf(task: MoveTaskRow): string {
  return Buffer.from(JSON.stringify({ taskId: task.taskId, sourceArn: task.sourceArn })).toString("base64");
}

function parseHandle(handle: string): { taskId: string; sourceArn: string } {
  try {
    const parsed = JSON.parse(Buffer.from(handle, "base64").toString("utf8")) as { taskId?: unknown; sourceArn?: unknown };
    if (typeof parsed.taskId === "string" && typeof parsed.sourceArn === "string") {
      return { taskId: parsed.taskId, sourceArn: parsed.sourceArn };
    }
  } catch {
    // reported below
  }
  throw invalid("Value for parameter TaskHandle is invalid.");
}
