"""SQS smoke test with boto3 against a Sluice endpoint.

Usage: python3 sqs_smoke.py ENDPOINT QUEUE_NAME

Runs create, send (with attributes, single and batch), receive, change visibility, delete, attributes and
list, checking each answer the way an application would rely on it. Prints one JSON line describing the
client (versions, the wire protocol its SQS model speaks) and exits non-zero on the first failed check.
Written for the oldest client we test against (Debian bookworm's boto3 1.26, Python 3.11).
"""

import base64
import hashlib
import json
import struct
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def attributes_md5(attributes):
    """MD5OfMessageAttributes as AWS computes it (sorted names, length-prefixed fields, transport byte)."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        for field in (name, data_type):
            encoded = field.encode("utf-8")
            digest.update(struct.pack(">I", len(encoded)) + encoded)
        if "BinaryValue" in value:
            raw = value["BinaryValue"]
            digest.update(b"\x02" + struct.pack(">I", len(raw)) + raw)
        else:
            encoded = value["StringValue"].encode("utf-8")
            digest.update(b"\x01" + struct.pack(">I", len(encoded)) + encoded)
    return digest.hexdigest()


def body_md5(body):
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def main():
    endpoint, name = sys.argv[1], sys.argv[2]
    client = boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    protocol = client.meta.service_model.protocol

    url = client.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
    check(url == endpoint + "/000000000000/" + name, "queue URL " + url)
    check(client.get_queue_url(QueueName=name)["QueueUrl"] == url, "GetQueueUrl")

    attributes = {
        "Color": {"DataType": "String", "StringValue": "blue \u00e9\u00e8 \U0001F600"},
        "Count": {"DataType": "Number", "StringValue": "42"},
        "Blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
        "Kind": {"DataType": "String.custom", "StringValue": "special"},
    }
    body = "hello from boto3 <&> \u00fc\r\n line two"
    sent = client.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
    check(sent["MD5OfMessageBody"] == body_md5(body), "MD5OfMessageBody on send")
    check(sent["MD5OfMessageAttributes"] == attributes_md5(attributes), "MD5OfMessageAttributes on send")

    batch = client.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "one", "MessageBody": "batch one"},
            {"Id": "two", "MessageBody": "batch two", "DelaySeconds": 0},
        ],
    )
    check(sorted(e["Id"] for e in batch["Successful"]) == ["one", "two"], "batch successful ids")
    check(not batch.get("Failed"), "batch failures: %r" % batch.get("Failed"))

    received = {}
    for _ in range(5):
        out = client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        )
        for message in out.get("Messages", []):
            received[message["MessageId"]] = message
        if len(received) == 3:
            break
    check(len(received) == 3, "received %d of 3" % len(received))

    first = received[sent["MessageId"]]
    check(first["Body"] == body, "body round trip: %r" % first["Body"])
    check(first["MD5OfBody"] == body_md5(body), "MD5OfBody on receive")
    check(first["MessageAttributes"] == attributes, "attributes round trip: %r" % first["MessageAttributes"])
    check(first["MD5OfMessageAttributes"] == attributes_md5(attributes), "MD5OfMessageAttributes on receive")
    check(first["Attributes"]["ApproximateReceiveCount"] == "1", "ApproximateReceiveCount")
    check(first["Attributes"]["SenderId"] == "test", "SenderId")
    check(int(first["Attributes"]["SentTimestamp"]) > 1_600_000_000_000, "SentTimestamp in ms")

    client.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    again = client.receive_message(QueueUrl=url, WaitTimeSeconds=1, AttributeNames=["ApproximateReceiveCount"])
    check(len(again.get("Messages", [])) == 1, "message visible again after ChangeMessageVisibility 0")
    redelivered = again["Messages"][0]
    check(redelivered["MessageId"] == sent["MessageId"], "the same message came back")
    check(redelivered["Attributes"]["ApproximateReceiveCount"] == "2", "receive count after redelivery")
    check(redelivered["ReceiptHandle"] != first["ReceiptHandle"], "a new receipt handle per receive")

    client.delete_message(QueueUrl=url, ReceiptHandle=redelivered["ReceiptHandle"])
    rest = [m for m in received.values() if m["MessageId"] != sent["MessageId"]]
    deleted = client.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(rest)],
    )
    check(len(deleted["Successful"]) == 2 and not deleted.get("Failed"), "DeleteMessageBatch")

    client.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "3", "MaximumMessageSize": "2048"})
    queue = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    check(queue["VisibilityTimeout"] == "45", "VisibilityTimeout")
    check(queue["DelaySeconds"] == "3", "DelaySeconds")
    check(queue["MaximumMessageSize"] == "2048", "MaximumMessageSize")
    check(queue["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:" + name, "QueueArn")
    for counter in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"):
        check(queue[counter] == "0", "%s is %s" % (counter, queue[counter]))

    listed = client.list_queues(QueueNamePrefix=name)
    check(listed.get("QueueUrls") == [url], "ListQueues: %r" % listed.get("QueueUrls"))

    try:
        client.get_queue_url(QueueName=name + "-missing")
        raise AssertionError("GetQueueUrl of a missing queue succeeded")
    except ClientError as error:
        code = error.response["Error"]["Code"]
        check(code == "AWS.SimpleQueueService.NonExistentQueue", "error code " + code)
        check(error.response["ResponseMetadata"]["HTTPStatusCode"] == 400, "error status")

    client.delete_queue(QueueUrl=url)
    check(name not in json.dumps(client.list_queues(QueueNamePrefix=name)), "queue still listed after DeleteQueue")

    print(json.dumps({
        "ok": True,
        "python": sys.executable,
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        "botocore_path": botocore.__file__,
        "protocol": protocol,
        "binary": base64.b64encode(first["MessageAttributes"]["Blob"]["BinaryValue"]).decode(),
    }))


if __name__ == "__main__":
    main()
