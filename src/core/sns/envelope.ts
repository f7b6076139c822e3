/**
 * The JSON documents SNS delivers (Notification, SubscriptionConfirmation, UnsubscribeConfirmation), in
 * AWS's own layout: two-space indent, `"Key" : value`, keys in AWS's order, MessageAttributes one per line
 * in compact form. Signatures cover AWS's canonical string (name/value lines in alphabetical order).
 */

/** Signs canonical strings with the broker's key; version "1" is SHA1withRSA, "2" SHA256withRSA. */
export interface MessageSigner {
  sign(canonical: string, version: "1" | "2"): string;
}

/** Where links in delivered messages point. */
export interface SnsLinks {
  /** Base URL of the broker's Query API for SubscribeURL and UnsubscribeURL. */
  base: string;
  /** SigningCertURL. */
  certUrl: string;
}

export interface Signing {
  signer: MessageSigner;
  version: "1" | "2";
  certUrl: string;
}

export type EnvelopeAttributes = ReadonlyArray<readonly [string, { Type: string; Value: string }]>;

export interface NotificationFields {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  timestamp: string;
  sequenceNumber?: string;
  unsubscribeUrl: string;
  attributes: EnvelopeAttributes;
}

export interface ConfirmationFields {
  type: "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  messageId: string;
  token: string;
  topicArn: string;
  message: string;
  subscribeUrl: string;
  timestamp: string;
}

export const subscribeUrl = (base: string, topicArn: string, token: string): string =>
  `${base}/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=${token}`;

export const unsubscribeUrl = (base: string, subscriptionArn: string): string =>
  `${base}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`;

export const confirmationText = (topicArn: string): string =>
  `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;

export const unsubscribeText = (subscriptionArn: string): string =>
  `You have chosen to deactivate subscription ${subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;

function layout(fields: ReadonlyArray<readonly [string, string]>, attributes?: EnvelopeAttributes): string {
  const lines = fields.map(([key, value]) => `  ${JSON.stringify(key)} : ${JSON.stringify(value)}`);
  if (attributes && attributes.length > 0) {
    const entries = attributes.map(([name, v]) => `    ${JSON.stringify(name)} : ${JSON.stringify({ Type: v.Type, Value: v.Value })}`);
    lines.push(`  "MessageAttributes" : {\n${entries.join(",\n")}\n  }`);
  }
  return `{\n${lines.join(",\n")}\n}`;
}

function canonical(pairs: ReadonlyArray<readonly [string, string | undefined]>): string {
  return pairs
    .filter((p): p is readonly [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}\n${v}\n`)
    .join("");
}

export function notificationStringToSign(f: NotificationFields): string {
  return canonical([
    ["Message", f.message],
    ["MessageId", f.messageId],
    ["Subject", f.subject],
    ["Timestamp", f.timestamp],
    ["TopicArn", f.topicArn],
    ["Type", "Notification"],
  ]);
}

export function confirmationStringToSign(f: ConfirmationFields): string {
  return canonical([
    ["Message", f.message],
    ["MessageId", f.messageId],
    ["SubscribeURL", f.subscribeUrl],
    ["Timestamp", f.timestamp],
    ["Token", f.token],
    ["TopicArn", f.topicArn],
    ["Type", f.type],
  ]);
}

/** The signing fields of a Notification; one signature serves every subscription receiving the same text. */
export interface SignatureFields {
  version: "1" | "2";
  signature: string;
  certUrl: string;
}

export function signNotification(f: NotificationFields, signing: Signing): SignatureFields {
  return { version: signing.version, signature: signing.signer.sign(notificationStringToSign(f), signing.version), certUrl: signing.certUrl };
}

/** A Notification; FIFO topics deliver it unsigned (no signing fields), as AWS does. */
export function renderNotification(f: NotificationFields, signed: SignatureFields | undefined): string {
  const fields: Array<[string, string]> = [
    ["Type", "Notification"],
    ["MessageId", f.messageId],
  ];
  if (f.sequenceNumber !== undefined) fields.push(["SequenceNumber", f.sequenceNumber]);
  fields.push(["TopicArn", f.topicArn]);
  if (f.subject !== undefined) fields.push(["Subject", f.subject]);
  fields.push(["Message", f.message], ["Timestamp", f.timestamp]);
  if (signed) {
    fields.push(["SignatureVersion", signed.version], ["Signature", signed.signature], ["SigningCertURL", signed.certUrl]);
  }
  fields.push(["UnsubscribeURL", f.unsubscribeUrl]);
  return layout(fields, f.attributes);
}

export function renderConfirmation(f: ConfirmationFields, signing: Signing): string {
  return layout([
    ["Type", f.type],
    ["MessageId", f.messageId],
    ["Token", f.token],
    ["TopicArn", f.topicArn],
    ["Message", f.message],
    ["SubscribeURL", f.subscribeUrl],
    ["Timestamp", f.timestamp],
    ["SignatureVersion", signing.version],
    ["Signature", signing.signer.sign(confirmationStringToSign(f), signing.version)],
    ["SigningCertURL", signing.certUrl],
  ]);
}
