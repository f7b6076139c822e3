import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBroker, type RunningBroker } from "../../src/server/broker.js";
import { PROTOCOLS, sqsClient, sqsSdk } from "../helpers/clients.js";
import { attributes, createQueue, invalidParameterValue, missingParameter, nonExistentQueue, rejectsWith, uniqueName, useBroker } from "./sqs-support.js";

for (const protocol of PROTOCOLS) {
  describe(`SQS queue lifecycle over ${protocol}`, () => {
    const f = useBroker(protocol);

    it("creates a queue with attributes and tags and returns its URL", async () => {
      const name = uniqueName("create");
      const out = await f.client.send(
        new f.sdk.CreateQueueCommand({
          QueueName: name,
          Attributes: { VisibilityTimeout: "7", DelaySeconds: "3", MaximumMessageSize: "2048" },
          tags: { team: "payments", empty: "" },
        }),
      );
      assert.equal(out.QueueUrl, `${f.broker.endpoint}/000000000000/${name}`);
      const attrs = await f.client.send(new f.sdk.GetQueueAttributesCommand({ QueueUrl: out.QueueUrl, AttributeNames: ["All"] }));
      assert.equal(attrs.Attributes?.VisibilityTimeout, "7");
      assert.equal(attrs.Attributes?.DelaySeconds, "3");
      assert.equal(attrs.Attributes?.MaximumMessageSize, "2048");
      const tags = await f.client.send(new f.sdk.ListQueueTagsCommand({ QueueUrl: out.QueueUrl }));
      assert.deepEqual(tags.Tags, { team: "payments", empty: "" });
    });

    it("is idempotent with equal attributes and refuses different ones", async () => {
      const name = uniqueName("idem");
      const first = await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: "5" } }));
      const again = await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: "5" } }));
      assert.equal(again.QueueUrl, first.QueueUrl);
      const bare = await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: name }));
      assert.equal(bare.QueueUrl, first.QueueUrl);
      await rejectsWith(f, f.client.send(new f.sdk.CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: "6" } })), {
        name: "QueueNameExists",
        code: "QueueAlreadyExists",
        status: 400,
        message: "A queue already exists with the same name and a different value for attribute DelaySeconds",
      });
    });

    it("refuses invalid queue names", async () => {
      for (const bad of ["has space", "dot.name", "x".repeat(81), "ünïcode", "plain.fifo"]) {
        await rejectsWith(
          f,
          f.client.send(new f.sdk.CreateQueueCommand({ QueueName: bad })),
          invalidParameterValue(/alphanumeric characters, hyphens, or underscores/),
        );
      }
      const longest = "x".repeat(70) + uniqueName("").slice(0, 10);
      const ok = await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: longest.slice(0, 80) }));
      assert.ok(ok.QueueUrl?.endsWith(longest.slice(0, 80)));
    });

    it("refuses unknown and out-of-range attributes on create", async () => {
      await rejectsWith(f, f.client.send(new f.sdk.CreateQueueCommand({ QueueName: uniqueName(), Attributes: attributes({ Foobar: "1" }) })), {
        name: "InvalidAttributeName",
        code: "InvalidAttributeName",
        status: 400,
        message: "Unknown Attribute Foobar.",
      });
      await rejectsWith(
        f,
        f.client.send(new f.sdk.CreateQueueCommand({ QueueName: uniqueName(), Attributes: { FifoQueue: "false" } })),
        { name: "InvalidAttributeName", code: "InvalidAttributeName", status: 400, message: "Unknown Attribute FifoQueue." },
      );
      await rejectsWith(
        f,
        f.client.send(new f.sdk.CreateQueueCommand({ QueueName: uniqueName(), Attributes: { VisibilityTimeout: "43201" } })),
        { name: "InvalidAttributeValue", code: "InvalidAttributeValue", status: 400, message: /VisibilityTimeout/ },
      );
    });

    it("GetQueueUrl finds own queues and, with QueueOwnerAWSAccountId, other accounts' shared queues", async () => {
      const name = uniqueName("url");
      const created = await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: name }));
      const got = await f.client.send(new f.sdk.GetQueueUrlCommand({ QueueName: name }));
      assert.equal(got.QueueUrl, created.QueueUrl);
      const own = await f.client.send(new f.sdk.GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: "000000000000" }));
      assert.equal(own.QueueUrl, created.QueueUrl);
      await rejectsWith(f, f.client.send(new f.sdk.GetQueueUrlCommand({ QueueName: uniqueName("missing") })), nonExistentQueue(protocol));

      const owner = f.clientFor("111111111111");
      const shared = uniqueName("shared");
      const ownerUrl = (await owner.send(new f.sdk.CreateQueueCommand({ QueueName: shared }))).QueueUrl ?? "";
      assert.equal(ownerUrl, `${f.broker.endpoint}/111111111111/${shared}`);
      const lookup = () => f.client.send(new f.sdk.GetQueueUrlCommand({ QueueName: shared, QueueOwnerAWSAccountId: "111111111111" }));
      await rejectsWith(f, lookup(), nonExistentQueue(protocol));
      await rejectsWith(f, f.client.send(new f.sdk.GetQueueUrlCommand({ QueueName: shared })), nonExistentQueue(protocol));
      await owner.send(
        new f.sdk.AddPermissionCommand({ QueueUrl: ownerUrl, Label: "share", AWSAccountIds: ["000000000000"], Actions: ["GetQueueUrl", "SendMessage"] }),
      );
      assert.equal((await lookup()).QueueUrl, ownerUrl);
      await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: ownerUrl, MessageBody: "from another account" }));
      const received = await owner.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: ownerUrl }));
      assert.equal(received.Messages?.[0]?.Body, "from another account");
    });

    it("ListQueues filters by prefix and pages with MaxResults and NextToken", async () => {
      const prefix = uniqueName("list");
      const names = ["a", "b", "c", "d", "e"].map((s) => `${prefix}-${s}`);
      for (const name of names) await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: name }));
      await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: uniqueName("other") }));

      const all = await f.client.send(new f.sdk.ListQueuesCommand({ QueueNamePrefix: prefix }));
      assert.deepEqual(all.QueueUrls, names.map((n) => `${f.broker.endpoint}/000000000000/${n}`));
      assert.equal(all.NextToken, undefined);

      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await f.client.send(new f.sdk.ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: token }));
        assert.ok((page.QueueUrls ?? []).length <= 2);
        seen.push(...(page.QueueUrls ?? []));
        token = page.NextToken;
        pages += 1;
      } while (token && pages < 10);
      assert.equal(pages, 3);
      assert.deepEqual(seen, all.QueueUrls);

      const none = await f.client.send(new f.sdk.ListQueuesCommand({ QueueNamePrefix: uniqueName("nothing-here") }));
      assert.equal((none.QueueUrls ?? []).length, 0);
      await rejectsWith(
        f,
        f.client.send(new f.sdk.ListQueuesCommand({ MaxResults: 1001 })),
        invalidParameterValue("Value 1001 for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."),
      );
    });

    it("DeleteQueue removes the queue and its messages", async () => {
      const queueUrl = await createQueue(f);
      await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "doomed" }));
      await f.client.send(new f.sdk.DeleteQueueCommand({ QueueUrl: queueUrl }));
      const name = queueUrl.split("/").pop() ?? "";
      await rejectsWith(f, f.client.send(new f.sdk.GetQueueUrlCommand({ QueueName: name })), nonExistentQueue(protocol));
      await rejectsWith(f, f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl })), nonExistentQueue(protocol));
      await rejectsWith(f, f.client.send(new f.sdk.DeleteQueueCommand({ QueueUrl: queueUrl })), nonExistentQueue(protocol));
      const listed = await f.client.send(new f.sdk.ListQueuesCommand({ QueueNamePrefix: name }));
      assert.equal((listed.QueueUrls ?? []).length, 0);
      // Re-creating it (the 60-second rule is off by default) gives an empty queue.
      const again = await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: name }));
      const received = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: again.QueueUrl }));
      assert.equal(received.Messages, undefined);
    });

    it("TagQueue, UntagQueue and ListQueueTags", async () => {
      const queueUrl = await createQueue(f);
      assert.equal(Object.keys((await f.client.send(new f.sdk.ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags ?? {}).length, 0);
      await f.client.send(new f.sdk.TagQueueCommand({ QueueUrl: queueUrl, Tags: { tag1: "value1", tag2: "value2", tag3: "" } }));
      assert.deepEqual((await f.client.send(new f.sdk.ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags, {
        tag1: "value1",
        tag2: "value2",
        tag3: "",
      });
      await f.client.send(new f.sdk.TagQueueCommand({ QueueUrl: queueUrl, Tags: { tag1: "changed" } }));
      await f.client.send(new f.sdk.UntagQueueCommand({ QueueUrl: queueUrl, TagKeys: ["tag2", "tag3", "never-set"] }));
      assert.deepEqual((await f.client.send(new f.sdk.ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags, { tag1: "changed" });
      await f.client.send(new f.sdk.UntagQueueCommand({ QueueUrl: queueUrl, TagKeys: ["tag1"] }));
      assert.equal(Object.keys((await f.client.send(new f.sdk.ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags ?? {}).length, 0);
      await rejectsWith(f, f.client.send(new f.sdk.TagQueueCommand({ QueueUrl: queueUrl, Tags: {} })), missingParameter("Tags"));
      await rejectsWith(f, f.client.send(new f.sdk.UntagQueueCommand({ QueueUrl: queueUrl, TagKeys: [] })), missingParameter("TagKeys"));
      const gone = `${f.broker.endpoint}/000000000000/${uniqueName("gone")}`;
      await rejectsWith(f, f.client.send(new f.sdk.ListQueueTagsCommand({ QueueUrl: gone })), nonExistentQueue(protocol));
    });

    it("AddPermission and RemovePermission keep statements in the Policy attribute", async () => {
      const queueUrl = await createQueue(f);
      const arn = (await f.client.send(new f.sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes
        ?.QueueArn;
      const policy = async () => {
        const out = await f.client.send(new f.sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["Policy"] }));
        return out.Attributes?.Policy === undefined ? undefined : (JSON.parse(out.Attributes.Policy) as Record<string, unknown>);
      };
      assert.equal(await policy(), undefined);
      await f.client.send(
        new f.sdk.AddPermissionCommand({ QueueUrl: queueUrl, Label: "first", AWSAccountIds: ["111111111111"], Actions: ["ReceiveMessage"] }),
      );
      await f.client.send(
        new f.sdk.AddPermissionCommand({
          QueueUrl: queueUrl,
          Label: "second",
          AWSAccountIds: ["111111111111", "222222222222"],
          Actions: ["SendMessage", "DeleteMessage"],
        }),
      );
      assert.deepEqual(await policy(), {
        Version: "2008-10-17",
        Id: `${arn}/SQSDefaultPolicy`,
        Statement: [
          { Sid: "first", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "SQS:ReceiveMessage", Resource: arn },
          {
            Sid: "second",
            Effect: "Allow",
            Principal: { AWS: ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"] },
            Action: ["SQS:SendMessage", "SQS:DeleteMessage"],
            Resource: arn,
          },
        ],
      });
      await rejectsWith(
        f,
        f.client.send(new f.sdk.AddPermissionCommand({ QueueUrl: queueUrl, Label: "first", AWSAccountIds: ["111111111111"], Actions: ["*"] })),
        invalidParameterValue("Value first for parameter Label is invalid. Reason: Already exists."),
      );
      await f.client.send(new f.sdk.RemovePermissionCommand({ QueueUrl: queueUrl, Label: "first" }));
      const left = await policy();
      assert.deepEqual((left?.Statement as Array<{ Sid: string }>).map((s) => s.Sid), ["second"]);
      await f.client.send(new f.sdk.RemovePermissionCommand({ QueueUrl: queueUrl, Label: "second" }));
      assert.equal(await policy(), undefined);
      await rejectsWith(
        f,
        f.client.send(new f.sdk.RemovePermissionCommand({ QueueUrl: queueUrl, Label: "second" })),
        invalidParameterValue("Value second for parameter Label is invalid. Reason: can't find label."),
      );
    });
  });

  describe(`SQS QueueDeletedRecently (opt-in) over ${protocol}`, () => {
    let broker: RunningBroker;
    let client: ReturnType<typeof sqsClient>;
    const sdk = sqsSdk(protocol);
    before(async () => {
      broker = await startBroker({ port: 0, memory: true, quiet: true, deletedRecentlyRule: true });
      client = sqsClient(broker.endpoint, protocol);
    });
    after(async () => {
      client?.destroy();
      await broker?.stop();
    });

    it("refuses to re-create a queue within 60 seconds of deleting it", async () => {
      const name = uniqueName("recent");
      const created = await client.send(new sdk.CreateQueueCommand({ QueueName: name }));
      await client.send(new sdk.DeleteQueueCommand({ QueueUrl: created.QueueUrl }));
      await rejectsWith(
        { protocol },
        client.send(new sdk.CreateQueueCommand({ QueueName: name })),
        {
          name: "QueueDeletedRecently",
          code: "AWS.SimpleQueueService.QueueDeletedRecently",
          status: 400,
          message: "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
        },
      );
      // Other names are unaffected.
      await client.send(new sdk.CreateQueueCommand({ QueueName: uniqueName("fresh") }));
    });
  });
}
