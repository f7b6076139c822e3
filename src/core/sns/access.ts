import type { Caller } from "../identity.js";
import { requireArn } from "./arn.js";
import { invalidParameter, notAuthorized, topicNotFound } from "./errors.js";
import { defaultTopicPolicy, policyAllows } from "./topic-policy.js";
import type { TopicRegistry } from "./topic-registry.js";
import type { Topic } from "./topic.js";

/**
 * Finds the topic a TopicArn names, as SNS checks it: ARN shape, then region (a topic is only reachable
 * through its own region's endpoint), then existence, then (for other accounts) the topic's policy.
 */
export function resolveTopic(
  topics: TopicRegistry,
  caller: Caller,
  arnText: string | undefined,
  parameter: string,
  action: string,
): Topic {
  const arn = requireArn(arnText, parameter);
  if (arn.region !== caller.region) throw invalidParameter(parameter);
  const topic = arnText === undefined ? undefined : topics.byArn(arnText);
  if (!topic) throw topicNotFound();
  if (topic.accountId !== caller.accountId) {
    const policy = topic.attributes.Policy ?? defaultTopicPolicy(topic.arn, topic.accountId);
    if (!policyAllows(policy, caller.accountId, action)) throw notAuthorized(caller.accountId, action, topic.arn);
  }
  return topic;
}
