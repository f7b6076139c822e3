import { blob, boolean, integer, list, map, member, messageText, string, structure } from "../shapes.js";

/** SQS shapes, with the Query protocol's flattened names where they differ from the JSON member names. */
export const MessageAttributeValue = structure({
  StringValue: member(messageText),
  BinaryValue: member(blob),
  StringListValues: member(list(string), { wireName: "StringListValue" }),
  BinaryListValues: member(list(blob), { wireName: "BinaryListValue" }),
  DataType: member(string),
});

export const messageAttributes = member(map(MessageAttributeValue), { wireName: "MessageAttribute" });
export const systemAttributes = member(map(MessageAttributeValue), { wireName: "MessageSystemAttribute" });
export const queueAttributes = member(map(string), { wireName: "Attribute" });
export const tags = member(map(string, true, "Key", "Value"), { wireName: "Tag" });
export const queueUrl = member(string, { required: true });

const batchError = structure({
  Id: member(string),
  SenderFault: member(boolean),
  Code: member(string),
  Message: member(string),
});
export const failed = member(list(batchError), { wireName: "BatchResultErrorEntry" });

export const SendMessageFields = {
  MessageBody: member(string),
  DelaySeconds: member(integer),
  MessageAttributes: messageAttributes,
  MessageSystemAttributes: systemAttributes,
  MessageDeduplicationId: member(string),
  MessageGroupId: member(string),
};

export const SendMessageResultFields = {
  MD5OfMessageBody: member(string),
  MD5OfMessageAttributes: member(string),
  MD5OfMessageSystemAttributes: member(string),
  MessageId: member(string),
  SequenceNumber: member(string),
};

export const Message = structure({
  MessageId: member(string),
  ReceiptHandle: member(string),
  MD5OfBody: member(string),
  Body: member(messageText),
  Attributes: member(map(string), { wireName: "Attribute" }),
  MD5OfMessageAttributes: member(string),
  MessageAttributes: messageAttributes,
});

export const MoveTaskEntry = structure({
  TaskHandle: member(string),
  Status: member(string),
  SourceArn: member(string),
  DestinationArn: member(string),
  MaxNumberOfMessagesPerSecond: member(integer),
  ApproximateNumberOfMessagesMoved: member(integer),
  ApproximateNumberOfMessagesToMove: member(integer),
  FailureReason: member(string),
  StartedTimestamp: member(integer),
});

export const nothing = structure({});
