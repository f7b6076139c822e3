import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PROTOCOLS } from "../helpers/clients.js";
import { names, nonExistentQueue, queryRequest, rejectsWith, uniqueName, useBroker, type Client, type Fixture } from "./sqs-support.js";

async function arnOf(f: Fixture, client: Client, queueUrl: string): Promise<string | undefined> {
  const out = await client.send(new f.sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
  return out.Attributes?.QueueArn;
}

for (const protocol of PROTOCOLS) {
  describe(`SQS identity over ${protocol}`, () => {
    const f = useBroker(protocol);

    it("takes the account from a 12-digit access key and the region from the credential scope", async () => {
      const client = f.clientFor("123456789012", "eu-west-2");
      const name = uniqueName("acct");
      const queueUrl = (await client.send(new f.sdk.CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
      assert.equal(queueUrl, `${f.broker.endpoint}/123456789012/${name}`);
      assert.equal(await arnOf(f, client, queueUrl), `arn:aws:sqs:eu-west-2:123456789012:${name}`);
      await client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "who" }));
      const got = await client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, AttributeNames: names("SenderId") }));
      assert.equal(got.Messages?.[0]?.Attributes?.SenderId, "123456789012");
    });

    it("uses account 000000000000 for any other access key", async () => {
      const client = f.clientFor("AKIAIOSFODNN7EXAMPLE", "ap-southeast-1");
      const name = uniqueName("default");
      const queueUrl = (await client.send(new f.sdk.CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
      assert.equal(queueUrl, `${f.broker.endpoint}/000000000000/${name}`);
      assert.equal(await arnOf(f, client, queueUrl), `arn:aws:sqs:ap-southeast-1:000000000000:${name}`);
      // Another non-numeric key is the same default account.
      const other = f.clientFor("someone-else", "ap-southeast-1");
      assert.equal((await other.send(new f.sdk.GetQueueUrlCommand({ QueueName: name }))).QueueUrl, queueUrl);
    });

    it("keeps two accounts' queues apart, even under the same name", async () => {
      const alice = f.clientFor("111111111111");
      const bob = f.clientFor("222222222222");
      const name = uniqueName("shared-name");
      const aliceUrl = (await alice.send(new f.sdk.CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: "1" } }))).QueueUrl ?? "";
      const bobUrl = (await bob.send(new f.sdk.CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
      assert.notEqual(aliceUrl, bobUrl);
      assert.equal(await arnOf(f, alice, aliceUrl), `arn:aws:sqs:us-east-1:111111111111:${name}`);
      assert.equal(await arnOf(f, bob, bobUrl), `arn:aws:sqs:us-east-1:222222222222:${name}`);

      await bob.send(new f.sdk.SendMessageCommand({ QueueUrl: bobUrl, MessageBody: "for bob" }));
      const bobGot = await bob.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: bobUrl }));
      assert.deepEqual(bobGot.Messages?.map((m) => m.Body), ["for bob"]);
      const aliceGot = await alice.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: aliceUrl }));
      assert.equal(aliceGot.Messages, undefined);

      const listed = await bob.send(new f.sdk.ListQueuesCommand({ QueueNamePrefix: name }));
      assert.deepEqual(listed.QueueUrls, [bobUrl]);
      const onlyAlice = uniqueName("alice-only");
      await alice.send(new f.sdk.CreateQueueCommand({ QueueName: onlyAlice }));
      assert.equal((await bob.send(new f.sdk.ListQueuesCommand({ QueueNamePrefix: onlyAlice }))).QueueUrls, undefined);
      await rejectsWith(f, bob.send(new f.sdk.GetQueueUrlCommand({ QueueName: onlyAlice })), nonExistentQueue(protocol));

      // Bob holding Alice's URL still cannot touch her queue without a permission.
      await rejectsWith(f, bob.send(new f.sdk.SendMessageCommand({ QueueUrl: aliceUrl, MessageBody: "intruder" })), nonExistentQueue(protocol));
      await rejectsWith(f, bob.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: aliceUrl })), nonExistentQueue(protocol));
      await rejectsWith(f, bob.send(new f.sdk.PurgeQueueCommand({ QueueUrl: aliceUrl })), nonExistentQueue(protocol));
      await rejectsWith(f, bob.send(new f.sdk.DeleteQueueCommand({ QueueUrl: aliceUrl })), nonExistentQueue(protocol));
      await rejectsWith(
        f,
        bob.send(new f.sdk.GetQueueAttributesCommand({ QueueUrl: aliceUrl, AttributeNames: ["All"] })),
        nonExistentQueue(protocol),
      );
      const attrs = await alice.send(new f.sdk.GetQueueAttributesCommand({ QueueUrl: aliceUrl, AttributeNames: ["All"] }));
      assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, "0");
      assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesDelayed, "0");
    });

    it("keeps two regions' queues apart", async () => {
      const east = f.clientFor("333333333333", "us-east-1");
      const west = f.clientFor("333333333333", "us-west-2");
      const name = uniqueName("regional");
      const eastUrl = (await east.send(new f.sdk.CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
      await rejectsWith(f, west.send(new f.sdk.GetQueueUrlCommand({ QueueName: name })), nonExistentQueue(protocol));
      await rejectsWith(f, west.send(new f.sdk.SendMessageCommand({ QueueUrl: eastUrl, MessageBody: "x" })), nonExistentQueue(protocol));
      assert.equal((await west.send(new f.sdk.ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls, undefined);
      const westUrl = (await west.send(new f.sdk.CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
      assert.equal(await arnOf(f, west, westUrl), `arn:aws:sqs:us-west-2:333333333333:${name}`);
      assert.equal(await arnOf(f, east, eastUrl), `arn:aws:sqs:us-east-1:333333333333:${name}`);
      await west.send(new f.sdk.SendMessageCommand({ QueueUrl: westUrl, MessageBody: "west only" }));
      assert.equal((await east.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: eastUrl }))).Messages, undefined);
    });

    it("builds queue URLs from the origin the client called", async () => {
      const port = f.broker.port;
      const viaLocalhost = f.clientFor("test", "us-east-1", `http://localhost:${port}`);
      const viaLoopback = f.clientFor("test", "us-east-1", `http://127.0.0.1:${port}`);
      const name = uniqueName("origin");
      const created = (await viaLocalhost.send(new f.sdk.CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
      assert.equal(created, `http://localhost:${port}/000000000000/${name}`);
      assert.equal(new URL(created).origin, `http://localhost:${port}`);
      const looked = (await viaLoopback.send(new f.sdk.GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? "";
      assert.equal(looked, `http://127.0.0.1:${port}/000000000000/${name}`);
      const listed = await viaLocalhost.send(new f.sdk.ListQueuesCommand({ QueueNamePrefix: name }));
      assert.deepEqual(listed.QueueUrls, [created]);
      // Either URL names the same queue: queues resolve by path, not by host.
      await viaLoopback.send(new f.sdk.SendMessageCommand({ QueueUrl: created, MessageBody: "one queue" }));
      const got = await viaLocalhost.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: looked }));
      assert.deepEqual(got.Messages?.map((m) => m.Body), ["one queue"]);
    });

    it("treats a request to a queue URL's path as naming that queue", async () => {
      const name = uniqueName("path");
      const queueUrl = (await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
      const response = await queryRequest(f.broker.endpoint, { Action: "SendMessage", MessageBody: "by path" }, { path: `/000000000000/${name}` });
      assert.equal(response.status, 200, response.text);
      assert.match(response.text, /<SendMessageResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><SendMessageResult>/);
      const got = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl }));
      assert.deepEqual(got.Messages?.map((m) => m.Body), ["by path"]);
    });
  });
}
