/**
 * The JSON documents SNS delivers (Notification, SubscriptionConfirmation, UnsubscribeConfirmation), in
 * AWS's own layout: two-space indent, `"Key" : value`, keys in AWS's order, MessageAttributes one per line
 * in compact form. Signatures cover AWS's canonical string (name/value lines in alphabetical order).
 */

/** Signs canonical strings with the broker's key; version "1" is SHA1withRSA, "2" SHA256withRSA. */
export interface MessageSigner {
  sign(canonical: string, version: "1" | "2"): string;
  /** The same signature, computed off the event loop: an RSA signature is most of a Publish's CPU. */
  signAsync(canonical: string, version: "1" | "2"): Promise<string>;
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

const fieldLines = (fields: ReadonlyArray<readonly [string, string]>): string =>
  fields.map(([key, value]) => `  ${JSON.stringify(key)} : ${JSON.stringify(value)}`).join(",\n");

/** The MessageAttributes member with its leading separator, or nothing when there are none. */
function attributesBlock(attributes: EnvelopeAttributes | undefined): string {
  if (!attributes || attributes.length === 0) return "";
  const entries = attributes.map(([name, v]) => `    ${JSON.stringify(name)} : ${JSON.stringify({ Type: v.Type, Value: v.Value })}`);
  return `,\n  "MessageAttributes" : {\n${entries.join(",\n")}\n  }`;
}

function layout(fields: ReadonlyArray<readonly [string, string]>, attributes?: EnvelopeAttributes): string {
  return `{\n${fieldLines(fields)}${attributesBlock(attributes)}\n}`;
}

function canonical(pairs: ReadonlyArray<readonly [string, string | undefined]>): string {
  return pairs
    .filter((p): p is readonly [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}\n${v}\n`)
    .join("");
}

/** The fields a Notification's signature covers. */
export type SignedNotificationFields = Pick<NotificationFields, "message" | "messageId" | "subject" | "timestamp" | "topicArn">;

export function notificationStringToSign(f: SignedNotificationFields): string {
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

export function signNotification(f: SignedNotificationFields, signing: Signing): SignatureFields {
  return { version: signing.version, signature: signing.signer.sign(notificationStringToSign(f), signing.version), certUrl: signing.certUrl };
}

export async function signNotificationAsync(f: SignedNotificationFields, signing: Signing): Promise<SignatureFields> {
  const signature = await signing.signer.signAsync(notificationStringToSign(f), signing.version);
  return { version: signing.version, signature, certUrl: signing.certUrl };
}

/**
 * Notifications of one message and text, for any UnsubscribeURL: the only member that differs between
 * subscriptions, so a fan-out lays the rest out once. FIFO topics deliver unsigned (no signing fields),
 * as AWS does.
 */
export function notificationRenderer(f: Omit<NotificationFields, "unsubscribeUrl">, signed: SignatureFields | undefined): (unsubscribeUrl: string) => string {
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
  const head = `{\n${fieldLines(fields)},\n  "UnsubscribeURL" : `;
  const tail = `${attributesBlock(f.attributes)}\n}`;
  return (unsubscribeUrl) => `${head}${JSON.stringify(unsubscribeUrl)}${tail}`;
}

export function renderNotification(f: NotificationFields, signed: SignatureFields | undefined): string {
  return notificationRenderer(f, signed)(f.unsubscribeUrl);
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
