import type { Clock, Timer } from "../clock.js";
import { SqsError, missingParameter } from "../errors.js";
import type { Caller } from "../identity.js";
import { LongPoll } from "../long-poll.js";
import type { Store } from "../../store/types.js";
import { MessageService } from "./message-service.js";
import { MoveTaskService } from "./move-tasks.js";
import { page } from "./paging.js";
import { policyAllows, policyWithoutPermission, policyWithPermission } from "./permissions.js";
import type { Queue } from "./queue.js";
import { QueueRegistry, queueDoesNotExist, type RegistryOptions } from "./queue-registry.js";
import { ALL_QUEUE_ATTRIBUTES, renderSettings } from "./queue-settings.js";

export interface SqsOptions extends Partial<RegistryOptions> {}

const MAX_TAGS = 50;
const MAX_CACHED_URLS = 1024;
const MAX_CACHED_URL_LENGTH = 512;

interface QueuePath {
  accountId: string | undefined;
  name: string;
}

function parseQueuePath(queueUrl: string): QueuePath | null {
  let path = queueUrl;
  if (/^[a-z]+:\/\//i.test(queueUrl)) {
    try {
      path = new URL(queueUrl).pathname;
    } catch {
      return null;
    }
  }
  const parts = path.split("/").filter((p) => p.length > 0);
  if (parts.length < 1 || parts.length > 2) return null;
  try {
    return parts.length === 1
      ? { accountId: undefined, name: decodeURIComponent(parts[0]) }
      : { accountId: parts[0], name: decodeURIComponent(parts[1]) };
  } catch {
    // A malformed escape cannot name any queue.
    return null;
  }
}

/** Every SQS action, on typed input, for a caller; protocols and transports live elsewhere. */
export class SqsService {
  readonly registry: QueueRegistry;
  readonly messages: MessageService;
  readonly longPoll: LongPoll;
  readonly moveTasks: MoveTaskService;
  private sweepTimer?: Timer;
  private closed = false;
  private readonly urlPaths = new Map<string, QueuePath | null>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    options: SqsOptions = {},
  ) {
    this.registry = new QueueRegistry(store, clock, {
      deletedRecentlyRule: options.deletedRecentlyRule ?? false,
      defaultMaximumMessageSize: options.defaultMaximumMessageSize,
    });
    this.longPoll = new LongPoll(clock, (queueId, now) => store.nextVisibleAt(queueId, now));
    this.messages = new MessageService(store, clock, this.registry, this.longPoll);
    this.moveTasks = new MoveTaskService(store, clock, this.registry, this.longPoll);
    this.scheduleSweep();
  }

  /** Finds the queue a QueueUrl names; queues of other accounts only where their policy allows `action`. */
  resolve(caller: Caller, queueUrl: string | undefined, action: string): Queue {
    if (queueUrl === undefined || queueUrl === "") throw missingParameter("QueueUrl");
    const named = this.queuePathOf(queueUrl);
    if (named === null) throw queueDoesNotExist();
    const accountId = named.accountId ?? caller.accountId;
    const queue = this.registry.get(caller.region, accountId, named.name);
    if (!queue) throw queueDoesNotExist();
    if (queue.accountId !== caller.accountId && !policyAllows(queue, caller.accountId, action)) throw queueDoesNotExist();
    return queue;
  }

  /**
   * The account (undefined: the caller's) and decoded name a QueueUrl (or a bare path or name) points at,
   * null when it cannot name any queue. Worked out once per distinct URL: clients send the same few on every
   * call, and parsing them showed in the profile. Only short URLs are kept and the cache is dropped whole
   * when full, so odd inputs cannot grow it.
   */
  private queuePathOf(queueUrl: string): QueuePath | null {
    const known = this.urlPaths.get(queueUrl);
    if (known !== undefined) return known;
    const parsed = parseQueuePath(queueUrl);
    if (queueUrl.length <= MAX_CACHED_URL_LENGTH) {
      if (this.urlPaths.size >= MAX_CACHED_URLS) this.urlPaths.clear();
      this.urlPaths.set(queueUrl, parsed);
    }
    return parsed;
  }

  createQueue(
    caller: Caller,
    name: string | undefined,
    attributes: Record<string, string> = {},
    tags: Record<string, string> = {},
  ): Queue {
    if (name === undefined || name === "") throw missingParameter("QueueName");
    this.validateTags(tags);
    return this.registry.create(caller, name, attributes, tags);
  }

  getQueueUrl(caller: Caller, name: string | undefined, ownerAccountId?: string): Queue {
    if (name === undefined || name === "") throw missingParameter("QueueName");
    const account = ownerAccountId && ownerAccountId.length > 0 ? ownerAccountId : caller.accountId;
    const queue = this.registry.get(caller.region, account, name);
    if (!queue) throw queueDoesNotExist();
    if (queue.accountId !== caller.accountId && !policyAllows(queue, caller.accountId, "GetQueueUrl")) {
      throw queueDoesNotExist();
    }
    return queue;
  }

  listQueues(caller: Caller, prefix?: string, maxResults?: number, nextToken?: string) {
    return page(this.registry.list(caller, prefix), maxResults, nextToken);
  }

  deleteQueue(queue: Queue): void {
    this.registry.delete(queue);
    this.longPoll.release(queue.id);
  }

  getAttributes(queue: Queue, names: readonly string[] | undefined): Record<string, string> {
    const wanted = new Set<string>();
    for (const name of names ?? []) {
      if (name === "All") ALL_QUEUE_ATTRIBUTES.forEach((n) => wanted.add(n));
      else if (!ALL_QUEUE_ATTRIBUTES.includes(name)) throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
      else wanted.add(name);
    }
    if (wanted.size === 0) return {};
    const now = this.clock.now();
    const values: Record<string, string> = {
      ...renderSettings(queue.settings),
      QueueArn: queue.arn,
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
    };
    if ([...wanted].some((n) => n.startsWith("ApproximateNumberOfMessages"))) {
      const counts = this.store.counts(queue.id, now);
      values.ApproximateNumberOfMessages = String(counts.visible);
      values.ApproximateNumberOfMessagesNotVisible = String(counts.inFlight);
      values.ApproximateNumberOfMessagesDelayed = String(counts.delayed);
    }
    const out: Record<string, string> = {};
    for (const name of ALL_QUEUE_ATTRIBUTES) if (wanted.has(name) && values[name] !== undefined) out[name] = values[name];
    return out;
  }

  setAttributes(caller: Caller, queue: Queue, attributes: Record<string, string> | undefined): void {
    if (!attributes) throw missingParameter("Attributes");
    this.registry.setAttributes(caller, queue, attributes);
  }

  tagQueue(queue: Queue, tags: Record<string, string> | undefined): void {
    if (!tags || Object.keys(tags).length === 0) throw missingParameter("Tags");
    const next = { ...queue.tags, ...tags };
    this.validateTags(next);
    this.registry.setTags(queue, next);
  }

  untagQueue(queue: Queue, keys: string[] | undefined): void {
    if (!keys || keys.length === 0) throw missingParameter("TagKeys");
    const next = { ...queue.tags };
    for (const key of keys) delete next[key];
    this.registry.setTags(queue, next);
  }

  private validateTags(tags: Record<string, string>): void {
    const keys = Object.keys(tags);
    if (keys.length > MAX_TAGS) {
      throw new SqsError("InvalidParameterValueException", `Too many tags added for queue. Maximum is ${MAX_TAGS}.`);
    }
    for (const key of keys) {
      if (key.length < 1 || key.length > 128) {
        throw new SqsError("InvalidParameterValueException", `Tag keys must be between 1 and 128 characters in length.`);
      }
      if (tags[key].length > 256) {
        throw new SqsError("InvalidParameterValueException", `Tag values may only be up to 256 characters in length.`);
      }
    }
  }

  addPermission(caller: Caller, queue: Queue, label: string | undefined, accounts: string[] = [], actions: string[] = []): void {
    if (label === undefined) throw missingParameter("Label");
    const policy = policyWithPermission(queue, label, accounts, actions);
    this.registry.setAttributes(caller, queue, { Policy: policy });
  }

  removePermission(caller: Caller, queue: Queue, label: string | undefined): void {
    if (label === undefined) throw missingParameter("Label");
    this.registry.setAttributes(caller, queue, { Policy: policyWithoutPermission(queue, label) });
  }

  listDeadLetterSourceQueues(queue: Queue, maxResults?: number, nextToken?: string) {
    return page(this.registry.deadLetterSources(queue), maxResults, nextToken);
  }

  /** Retention: a timer at the earliest expiry removes what has run out; receives skip it meanwhile. */
  private scheduleSweep(): void {
    if (this.closed) return;
    const next = this.store.nextExpiry();
    const delay = next === undefined ? 60_000 : Math.min(60_000, Math.max(1_000, next - this.clock.now()));
    this.sweepTimer = this.clock.schedule(delay, () => {
      this.store.deleteExpired(this.clock.now());
      this.scheduleSweep();
    });
  }

  close(): void {
    this.closed = true;
    this.sweepTimer?.cancel();
    this.moveTasks.close();
    this.longPoll.releaseAll();
  }
}
