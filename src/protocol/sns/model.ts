import { blob, boolean, list, map, member, string, structure } from "../shapes.js";

/**
 * SNS shapes. The SNS Query protocol nests lists and maps: `Tags.member.N.Key`, `Attributes.entry.N.key`,
 * `MessageAttributes.entry.N.Name` / `.Value.DataType`; responses use `<member>` and `<entry>` likewise.
 */
export const attributes = member(map(string, false, "key", "value"));

export const MessageAttributeValue = structure({
  DataType: member(string),
  StringValue: member(string),
  BinaryValue: member(blob),
});

export const messageAttributes = member(map(MessageAttributeValue, false, "Name", "Value"));

export const Tag = structure({ Key: member(string), Value: member(string) });
export const tags = member(list(Tag, false));

export const topicArn = member(string, { required: true });

export const SubscriptionSummary = structure({
  SubscriptionArn: member(string),
  Owner: member(string),
  Protocol: member(string),
  Endpoint: member(string),
  TopicArn: member(string),
});

export const subscriptionList = structure({
  Subscriptions: member(list(SubscriptionSummary, false)),
  NextToken: member(string),
});

export const PublishFields = {
  Message: member(string, { required: true }),
  Subject: member(string),
  MessageStructure: member(string),
  MessageAttributes: messageAttributes,
  MessageDeduplicationId: member(string),
  MessageGroupId: member(string),
};

export const BatchResultEntry = structure({ Id: member(string), MessageId: member(string), SequenceNumber: member(string) });
export const BatchErrorEntry = structure({ Id: member(string), Code: member(string), Message: member(string), SenderFault: member(boolean) });

export const nothing = structure({});
