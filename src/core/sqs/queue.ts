import { formatArn } from "../identity.js";
import type { QueueSettings } from "./queue-settings.js";

/** A queue as the broker keeps it in memory; its messages live in the store. */
export interface Queue {
  id: number;
  region: string;
  accountId: string;
  name: string;
  fifo: boolean;
  arn: string;
  settings: QueueSettings;
  tags: Record<string, string>;
  /** Milliseconds since the epoch. */
  createdAt: number;
  lastModifiedAt: number;
  lastPurgeAt?: number;
  deleted: boolean;
}

export function queueKey(region: string, accountId: string, name: string): string {
  return `${region}/${accountId}/${name}`;
}

export function queueArn(region: string, accountId: string, name: string): string {
  return formatArn({ service: "sqs", region, accountId, resource: name });
}

const STANDARD_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export function isValidQueueName(name: string, fifo: boolean): boolean {
  return fifo ? FIFO_NAME.test(name) : STANDARD_NAME.test(name);
}
