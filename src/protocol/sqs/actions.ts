import type { Caller } from "../../core/identity.js";
import type { BatchFailure } from "../../core/sqs/batch.js";
import type { Queue } from "../../core/sqs/queue.js";
import type { SqsService } from "../../core/sqs/sqs-service.js";
import { actionsFor, table } from "../action.js";
import { integer, list, member, string, structure } from "../shapes.js";
import { sqsWireError } from "./errors.js";
import {
  Message,
  MoveTaskEntry,
  SendMessageFields,
  SendMessageResultFields,
  failed,
  nothing,
  queueAttributes,
  queueUrl,
  tags,
} from "./model.js";

export interface SqsContext {
  caller: Caller;
  /** scheme://host[:port] the client called, so queue URLs route back to this broker. */
  origin: string;
  traceHeader?: string;
  sqs: SqsService;
}

const urlOf = (ctx: SqsContext, queue: Queue) => `${ctx.origin}/${queue.accountId}/${queue.name}`;

function renderFailures(failures: BatchFailure[]) {
  return failures.map((f) => {
    const wire = sqsWireError(f.error.code);
    return { Id: f.Id, SenderFault: wire.sender, Code: wire.queryCode, Message: f.error.message };
  });
}


const action = actionsFor<SqsContext>();

export const sqsActions = table<SqsContext>(
  action(
    "CreateQueue",
    structure({ QueueName: member(string, { required: true }), Attributes: queueAttributes, tags }),
    structure({ QueueUrl: member(string) }),
    (ctx, input) => ({ QueueUrl: urlOf(ctx, ctx.sqs.createQueue(ctx.caller, input.QueueName, input.Attributes, input.tags)) }),
  ),
  action(
    "GetQueueUrl",
    structure({ QueueName: member(string, { required: true }), QueueOwnerAWSAccountId: member(string) }),
    structure({ QueueUrl: member(string) }),
    (ctx, input) => ({ QueueUrl: urlOf(ctx, ctx.sqs.getQueueUrl(ctx.caller, input.QueueName, input.QueueOwnerAWSAccountId)) }),
  ),
  action(
    "ListQueues",
    structure({ QueueNamePrefix: member(string), NextToken: member(string), MaxResults: member(integer) }),
    structure({ QueueUrls: member(list(string), { wireName: "QueueUrl" }), NextToken: member(string) }),
    (ctx, input) => {
      const result = ctx.sqs.listQueues(ctx.caller, input.QueueNamePrefix, input.MaxResults, input.NextToken);
      return {
        QueueUrls: result.items.length > 0 ? result.items.map((q) => urlOf(ctx, q)) : undefined,
        NextToken: result.nextToken,
      };
    },
  ),
  action("DeleteQueue", structure({ QueueUrl: queueUrl }), nothing, (ctx, input) => {
    ctx.sqs.deleteQueue(ctx.sqs.resolve(ctx.caller, input.QueueUrl, "DeleteQueue"));
    return {};
  }),
  action(
    "GetQueueAttributes",
    structure({ QueueUrl: queueUrl, AttributeNames: member(list(string), { wireName: "AttributeName" }) }),
    structure({ Attributes: queueAttributes }),
    (ctx, input) => {
      const attributes = ctx.sqs.getAttributes(ctx.sqs.resolve(ctx.caller, input.QueueUrl, "GetQueueAttributes"), input.AttributeNames);
      return { Attributes: Object.keys(attributes).length > 0 ? attributes : undefined };
    },
  ),
  action("SetQueueAttributes", structure({ QueueUrl: queueUrl, Attributes: queueAttributes }), nothing, (ctx, input) => {
    ctx.sqs.setAttributes(ctx.caller, ctx.sqs.resolve(ctx.caller, input.QueueUrl, "SetQueueAttributes"), input.Attributes);
    return {};
  }),
  action("TagQueue", structure({ QueueUrl: queueUrl, Tags: tags }), nothing, (ctx, input) => {
    ctx.sqs.tagQueue(ctx.sqs.resolve(ctx.caller, input.QueueUrl, "TagQueue"), input.Tags);
    return {};
  }),
  action(
    "UntagQueue",
    structure({ QueueUrl: queueUrl, TagKeys: member(list(string), { wireName: "TagKey" }) }),
    nothing,
    (ctx, input) => {
      ctx.sqs.untagQueue(ctx.sqs.resolve(ctx.caller, input.QueueUrl, "UntagQueue"), input.TagKeys);
      return {};
    },
  ),
  action("ListQueueTags", structure({ QueueUrl: queueUrl }), structure({ Tags: tags }), (ctx, input) => {
    const queue = ctx.sqs.resolve(ctx.caller, input.QueueUrl, "ListQueueTags");
    return { Tags: Object.keys(queue.tags).length > 0 ? { ...queue.tags } : undefined };
  }),
  action(
    "AddPermission",
    structure({
      QueueUrl: queueUrl,
      Label: member(string, { required: true }),
      AWSAccountIds: member(list(string), { wireName: "AWSAccountId", required: true }),
      Actions: member(list(string), { wireName: "ActionName", required: true }),
    }),
    nothing,
    (ctx, input) => {
      const queue = ctx.sqs.resolve(ctx.caller, input.QueueUrl, "AddPermission");
      ctx.sqs.addPermission(ctx.caller, queue, input.Label, input.AWSAccountIds, input.Actions);
      return {};
    },
  ),
  action(
    "RemovePermission",
    structure({ QueueUrl: queueUrl, Label: member(string, { required: true }) }),
    nothing,
    (ctx, input) => {
      ctx.sqs.removePermission(ctx.caller, ctx.sqs.resolve(ctx.caller, input.QueueUrl, "RemovePermission"), input.Label);
      return {};
    },
  ),
  action(
    "SendMessage",
    structure({ QueueUrl: queueUrl, ...SendMessageFields }),
    structure(SendMessageResultFields),
    (ctx, input) =>
      ctx.sqs.messages.send(ctx.caller, ctx.sqs.resolve(ctx.caller, input.QueueUrl, "SendMessage"), input, ctx.traceHeader),
  ),
  action(
    "SendMessageBatch",
    structure({
      QueueUrl: queueUrl,
      Entries: member(list(structure({ Id: member(string), ...SendMessageFields })), {
        wireName: "SendMessageBatchRequestEntry",
      }),
    }),
    structure({
      Successful: member(list(structure({ Id: member(string), ...SendMessageResultFields })), {
        wireName: "SendMessageBatchResultEntry",
      }),
      Failed: failed,
    }),
    (ctx, input) => {
      const queue = ctx.sqs.resolve(ctx.caller, input.QueueUrl, "SendMessage");
      const result = ctx.sqs.messages.sendBatch(ctx.caller, queue, input.Entries, ctx.traceHeader);
      return { Successful: result.Successful, Failed: renderFailures(result.Failed) };
    },
  ),
  action(
    "ReceiveMessage",
    structure({
      QueueUrl: queueUrl,
      AttributeNames: member(list(string), { wireName: "AttributeName" }),
      MessageSystemAttributeNames: member(list(string), { wireName: "MessageSystemAttributeName" }),
      MessageAttributeNames: member(list(string), { wireName: "MessageAttributeName" }),
      MaxNumberOfMessages: member(integer),
      VisibilityTimeout: member(integer),
      WaitTimeSeconds: member(integer),
      ReceiveRequestAttemptId: member(string),
    }),
    structure({ Messages: member(list(Message), { wireName: "Message" }) }),
    async (ctx, input) => {
      const messages = await ctx.sqs.messages.receive(ctx.sqs.resolve(ctx.caller, input.QueueUrl, "ReceiveMessage"), input);
      return { Messages: messages.length > 0 ? messages : undefined };
    },
  ),
  action(
    "DeleteMessage",
    structure({ QueueUrl: queueUrl, ReceiptHandle: member(string, { required: true }) }),
    nothing,
    (ctx, input) => {
      ctx.sqs.messages.delete(ctx.sqs.resolve(ctx.caller, input.QueueUrl, "DeleteMessage"), input.ReceiptHandle);
      return {};
    },
  ),
  action(
    "DeleteMessageBatch",
    structure({
      QueueUrl: queueUrl,
      Entries: member(list(structure({ Id: member(string), ReceiptHandle: member(string) })), {
        wireName: "DeleteMessageBatchRequestEntry",
      }),
    }),
    structure({
      Successful: member(list(structure({ Id: member(string) })), { wireName: "DeleteMessageBatchResultEntry" }),
      Failed: failed,
    }),
    (ctx, input) => {
      const queue = ctx.sqs.resolve(ctx.caller, input.QueueUrl, "DeleteMessage");
      const result = ctx.sqs.messages.deleteBatch(queue, input.Entries);
      return { Successful: result.Successful, Failed: renderFailures(result.Failed) };
    },
  ),
  action(
    "ChangeMessageVisibility",
    structure({
      QueueUrl: queueUrl,
      ReceiptHandle: member(string, { required: true }),
      VisibilityTimeout: member(integer, { required: true }),
    }),
    nothing,
    (ctx, input) => {
      const queue = ctx.sqs.resolve(ctx.caller, input.QueueUrl, "ChangeMessageVisibility");
      ctx.sqs.messages.changeVisibility(queue, input.ReceiptHandle, input.VisibilityTimeout);
      return {};
    },
  ),
  action(
    "ChangeMessageVisibilityBatch",
    structure({
      QueueUrl: queueUrl,
      Entries: member(
        list(structure({ Id: member(string), ReceiptHandle: member(string), VisibilityTimeout: member(integer) })),
        { wireName: "ChangeMessageVisibilityBatchRequestEntry" },
      ),
    }),
    structure({
      Successful: member(list(structure({ Id: member(string) })), { wireName: "ChangeMessageVisibilityBatchResultEntry" }),
      Failed: failed,
    }),
    (ctx, input) => {
      const queue = ctx.sqs.resolve(ctx.caller, input.QueueUrl, "ChangeMessageVisibility");
      const result = ctx.sqs.messages.changeVisibilityBatch(queue, input.Entries);
      return { Successful: result.Successful, Failed: renderFailures(result.Failed) };
    },
  ),
  action("PurgeQueue", structure({ QueueUrl: queueUrl }), nothing, (ctx, input) => {
    ctx.sqs.messages.purge(ctx.sqs.resolve(ctx.caller, input.QueueUrl, "PurgeQueue"));
    return {};
  }),
  action(
    "ListDeadLetterSourceQueues",
    structure({ QueueUrl: queueUrl, NextToken: member(string), MaxResults: member(integer) }),
    structure({ queueUrls: member(list(string), { wireName: "QueueUrl" }), NextToken: member(string) }),
    (ctx, input) => {
      const queue = ctx.sqs.resolve(ctx.caller, input.QueueUrl, "ListDeadLetterSourceQueues");
      const result = ctx.sqs.listDeadLetterSourceQueues(queue, input.MaxResults, input.NextToken);
      return { queueUrls: result.items.map((q) => urlOf(ctx, q)), NextToken: result.nextToken };
    },
  ),
  action(
    "StartMessageMoveTask",
    structure({
      SourceArn: member(string, { required: true }),
      DestinationArn: member(string),
      MaxNumberOfMessagesPerSecond: member(integer),
    }),
    structure({ TaskHandle: member(string) }),
    (ctx, input) => ({ TaskHandle: ctx.sqs.moveTasks.start(ctx.caller, input) }),
  ),
  action(
    "CancelMessageMoveTask",
    structure({ TaskHandle: member(string, { required: true }) }),
    structure({ ApproximateNumberOfMessagesMoved: member(integer) }),
    (ctx, input) => ({ ApproximateNumberOfMessagesMoved: ctx.sqs.moveTasks.cancel(ctx.caller, input.TaskHandle) }),
  ),
  action(
    "ListMessageMoveTasks",
    structure({ SourceArn: member(string, { required: true }), MaxResults: member(integer) }),
    structure({ Results: member(list(MoveTaskEntry), { wireName: "ListMessageMoveTasksResultEntry" }) }),
    (ctx, input) => ({ Results: ctx.sqs.moveTasks.list(ctx.caller, input.SourceArn, input.MaxResults) }),
  ),
);

