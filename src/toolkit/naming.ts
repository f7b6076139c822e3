/**
 * The one naming convention, so a resource's name tells who owns it and why it exists:
 *
 *   topic            <service>-domain-events                       users-domain-events
 *   consumer queue   <consumer service>-<use case>                 notifications-send-email-on-user-registered
 *   dead letters     <queue>-dlq                                   notifications-send-email-on-user-registered-dlq
 *   per instance     <consumer service>-<use case>-<instance id>   transfers-refresh-team-cache-1a2b3c4d
 *   commands         <service>-async-commands.fifo                 users-async-commands.fifo
 *   command DLQ      <service>-async-commands-dlq.fifo
 *
 * An optional prefix (e.g. an environment, "staging") is put in front of every name so several
 * environments can share one account.
 */
export interface NamingOptions {
  /** Lowercase words joined by "-", prepended with a "-" to every name. */
  readonly prefix?: string;
}

export interface Naming {
  readonly prefix: string;
  topic(service: string): string;
  consumerQueue(service: string, useCase: string): string;
  perInstanceQueue(service: string, useCase: string, instanceId: string): string;
  deadLetterQueue(queueName: string): string;
  commandQueue(service: string): string;
}

const WORDS = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_QUEUE_NAME = 80;
const MAX_TOPIC_NAME = 256;

export function assertWords(what: string, value: string): void {
  if (!WORDS.test(value)) throw new TypeError(`${what} "${value}" must be lowercase words joined by "-" (e.g. send-email-on-user-registered)`);
}

function fits(name: string, max: number): string {
  // Refusing is kinder than truncating: a shortened name would silently break the convention.
  if (name.length > max) throw new RangeError(`"${name}" is ${name.length} characters; the limit is ${max}`);
  return name;
}

export function createNaming(options: NamingOptions = {}): Naming {
  const prefix = options.prefix ?? "";
  if (prefix) assertWords("naming prefix", prefix);
  const p = prefix ? `${prefix}-` : "";
  return {
    prefix,
    topic(service) {
      assertWords("service", service);
      return fits(`${p}${service}-domain-events`, MAX_TOPIC_NAME);
    },
    consumerQueue(service, useCase) {
      assertWords("service", service);
      assertWords("use case", useCase);
      // The DLQ name is 4 characters longer, so that is the one that must fit.
      fits(`${p}${service}-${useCase}-dlq`, MAX_QUEUE_NAME);
      return `${p}${service}-${useCase}`;
    },
    perInstanceQueue(service, useCase, instanceId) {
      assertWords("instance id", instanceId);
      return fits(`${this.consumerQueue(service, useCase)}-${instanceId}`, MAX_QUEUE_NAME);
    },
    deadLetterQueue(queueName) {
      return queueName.endsWith(".fifo") ? `${queueName.slice(0, -".fifo".length)}-dlq.fifo` : `${queueName}-dlq`;
    },
    commandQueue(service) {
      assertWords("service", service);
      fits(`${p}${service}-async-commands-dlq.fifo`, MAX_QUEUE_NAME);
      return `${p}${service}-async-commands.fifo`;
    },
  };
}
