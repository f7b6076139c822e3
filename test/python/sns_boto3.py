"""Every supported SNS action, and AWS's errors, through boto3 against a Sluice endpoint.

Usage: python3 sns_boto3.py ENDPOINT

Prints one JSON document: what each action answered (normalized where values are random) and, for the
error cases, the code, message, HTTP status and type botocore parsed from the ErrorResponse. The calling
test asserts on it; this script only fails on its own bugs.
"""

import json
import sys
import time

import boto3
from botocore.exceptions import ClientError


def error_of(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        return {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
            "type": e.response["Error"].get("Type"),
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return None


def receive(sqs, url, count):
    got = []
    deadline = time.time() + 5
    while len(got) < count and time.time() < deadline:
        result = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        )
        got.extend(result.get("Messages", []))
    return got


def main():
    endpoint = sys.argv[1]
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    sns = session.client("sns", endpoint_url=endpoint)
    sqs = session.client("sqs", endpoint_url=endpoint)
    out = {"boto3": boto3.__version__}

    topic = sns.create_topic(Name="py-topic", Attributes={"DisplayName": "Py"}, Tags=[{"Key": "team", "Value": "py"}])["TopicArn"]
    fifo = sns.create_topic(Name="py-topic.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    out["create_topic"] = [topic, fifo]
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    out["topic_attributes"] = {k: attributes[k] for k in ("DisplayName", "Owner", "TopicArn", "SubscriptionsConfirmed")}
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="Renamed")
    out["set_topic_attributes"] = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"]
    out["fifo_attributes"] = {k: v for k, v in sns.get_topic_attributes(TopicArn=fifo)["Attributes"].items() if k in ("FifoTopic", "ContentBasedDeduplication")}

    for i in range(101):
        sns.create_topic(Name=f"py-page-{i:03d}")
    pages = list(sns.get_paginator("list_topics").paginate())
    out["list_topics_pages"] = [len(p["Topics"]) for p in pages]

    queue_url = sqs.create_queue(QueueName="py-queue")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscription = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"kind": ["keep"]})},
    )["SubscriptionArn"]
    out["subscription_attributes"] = sns.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]
    sns.set_subscription_attributes(SubscriptionArn=subscription, AttributeName="FilterPolicyScope", AttributeValue="MessageAttributes")
    out["list_subscriptions"] = sns.list_subscriptions()["Subscriptions"]
    out["list_subscriptions_by_topic"] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]

    published = sns.publish(
        TopicArn=topic,
        Message="kept",
        Subject="py",
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "keep"},
            "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    sns.publish(TopicArn=topic, Message="dropped", MessageAttributes={"kind": {"DataType": "String", "StringValue": "drop"}})
    batch = sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {"Id": "a", "Message": "batch-a", "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "keep"}}},
            {"Id": "b", "Message": "batch-b", "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "drop"}}},
        ],
    )
    out["publish_batch"] = {"ids": [s["Id"] for s in batch["Successful"]], "failed": batch["Failed"]}
    messages = receive(sqs, queue_url, 2)
    out["received"] = sorted(
        [
            {
                "body": m["Body"],
                "attributes": {
                    name: {"DataType": v["DataType"], "value": v.get("StringValue") or list(v.get("BinaryValue", b""))}
                    for name, v in m.get("MessageAttributes", {}).items()
                },
                "sender": m["Attributes"]["SenderId"],
            }
            for m in messages
        ],
        key=lambda m: m["body"],
    )
    out["published_id_is_uuid"] = len(published["MessageId"]) == 36
    fifo_published = sns.publish(TopicArn=fifo, Message="ordered", MessageGroupId="g")
    out["fifo_sequence_length"] = len(fifo_published["SequenceNumber"])

    sns.add_permission(TopicArn=topic, Label="share", AWSAccountId=["111111111111"], ActionName=["Publish"])
    out["policy_statements"] = [s["Sid"] for s in json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])["Statement"]]
    sns.remove_permission(TopicArn=topic, Label="share")
    sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "env", "Value": "test"}])
    sns.untag_resource(ResourceArn=topic, TagKeys=["team"])
    out["tags"] = sns.list_tags_for_resource(ResourceArn=topic)["Tags"]

    out["errors"] = {
        "not_found": error_of(sns.get_topic_attributes, TopicArn=topic + "-missing"),
        "bad_arn": error_of(sns.get_topic_attributes, TopicArn="nope"),
        "empty_message": error_of(sns.publish, TopicArn=topic, Message=""),
        "bad_attribute": error_of(sns.publish, TopicArn=topic, Message="m", MessageAttributes={"a": {"DataType": "String", "StringValue": ""}}),
        "fifo_group": error_of(sns.publish, TopicArn=fifo, Message="m"),
        "fifo_queue_standard_topic": error_of(sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint=queue_arn + ".fifo"),
        "batch_ids": error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=[{"Id": "x", "Message": "1"}, {"Id": "x", "Message": "2"}]),
        "bad_token": error_of(sns.confirm_subscription, TopicArn=topic, Token="abcdef"),
        "subscription_missing": error_of(sns.get_subscription_attributes, SubscriptionArn=topic + ":00000000-0000-0000-0000-000000000000"),
        "unsupported": error_of(sns.list_platform_applications),
        "tags_missing": error_of(sns.list_tags_for_resource, ResourceArn=topic + "-missing"),
    }

    sns.unsubscribe(SubscriptionArn=subscription)
    sns.unsubscribe(SubscriptionArn=subscription)
    out["after_unsubscribe"] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    sns.delete_topic(TopicArn=fifo)
    sns.delete_topic(TopicArn=fifo)
    out["after_delete"] = error_of(sns.get_topic_attributes, TopicArn=fifo)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
