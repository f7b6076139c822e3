// SNS topic actions through @aws-sdk/client-sns: CreateTopic, DeleteTopic, Get/SetTopicAttributes, ListTopics,
// permissions and tags, with AWS's error codes, statuses and messages; on both stores.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  AddPermissionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishCommand,
  RemovePermissionCommand,
  SetTopicAttributesCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sns";
import { STORE_KINDS, type TestBroker } from "../helpers/broker.js";
import { awsClients, failure, startSnsBroker, type Clients } from "../helpers/sns.js";

const NS = "http://sns.amazonaws.com/doc/2010-03-31/";

for (const kind of STORE_KINDS) {
  describe(`SNS topics (${kind})`, () => {
    let broker: TestBroker;
    let c: Clients;
    before(async () => {
      broker = await startSnsBroker(kind);
      c = awsClients(broker.endpoint);
    });
    after(async () => {
      c.destroy();
      await broker.stop();
    });

    test("CreateTopic returns the ARN, is idempotent, and GetTopicAttributes shows AWS's defaults", async () => {
      const arn = (await c.sns.send(new CreateTopicCommand({ Name: "orders" }))).TopicArn;
      assert.equal(arn, "arn:aws:sns:us-east-1:000000000000:orders");
      assert.equal((await c.sns.send(new CreateTopicCommand({ Name: "orders" }))).TopicArn, arn);
      const attributes = (await c.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
      assert.deepEqual(
        Object.keys(attributes).sort(),
        ["DisplayName", "EffectiveDeliveryPolicy", "Owner", "Policy", "SubscriptionsConfirmed", "SubscriptionsDeleted", "SubscriptionsPending", "TopicArn"],
      );
      assert.equal(attributes.Owner, "000000000000");
      assert.equal(attributes.DisplayName, "");
      assert.equal(attributes.SubscriptionsPending, "0");
      assert.deepEqual(JSON.parse(attributes.EffectiveDeliveryPolicy), {
        http: {
          defaultHealthyRetryPolicy: {
            minDelayTarget: 20,
            maxDelayTarget: 20,
            numRetries: 3,
            numMaxDelayRetries: 0,
            numNoDelayRetries: 0,
            numMinDelayRetries: 0,
            backoffFunction: "linear",
          },
          disableSubscriptionOverrides: false,
          defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
        },
      });
      const policy = JSON.parse(attributes.Policy);
      assert.equal(policy.Id, "__default_policy_ID");
      assert.deepEqual(policy.Statement[0].Condition, { StringEquals: { "AWS:SourceOwner": "000000000000" } });
      assert.equal(policy.Statement[0].Resource, arn);
    });

    test("FIFO topics need .fifo and FifoTopic=true, and show their FIFO attributes", async () => {
      const arn = (await c.sns.send(new CreateTopicCommand({ Name: "jobs.fifo", Attributes: { FifoTopic: "true" } }))).TopicArn;
      const attributes = (await c.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
      assert.equal(attributes.FifoTopic, "true");
      assert.equal(attributes.ContentBasedDeduplication, "false");
      await c.sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "ContentBasedDeduplication", AttributeValue: "true" }));
      const after = (await c.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
      assert.equal(after.ContentBasedDeduplication, "true");

      const noSuffix = await failure(c.sns.send(new CreateTopicCommand({ Name: "jobs", Attributes: { FifoTopic: "true" } })));
      assert.equal(noSuffix.name, "InvalidParameterException");
      assert.match(noSuffix.message, /^Invalid parameter: Fifo Topic names must end with \.fifo/);
      const noAttribute = await failure(c.sns.send(new CreateTopicCommand({ Name: "other.fifo" })));
      assert.deepEqual([noAttribute.name, noAttribute.message, noAttribute.status], ["InvalidParameterException", "Invalid parameter: Topic Name", 400]);
      const standardCbd = await failure(
        c.sns.send(new CreateTopicCommand({ Name: "plain", Attributes: { ContentBasedDeduplication: "true" } })),
      );
      assert.equal(standardCbd.name, "InvalidParameterException");
      const setFifo = await failure(c.sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "FifoTopic", AttributeValue: "false" })));
      assert.equal(setFifo.message, "Invalid parameter: AttributeName");
    });

    test("topic names are checked and a repeated CreateTopic must not change attributes or tags", async () => {
      for (const name of ["", "a".repeat(257), "bad:name", "sp ace", "x@y"]) {
        const e = await failure(c.sns.send(new CreateTopicCommand({ Name: name })));
        assert.deepEqual([e.name, e.message], ["InvalidParameterException", "Invalid parameter: Topic Name"], name);
      }
      assert.ok((await c.sns.send(new CreateTopicCommand({ Name: "a".repeat(256) }))).TopicArn);
      await c.sns.send(new CreateTopicCommand({ Name: "shown", Attributes: { DisplayName: "Shown" }, Tags: [{ Key: "team", Value: "a" }] }));
      const again = await c.sns.send(new CreateTopicCommand({ Name: "shown", Attributes: { DisplayName: "Shown" } }));
      assert.ok(again.TopicArn);
      const attrs = await failure(c.sns.send(new CreateTopicCommand({ Name: "shown", Attributes: { DisplayName: "Other" } })));
      assert.equal(attrs.message, "Invalid parameter: Attributes Reason: Topic already exists with different attributes");
      const tags = await failure(c.sns.send(new CreateTopicCommand({ Name: "shown", Tags: [{ Key: "team", Value: "b" }] })));
      assert.equal(tags.message, "Invalid parameter: Tags Reason: Topic already exists with different tags");
    });

    test("topic ARNs: malformed, unknown, other region", async () => {
      const malformed = await failure(c.sns.send(new GetTopicAttributesCommand({ TopicArn: "nope" })));
      assert.deepEqual(malformed, {
        name: "InvalidParameterException",
        message: "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
        status: 400,
        type: "Sender",
      });
      const five = await failure(c.sns.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000" })));
      assert.equal(five.message, "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5");
      const missing = await failure(c.sns.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:missing" })));
      assert.deepEqual([missing.name, missing.message, missing.status], ["NotFoundException", "Topic does not exist", 404]);
      const arn = (await c.sns.send(new CreateTopicCommand({ Name: "regional" }))).TopicArn;
      const west = awsClients(broker.endpoint, "test", "us-west-2");
      try {
        const e = await failure(west.sns.send(new GetTopicAttributesCommand({ TopicArn: arn })));
        assert.deepEqual([e.message, e.status], ["Invalid parameter: TopicArn", 400]);
        assert.deepEqual((await west.sns.send(new ListTopicsCommand({}))).Topics, []);
      } finally {
        west.destroy();
      }
    });

    test("SetTopicAttributes: DisplayName, DeliveryPolicy (echoed and made effective), unknown names", async () => {
      const arn = (await c.sns.send(new CreateTopicCommand({ Name: "settable" }))).TopicArn;
      await c.sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "DisplayName", AttributeValue: "Nice" }));
      const policy = { http: { defaultHealthyRetryPolicy: { minDelayTarget: 5, maxDelayTarget: 6, numRetries: 1 } } };
      await c.sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "DeliveryPolicy", AttributeValue: JSON.stringify(policy) }));
      const attributes = (await c.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
      assert.equal(attributes.DisplayName, "Nice");
      assert.deepEqual(JSON.parse(attributes.DeliveryPolicy), {
        http: { defaultHealthyRetryPolicy: { minDelayTarget: 5, maxDelayTarget: 6, numRetries: 1 }, disableSubscriptionOverrides: false },
      });
      assert.deepEqual(JSON.parse(attributes.EffectiveDeliveryPolicy).http.defaultHealthyRetryPolicy, {
        minDelayTarget: 5,
        maxDelayTarget: 6,
        numRetries: 1,
        numMaxDelayRetries: 0,
        numNoDelayRetries: 0,
        numMinDelayRetries: 0,
        backoffFunction: "linear",
      });
      const unknown = await failure(c.sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "Bogus", AttributeValue: "x" })));
      assert.deepEqual([unknown.name, unknown.message], ["InvalidParameterException", "Invalid parameter: AttributeName"]);
      const badPolicy = await failure(
        c.sns.send(new SetTopicAttributesCommand({
          TopicArn: arn,
          AttributeName: "DeliveryPolicy",
          AttributeValue: JSON.stringify({ http: { defaultHealthyRetryPolicy: { minDelayTarget: 0, maxDelayTarget: 1, numRetries: 1 } } }),
        })),
      );
      assert.equal(badPolicy.message, "Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.minDelayTarget must be greater than or equal to 1");
    });

    test("ListTopics pages at 100 with an opaque NextToken", async () => {
      const other = awsClients(broker.endpoint, "222222222222");
      try {
        for (let i = 0; i < 105; i++) await other.sns.send(new CreateTopicCommand({ Name: `page-${String(i).padStart(3, "0")}` }));
        const first = await other.sns.send(new ListTopicsCommand({}));
        assert.equal(first.Topics?.length, 100);
        assert.ok(first.NextToken);
        const second = await other.sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
        assert.equal(second.Topics?.length, 5);
        assert.equal(second.NextToken, undefined);
        const all = [...(first.Topics ?? []), ...(second.Topics ?? [])].map((t) => t.TopicArn);
        assert.equal(new Set(all).size, 105);
        assert.ok(all.every((a) => a?.startsWith("arn:aws:sns:us-east-1:222222222222:page-")));
        const bad = await failure(other.sns.send(new ListTopicsCommand({ NextToken: "%%%" })));
        assert.equal(bad.message, "Invalid parameter: NextToken");
      } finally {
        other.destroy();
      }
    });

    test("DeleteTopic removes the topic and succeeds for topics that do not exist", async () => {
      const arn = (await c.sns.send(new CreateTopicCommand({ Name: "doomed" }))).TopicArn;
      await c.sns.send(new DeleteTopicCommand({ TopicArn: arn }));
      await c.sns.send(new DeleteTopicCommand({ TopicArn: arn }));
      const gone = await failure(c.sns.send(new GetTopicAttributesCommand({ TopicArn: arn })));
      assert.equal(gone.name, "NotFoundException");
      const bad = await failure(c.sns.send(new DeleteTopicCommand({ TopicArn: "x:y" })));
      assert.equal(bad.message, "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2");
    });

    test("tags: TagResource, UntagResource, ListTagsForResource and their errors", async () => {
      const arn = (await c.sns.send(new CreateTopicCommand({ Name: "tagged", Tags: [{ Key: "k1", Value: "v1" }] }))).TopicArn;
      await c.sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "k2", Value: "v2" }] }));
      assert.deepEqual((await c.sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, [
        { Key: "k1", Value: "v1" },
        { Key: "k2", Value: "v2" },
      ]);
      await c.sns.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["k1", "absent"] }));
      await c.sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "k2", Value: "v2b" }] }));
      assert.deepEqual((await c.sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, [{ Key: "k2", Value: "v2b" }]);
      const duplicate = await failure(
        c.sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "d", Value: "1" }, { Key: "d", Value: "2" }] })),
      );
      assert.equal(duplicate.message, "Invalid parameter: Duplicated keys are not allowed.");
      const missing = await failure(c.sns.send(new ListTagsForResourceCommand({ ResourceArn: `${arn}-missing` })));
      assert.deepEqual([missing.name, missing.message, missing.status], ["ResourceNotFoundException", "Resource does not exist", 404]);
      const tooMany = Array.from({ length: 50 }, (_, i) => ({ Key: `t${i}`, Value: "v" }));
      const limit = await failure(c.sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: tooMany })));
      assert.equal(limit.name, "TagLimitExceededException");
      assert.deepEqual((await c.sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, [{ Key: "k2", Value: "v2b" }]);
    });

    test("AddPermission opens a topic to another account; RemovePermission closes it", async () => {
      const arn = (await c.sns.send(new CreateTopicCommand({ Name: "shared" }))).TopicArn;
      const other = awsClients(broker.endpoint, "111111111111");
      try {
        const denied = await failure(other.sns.send(new PublishCommand({ TopicArn: arn, Message: "hi" })));
        assert.deepEqual([denied.name, denied.status], ["AuthorizationErrorException", 403]);
        await c.sns.send(new AddPermissionCommand({ TopicArn: arn, Label: "pub", AWSAccountId: ["111111111111"], ActionName: ["Publish"] }));
        assert.ok((await other.sns.send(new PublishCommand({ TopicArn: arn, Message: "hi" }))).MessageId);
        const policy = JSON.parse((await c.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes?.Policy ?? "{}");
        assert.deepEqual(policy.Statement[1], {
          Sid: "pub",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::111111111111:root" },
          Action: "SNS:Publish",
          Resource: arn,
        });
        const again = await failure(c.sns.send(new AddPermissionCommand({ TopicArn: arn, Label: "pub", AWSAccountId: ["1"], ActionName: ["Publish"] })));
        assert.equal(again.message, "Invalid parameter: Statement already exists");
        const scope = await failure(c.sns.send(new AddPermissionCommand({ TopicArn: arn, Label: "x", AWSAccountId: ["1"], ActionName: ["Fly"] })));
        assert.equal(scope.message, "Invalid parameter: Policy statement action out of service scope!");
        await c.sns.send(new RemovePermissionCommand({ TopicArn: arn, Label: "pub" }));
        assert.equal((await failure(other.sns.send(new PublishCommand({ TopicArn: arn, Message: "hi" })))).status, 403);
      } finally {
        other.destroy();
      }
    });

    test("wire format: ErrorResponse XML, missing parameters, unknown and unsupported actions", async () => {
      const post = async (body: string) => {
        const response = await fetch(broker.endpoint, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });
        return { status: response.status, text: await response.text(), requestId: response.headers.get("x-amzn-requestid") };
      };
      const notFound = await post("Action=GetTopicAttributes&Version=2010-03-31&TopicArn=arn:aws:sns:us-east-1:000000000000:nope");
      assert.equal(notFound.status, 404);
      assert.ok(notFound.requestId);
      assert.equal(
        notFound.text,
        `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>${notFound.requestId}</RequestId></ErrorResponse>`,
      );
      const missing = await post("Action=Subscribe&Version=2010-03-31");
      assert.equal(missing.status, 400);
      assert.match(missing.text, /<Code>ValidationError<\/Code><Message>2 validation errors detected: Value null at 'topicArn' failed to satisfy constraint: Member must not be null; Value null at 'protocol' failed to satisfy constraint: Member must not be null<\/Message>/);
      const unknown = await post("Action=Fly&Version=2010-03-31");
      assert.equal(unknown.status, 400);
      assert.match(unknown.text, /<Code>InvalidAction<\/Code><Message>The action Fly is not valid for this endpoint.<\/Message>/);
      for (const action of ["ListPlatformApplications", "SetSMSAttributes", "GetDataProtectionPolicy", "CreatePlatformEndpoint"]) {
        const unsupported = await post(`Action=${action}&Version=2010-03-31`);
        assert.equal(unsupported.status, 400);
        assert.match(unsupported.text, new RegExp(`<Code>InvalidAction</Code><Message>The action ${action} is not supported by Sluice: SMS, mobile push and data protection are out of scope.</Message>`));
      }
      const ok = await post("Action=ListTopics&Version=2010-03-31");
      assert.equal(ok.status, 200);
      assert.match(ok.text, new RegExp(`^<\\?xml version="1.0"\\?><ListTopicsResponse xmlns="${NS}"><ListTopicsResult><Topics>(<member><TopicArn>[^<]+</TopicArn></member>)+</Topics></ListTopicsResult><ResponseMetadata><RequestId>${ok.requestId}</RequestId></ResponseMetadata></ListTopicsResponse>$`));
      const phone = await failure(c.sns.send(new PublishCommand({ PhoneNumber: "+15555550100", Message: "sms" })));
      assert.equal(phone.name, "InvalidAction");
    });
  });
}
