import type { CompiledFilterPolicy } from "../filter-policy/index.js";
import type { NewSubscriptionRow, SnsStore, SubscriptionRow } from "../../store/sns-types.js";
import type { SubscriptionCounts } from "./topic-attributes.js";
import { applySubscriptionAttributes, deriveSubscriptionSettings } from "./subscription-attributes.js";
import type { DeliveryProtocol, Subscription } from "./subscription.js";

/** Matches nothing: a stored policy the current compiler refuses must not widen delivery. */
const MATCH_NOTHING: CompiledFilterPolicy = { matches: () => false };

/** Subscriptions in memory (by ARN, by topic, by confirmation token), written through to the store. */
export class SubscriptionRegistry {
  private byArnMap = new Map<string, Subscription>();
  private byTopicMap = new Map<string, Map<string, Subscription>>();
  private byTokenMap = new Map<string, Subscription>();

  constructor(private readonly store: SnsStore) {
    for (const row of store.loadSubscriptions()) {
      const subscription = this.fromRow(row);
      let filter: CompiledFilterPolicy | undefined;
      try {
        filter = applySubscriptionAttributes({}, row.attributes, { endpoint: row.endpoint, topicFifo: false, viaMap: false }).filter;
      } catch {
        process.stderr.write(`sluice: filter policy of ${row.arn} no longer compiles; it matches nothing\n`);
        filter = MATCH_NOTHING;
      }
      deriveSubscriptionSettings(subscription, filter);
      this.index(subscription);
    }
  }

  private fromRow(row: SubscriptionRow): Subscription {
    return {
      ...row,
      protocol: row.protocol as DeliveryProtocol,
      deleted: false,
      raw: false,
      filterScope: "MessageAttributes",
    };
  }

  private toRow(s: Subscription): SubscriptionRow {
    return {
      seq: s.seq,
      arn: s.arn,
      topicArn: s.topicArn,
      region: s.region,
      accountId: s.accountId,
      protocol: s.protocol,
      endpoint: s.endpoint,
      attributes: s.attributes,
      confirmed: s.confirmed,
      authenticated: s.authenticated,
      token: s.token,
      authenticateOnUnsubscribe: s.authenticateOnUnsubscribe,
      createdAt: s.createdAt,
    };
  }

  private index(s: Subscription): void {
    this.byArnMap.set(s.arn, s);
    let forTopic = this.byTopicMap.get(s.topicArn);
    if (!forTopic) {
      forTopic = new Map();
      this.byTopicMap.set(s.topicArn, forTopic);
    }
    forTopic.set(s.arn, s);
    if (s.token) this.byTokenMap.set(s.token, s);
  }

  get(arn: string): Subscription | undefined {
    return this.byArnMap.get(arn);
  }

  byToken(token: string): Subscription | undefined {
    return this.byTokenMap.get(token);
  }

  /** A topic's subscriptions in the order they were made. */
  forTopic(topicArn: string): Iterable<Subscription> {
    return this.byTopicMap.get(topicArn)?.values() ?? [];
  }

  find(topicArn: string, protocol: string, endpoint: string): Subscription | undefined {
    for (const s of this.forTopic(topicArn)) if (s.protocol === protocol && s.endpoint === endpoint) return s;
    return undefined;
  }

  /** Subscriptions owned by an account in a region, in the order they were made. */
  listOwned(region: string, accountId: string): Subscription[] {
    return [...this.byArnMap.values()].filter((s) => s.region === region && s.accountId === accountId).sort((a, b) => a.seq - b.seq);
  }

  counts(topicArn: string): SubscriptionCounts {
    const counts = { confirmed: 0, pending: 0 };
    for (const s of this.forTopic(topicArn)) {
      if (s.confirmed) counts.confirmed++;
      else counts.pending++;
    }
    return counts;
  }

  create(row: NewSubscriptionRow, filter: CompiledFilterPolicy | undefined): Subscription {
    const seq = this.store.insertSubscription(row);
    const subscription = this.fromRow({ ...row, seq });
    deriveSubscriptionSettings(subscription, filter);
    this.index(subscription);
    return subscription;
  }

  setAttributes(subscription: Subscription, attributes: Record<string, string>, filter: CompiledFilterPolicy | undefined): void {
    subscription.attributes = attributes;
    deriveSubscriptionSettings(subscription, filter);
    this.store.updateSubscription(this.toRow(subscription));
  }

  confirm(subscription: Subscription, authenticated: boolean, authenticateOnUnsubscribe: boolean): void {
    subscription.confirmed = true;
    subscription.authenticated = authenticated;
    subscription.authenticateOnUnsubscribe = authenticateOnUnsubscribe;
    this.store.updateSubscription(this.toRow(subscription));
  }

  setToken(subscription: Subscription, token: string): void {
    if (subscription.token) this.byTokenMap.delete(subscription.token);
    subscription.token = token;
    this.byTokenMap.set(token, subscription);
    this.store.updateSubscription(this.toRow(subscription));
  }

  delete(subscription: Subscription): void {
    this.store.deleteSubscription(subscription.arn);
    subscription.deleted = true;
    this.byArnMap.delete(subscription.arn);
    this.byTopicMap.get(subscription.topicArn)?.delete(subscription.arn);
    if (subscription.token) this.byTokenMap.delete(subscription.token);
  }
}
