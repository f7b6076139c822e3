import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  type SNSClient,
} from "@aws-sdk/client-sns";
import { isNotFound, isQueueMissing } from "../clients.js";

/** Read-only looks at what exists, shared by ensure, verify and the dry-run plan. */

export async function listTopics(sns: SNSClient): Promise<Map<string, string>> {
  const byName = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken }));
    for (const topic of page.Topics ?? []) {
      if (topic.TopicArn) byName.set(topic.TopicArn.slice(topic.TopicArn.lastIndexOf(":") + 1), topic.TopicArn);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return byName;
}

export interface ExistingQueue {
  readonly url: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export async function findQueue(sqs: SQSClient, name: string): Promise<ExistingQueue | undefined> {
  let url: string | undefined;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (isQueueMissing(error)) return undefined;
    throw error;
  }
  if (!url) return undefined;
  const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes ?? {};
  return { url, attributes };
}

export interface ExistingSubscription {
  readonly arn: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export async function findSubscription(sns: SNSClient, topicArn: string, queueArn: string): Promise<ExistingSubscription | undefined> {
  let NextToken: string | undefined;
  do {
    let page;
    try {
      page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const match = (page.Subscriptions ?? []).find(
      (subscription) => subscription.Protocol === "sqs" && subscription.Endpoint === queueArn && subscription.SubscriptionArn?.startsWith("arn:"),
    );
    if (match?.SubscriptionArn) {
      const attributes = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: match.SubscriptionArn }))).Attributes ?? {};
      return { arn: match.SubscriptionArn, attributes };
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}
