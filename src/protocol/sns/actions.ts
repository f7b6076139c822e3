import type { SnsRequestContext, SnsService } from "../../core/sns/sns-service.js";
import { actionsFor, table } from "../action.js";
import { boolean, list, member, string, structure } from "../shapes.js";
import {
  BatchErrorEntry,
  BatchResultEntry,
  PublishFields,
  attributes,
  messageAttributes,
  nothing,
  subscriptionList,
  tags,
  topicArn,
} from "./model.js";

export interface SnsContext extends SnsRequestContext {
  sns: SnsService;
}

const action = actionsFor<SnsContext>();

const attributeName = member(string, { required: true });

/** Every supported SNS action, described once: the Query codec and the XML writer read this table. */
export const snsActions = table<SnsContext>(
  action(
    "CreateTopic",
    structure({ Name: member(string, { required: true }), Attributes: attributes, Tags: tags, DataProtectionPolicy: member(string) }),
    structure({ TopicArn: member(string) }),
    (ctx, input) => ({
      TopicArn: ctx.sns.createTopic(ctx.caller, input.Name, input.Attributes, input.Tags, input.DataProtectionPolicy).arn,
    }),
  ),
  action("DeleteTopic", structure({ TopicArn: topicArn }), nothing, (ctx, input) => {
    ctx.sns.deleteTopic(ctx.caller, input.TopicArn);
    return {};
  }),
  action("GetTopicAttributes", structure({ TopicArn: topicArn }), structure({ Attributes: attributes }), (ctx, input) => ({
    Attributes: ctx.sns.getTopicAttributes(ctx.caller, input.TopicArn),
  })),
  action(
    "SetTopicAttributes",
    structure({ TopicArn: topicArn, AttributeName: attributeName, AttributeValue: member(string) }),
    nothing,
    (ctx, input) => {
      ctx.sns.setTopicAttributes(ctx.caller, input.TopicArn, input.AttributeName, input.AttributeValue);
      return {};
    },
  ),
  action(
    "ListTopics",
    structure({ NextToken: member(string) }),
    structure({ Topics: member(list(structure({ TopicArn: member(string) }), false)), NextToken: member(string) }),
    (ctx, input) => {
      const page = ctx.sns.listTopics(ctx.caller, input.NextToken);
      return { Topics: page.topics.map((t) => ({ TopicArn: t.arn })), NextToken: page.nextToken };
    },
  ),
  action(
    "Subscribe",
    structure({
      TopicArn: topicArn,
      Protocol: member(string, { required: true }),
      Endpoint: member(string),
      Attributes: attributes,
      ReturnSubscriptionArn: member(boolean),
    }),
    structure({ SubscriptionArn: member(string) }),
    (ctx, input) => ({ SubscriptionArn: ctx.sns.subscribe(ctx, input.TopicArn, input) }),
  ),
  action(
    "ConfirmSubscription",
    structure({ TopicArn: topicArn, Token: member(string, { required: true }), AuthenticateOnUnsubscribe: member(string) }),
    structure({ SubscriptionArn: member(string) }),
    (ctx, input) => ({
      SubscriptionArn: ctx.sns.confirmSubscription(ctx, input.TopicArn, input.Token, input.AuthenticateOnUnsubscribe),
    }),
  ),
  action("Unsubscribe", structure({ SubscriptionArn: member(string, { required: true }) }), nothing, (ctx, input) => {
    ctx.sns.unsubscribe(ctx, input.SubscriptionArn);
    return {};
  }),
  action(
    "GetSubscriptionAttributes",
    structure({ SubscriptionArn: member(string, { required: true }) }),
    structure({ Attributes: attributes }),
    (ctx, input) => ({ Attributes: ctx.sns.getSubscriptionAttributes(ctx.caller, input.SubscriptionArn) }),
  ),
  action(
    "SetSubscriptionAttributes",
    structure({ SubscriptionArn: member(string, { required: true }), AttributeName: attributeName, AttributeValue: member(string) }),
    nothing,
    (ctx, input) => {
      ctx.sns.setSubscriptionAttributes(ctx.caller, input.SubscriptionArn, input.AttributeName, input.AttributeValue);
      return {};
    },
  ),
  action("ListSubscriptions", structure({ NextToken: member(string) }), subscriptionList, (ctx, input) => {
    const page = ctx.sns.listSubscriptions(ctx.caller, input.NextToken);
    return { Subscriptions: page.subscriptions, NextToken: page.nextToken };
  }),
  action(
    "ListSubscriptionsByTopic",
    structure({ TopicArn: topicArn, NextToken: member(string) }),
    subscriptionList,
    (ctx, input) => {
      const page = ctx.sns.listSubscriptionsByTopic(ctx.caller, input.TopicArn, input.NextToken);
      return { Subscriptions: page.subscriptions, NextToken: page.nextToken };
    },
  ),
  action(
    "Publish",
    structure({ TopicArn: member(string), TargetArn: member(string), PhoneNumber: member(string), ...PublishFields }),
    structure({ MessageId: member(string), SequenceNumber: member(string) }),
    (ctx, input) => ctx.sns.publish(ctx, input),
  ),
  action(
    "PublishBatch",
    structure({
      TopicArn: topicArn,
      PublishBatchRequestEntries: member(list(structure({ Id: member(string), ...PublishFields }), false), { required: true }),
    }),
    structure({ Successful: member(list(BatchResultEntry, false)), Failed: member(list(BatchErrorEntry, false)) }),
    async (ctx, input) => ({ Successful: await ctx.sns.publishBatch(ctx, input.TopicArn, input.PublishBatchRequestEntries), Failed: [] }),
  ),
  action(
    "AddPermission",
    structure({
      TopicArn: topicArn,
      Label: member(string, { required: true }),
      AWSAccountId: member(list(string, false), { required: true }),
      ActionName: member(list(string, false), { required: true }),
    }),
    nothing,
    (ctx, input) => {
      ctx.sns.addPermission(ctx.caller, input.TopicArn, input.Label, input.AWSAccountId, input.ActionName);
      return {};
    },
  ),
  action("RemovePermission", structure({ TopicArn: topicArn, Label: member(string, { required: true }) }), nothing, (ctx, input) => {
    ctx.sns.removePermission(ctx.caller, input.TopicArn, input.Label);
    return {};
  }),
  action(
    "TagResource",
    structure({ ResourceArn: member(string, { required: true }), Tags: { ...tags, required: true } }),
    nothing,
    (ctx, input) => {
      ctx.sns.tagResource(ctx.caller, input.ResourceArn, input.Tags);
      return {};
    },
  ),
  action(
    "UntagResource",
    structure({ ResourceArn: member(string, { required: true }), TagKeys: member(list(string, false), { required: true }) }),
    nothing,
    (ctx, input) => {
      ctx.sns.untagResource(ctx.caller, input.ResourceArn, input.TagKeys);
      return {};
    },
  ),
  action("ListTagsForResource", structure({ ResourceArn: member(string, { required: true }) }), structure({ Tags: tags }), (ctx, input) => ({
    Tags: ctx.sns.listTagsForResource(ctx.caller, input.ResourceArn),
  })),
);

/** SMS, mobile push and data protection: known to SNS, deliberately not offered by Sluice. */
export const UNSUPPORTED_ACTIONS = new Set([
  "CheckIfPhoneNumberIsOptedOut",
  "CreatePlatformApplication",
  "CreatePlatformEndpoint",
  "CreateSMSSandboxPhoneNumber",
  "DeleteEndpoint",
  "DeletePlatformApplication",
  "DeleteSMSSandboxPhoneNumber",
  "GetDataProtectionPolicy",
  "GetEndpointAttributes",
  "GetPlatformApplicationAttributes",
  "GetSMSAttributes",
  "GetSMSSandboxAccountStatus",
  "ListEndpointsByPlatformApplication",
  "ListOriginationNumbers",
  "ListPhoneNumbersOptedOut",
  "ListPlatformApplications",
  "ListSMSSandboxPhoneNumbers",
  "OptInPhoneNumber",
  "PutDataProtectionPolicy",
  "SetEndpointAttributes",
  "SetPlatformApplicationAttributes",
  "SetSMSAttributes",
  "VerifySMSSandboxPhoneNumber",
]);
