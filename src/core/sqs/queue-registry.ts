import type { Clock } from "../clock.js";
import { SqsError, invalidParameter } from "../errors.js";
import type { Caller } from "../identity.js";
import type { QueueRow, Store } from "../../store/types.js";
import { isValidQueueName, queueArn, queueKey, type Queue } from "./queue.js";
import { applyAttributes, defaultSettings, renderSettings, type QueueSettings } from "./queue-settings.js";

export const queueDoesNotExist = (): SqsError =>
  new SqsError("QueueDoesNotExist", "The specified queue does not exist.");

export interface RegistryOptions {
  /** Refuse to re-create a queue within 60 s of deleting it, as AWS does. */
  deletedRecentlyRule: boolean;
  defaultMaximumMessageSize?: number;
}

/** Queue metadata, kept in memory and written through to the store. */
export class QueueRegistry {
  private byKey = new Map<string, Queue>();
  private byArn = new Map<string, Queue>();
  private byId = new Map<number, Queue>();
  private recentlyDeleted = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: RegistryOptions,
  ) {
    for (const row of store.loadQueues()) this.index(this.fromRow(row));
  }

  private fromRow(row: QueueRow): Queue {
    const base = defaultSettings(row.fifo, this.options.defaultMaximumMessageSize);
    const { FifoQueue: _fifo, ...attributes } = row.attributes;
    return {
      id: row.id,
      region: row.region,
      accountId: row.accountId,
      name: row.name,
      fifo: row.fifo,
      arn: queueArn(row.region, row.accountId, row.name),
      settings: applyAttributes(base, attributes, "create"),
      tags: row.tags,
      createdAt: row.createdAt,
      lastModifiedAt: row.lastModifiedAt,
      deleted: false,
    };
  }

  private toRow(queue: Queue): QueueRow {
    return {
      id: queue.id,
      region: queue.region,
      accountId: queue.accountId,
      name: queue.name,
      fifo: queue.fifo,
      attributes: renderSettings(queue.settings),
      tags: queue.tags,
      createdAt: queue.createdAt,
      lastModifiedAt: queue.lastModifiedAt,
    };
  }

  private index(queue: Queue): void {
    this.byKey.set(queueKey(queue.region, queue.accountId, queue.name), queue);
    this.byArn.set(queue.arn, queue);
    this.byId.set(queue.id, queue);
  }

  get(region: string, accountId: string, name: string): Queue | undefined {
    return this.byKey.get(queueKey(region, accountId, name));
  }

  byQueueArn(arn: string): Queue | undefined {
    return this.byArn.get(arn);
  }

  byQueueId(id: number): Queue | undefined {
    return this.byId.get(id);
  }

  all(): Iterable<Queue> {
    return this.byId.values();
  }

  list(caller: Caller, prefix: string | undefined): Queue[] {
    const out: Queue[] = [];
    for (const queue of this.byId.values()) {
      if (queue.region !== caller.region || queue.accountId !== caller.accountId) continue;
      if (prefix && !queue.name.startsWith(prefix)) continue;
      out.push(queue);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  create(caller: Caller, name: string, attributes: Record<string, string>, tags: Record<string, string>): Queue {
    const fifoRequested = (attributes.FifoQueue ?? "").toLowerCase() === "true";
    const fifo = fifoRequested || name.endsWith(".fifo");
    if (name.endsWith(".fifo") && !fifoRequested) {
      throw invalidParameter("QueueName", name, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    }
    if (!isValidQueueName(name, fifo)) {
      throw new SqsError(
        "InvalidParameterValueException",
        fifo
          ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
          : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
      );
    }
    if ("FifoQueue" in attributes && !fifoRequested && !fifo) {
      throw new SqsError("InvalidAttributeName", "Unknown Attribute FifoQueue.");
    }
    const settings = applyAttributes(defaultSettings(fifo, this.options.defaultMaximumMessageSize), attributes, "create");
    this.checkRedrive(caller, name, fifo, settings);

    const existing = this.get(caller.region, caller.accountId, name);
    if (existing) {
      const current = renderSettings(existing.settings);
      const wanted = renderSettings(settings);
      for (const attribute of Object.keys(attributes)) {
        if (attribute === "FifoQueue") continue;
        if (current[attribute] !== wanted[attribute]) {
          throw new SqsError(
            "QueueNameExists",
            `A queue already exists with the same name and a different value for attribute ${attribute}`,
          );
        }
      }
      return existing;
    }
    const key = queueKey(caller.region, caller.accountId, name);
    const deletedAt = this.recentlyDeleted.get(key);
    if (this.options.deletedRecentlyRule && deletedAt !== undefined && this.clock.now() - deletedAt < 60_000) {
      throw new SqsError(
        "QueueDeletedRecently",
        "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
      );
    }
    const now = this.clock.now();
    const row = {
      region: caller.region,
      accountId: caller.accountId,
      name,
      fifo,
      attributes: renderSettings(settings),
      tags: { ...tags },
      createdAt: now,
      lastModifiedAt: now,
    };
    const id = this.store.insertQueue(row);
    const queue: Queue = { ...row, id, arn: queueArn(caller.region, caller.accountId, name), settings, deleted: false };
    this.index(queue);
    return queue;
  }

  setAttributes(caller: Caller, queue: Queue, attributes: Record<string, string>): void {
    const settings = applyAttributes(queue.settings, attributes, "set");
    this.checkRedrive(caller, queue.name, queue.fifo, settings);
    queue.settings = settings;
    queue.lastModifiedAt = this.clock.now();
    this.store.updateQueue(this.toRow(queue));
  }

  setTags(queue: Queue, tags: Record<string, string>): void {
    queue.tags = tags;
    this.store.updateQueue(this.toRow(queue));
  }

  delete(queue: Queue): void {
    this.store.deleteQueue(queue.id);
    queue.deleted = true;
    const key = queueKey(queue.region, queue.accountId, queue.name);
    this.byKey.delete(key);
    this.byArn.delete(queue.arn);
    this.byId.delete(queue.id);
    this.recentlyDeleted.set(key, this.clock.now());
  }

  /** Queues whose RedrivePolicy names `target` as their dead-letter queue. */
  deadLetterSources(target: Queue): Queue[] {
    return [...this.byId.values()]
      .filter((q) => q.settings.redrivePolicy?.deadLetterTargetArn === target.arn)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private checkRedrive(caller: Caller, sourceName: string, fifo: boolean, settings: QueueSettings): void {
    const policy = settings.redrivePolicy;
    if (!policy) return;
    const raw = JSON.stringify(policy);
    const target = this.byArn.get(policy.deadLetterTargetArn);
    if (!target || target.region !== caller.region) {
      throw invalidParameter("RedrivePolicy", raw, "Dead letter target does not exist.");
    }
    if (target.fifo !== fifo) {
      throw invalidParameter(
        "RedrivePolicy",
        raw,
        `Dead-letter queue must be same type of queue as the source.`,
      );
    }
    const allow = target.settings.redriveAllowPolicy;
    const sourceArn = queueArn(caller.region, caller.accountId, sourceName);
    const denied =
      allow?.redrivePermission === "denyAll" ||
      (allow?.redrivePermission === "byQueue" && !(allow.sourceQueueArns ?? []).includes(sourceArn)) ||
      (!allow && target.accountId !== caller.accountId);
    if (denied) {
      throw invalidParameter(
        "RedrivePolicy",
        raw,
        `Queue ${sourceArn} is not allowed to use ${target.arn} as a dead-letter queue.`,
      );
    }
  }
}
