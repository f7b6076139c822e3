import type { TopicHttpDefaults } from "./delivery-policy.js";

/** A topic as the broker keeps it in memory, with what deliveries need already derived. */
export interface Topic {
  id: number;
  region: string;
  accountId: string;
  name: string;
  arn: string;
  fifo: boolean;
  /** Attributes set by clients, normalized (the strings GetTopicAttributes returns). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  deleted: boolean;
  /** Derived from DeliveryPolicy. */
  http: TopicHttpDefaults;
  signatureVersion: "1" | "2";
  contentBasedDeduplication: boolean;
}

export function topicKey(region: string, accountId: string, name: string): string {
  return `${region}/${accountId}/${name}`;
}

const STANDARD_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;

export function isValidTopicName(name: string, fifo: boolean): boolean {
  return fifo ? FIFO_NAME.test(name) : STANDARD_NAME.test(name);
}
