// Filter policy validation: AWS's reasons (without the "Invalid parameter: FilterPolicy: " lead-in)
// and the limits' edges. Rows marked "recorded" reproduce responses LocalStack recorded from AWS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileFilterPolicy, FilterPolicyError } from "../../src/core/filter-policy/index.js";
import type { FilterPolicyScope } from "../../src/core/filter-policy/index.js";

interface Rejected {
  policy: object | string;
  scope?: FilterPolicyScope;
  reason: string;
}

const values = (n: number, prefix = "v"): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const keys = (n: number): Record<string, string[]> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, ["v"]]));

const rejected: Rejected[] = [
  // Shape of the document
  { policy: "{invalidjson}", reason: "failed to parse JSON." },
  { policy: "", reason: "failed to parse JSON." },
  { policy: "[]", reason: "Filter is not an object" },
  { policy: '"store"', reason: "Filter is not an object" },
  { policy: "null", reason: "Filter is not an object" },
  { policy: { key_a: "value_one" }, scope: "MessageBody", reason: '"key_a" must be an object or an array' }, // recorded
  { policy: { key: 5 }, reason: '"key" must be an object or an array' },
  { policy: { key: null }, reason: '"key" must be an object or an array' },
  { policy: { key: true }, reason: '"key" must be an object or an array' },
  { policy: { key: { suffix: "value" } }, reason: '"suffix" must be an object or an array' }, // recorded
  { policy: { key: { suffix: "value", prefix: "value" } }, reason: '"suffix" must be an object or an array' }, // recorded
  { policy: { key: { "not-an-operator": "value" } }, reason: '"not-an-operator" must be an object or an array' }, // recorded
  { policy: { key: [] }, reason: "Empty arrays are not allowed" },
  { policy: { a: { b: [] } }, scope: "MessageBody", reason: "Empty arrays are not allowed" },
  { policy: { key: {} }, scope: "MessageBody", reason: "Empty objects are not allowed" },
  { policy: { $or: [{}, { a: ["x"] }] }, reason: "Empty objects are not allowed" },
  { policy: { key: [["value"]] }, reason: "Match value must be String, number, true, false, or null" }, // recorded
  { policy: { key: ["ok", ["nested"]] }, reason: "Match value must be String, number, true, false, or null" },
  { policy: { object: { key: [{ prefix: "auto-" }] } }, reason: "Filter policy scope MessageAttributes does not support nested filter policy" }, // recorded
  { policy: { $or: [{ a: { b: ["x"] } }, { c: ["y"] }] }, reason: "Filter policy scope MessageAttributes does not support nested filter policy" },

  // Match expressions
  { policy: { key: [{ "wrong-operator": true }] }, reason: "Unrecognized match type wrong-operator" }, // recorded
  { policy: { key: [{ wildcard: "a*" }] }, reason: "Unrecognized match type wildcard" },
  { policy: { key: [{}] }, reason: "Match expression name not found" },
  { policy: { key: [{ suffix: "value", prefix: "value2" }] }, reason: "Only one key allowed in match expression" }, // recorded
  { policy: { key: [{ exists: true, prefix: "a" }] }, reason: "Only one key allowed in match expression" },
  { policy: { key: [{ suffix: 100 }] }, reason: "suffix match pattern must be a string" }, // recorded
  { policy: { key: [{ suffix: null }] }, reason: "suffix match pattern must be a string" }, // recorded
  { policy: { key: [{ suffix: [] }] }, reason: "suffix match pattern must be a string" }, // recorded
  { policy: { key: [{ suffix: ["test", "test2"] }] }, reason: "suffix match pattern must be a string" }, // recorded
  { policy: { key: [{ suffix: 1, prefix: "x" }] }, reason: "suffix match pattern must be a string" },
  { policy: { key: [{ prefix: 5 }] }, reason: "prefix match pattern must be a string" },
  { policy: { key: [{ "equals-ignore-case": 5 }] }, reason: "equals-ignore-case match pattern must be a string" },
  { policy: { key: [{ exists: null }] }, reason: "exists match pattern must be either true or false." }, // recorded
  { policy: { key: [{ exists: "no" }] }, reason: "exists match pattern must be either true or false." }, // recorded

  // numeric
  { policy: { key: [{ numeric: [] }] }, reason: "Invalid member in numeric match: ]" }, // recorded
  { policy: { key: [{ numeric: ["operator"] }] }, reason: "Unrecognized numeric range operator: operator" }, // recorded
  { policy: { key: [{ numeric: [1, "<="] }] }, reason: "Invalid member in numeric match: 1" }, // recorded
  { policy: { key: [{ numeric: ["=", "000"] }] }, reason: "Value of equals must be numeric" }, // recorded
  { policy: { key: [{ numeric: [">="] }] }, reason: "Value of >= must be numeric" }, // recorded
  { policy: { key: [{ numeric: ["<", 100, ">", 10] }] }, reason: "Too many elements in numeric expression" }, // recorded
  { policy: { key: [{ numeric: [">=", 1, ">", 2] }] }, reason: "Bad numeric range operator: >" }, // recorded
  { policy: { key: [{ numeric: [">", 3, "<", 1] }] }, reason: "Bottom must be less than top" }, // recorded
  { policy: { key: [{ numeric: [">=", 5, "<=", 5] }] }, reason: "Bottom must be less than top" },
  { policy: { key: [{ numeric: [">", 20, "<="] }] }, reason: "Value of <= must be numeric" }, // recorded
  { policy: { key: [{ numeric: [">", 20, 30] }] }, reason: "Bad value in numeric range: 30" }, // recorded
  { policy: { key: [{ numeric: [">", 20, "test"] }] }, reason: "Bad numeric range operator: test" }, // recorded
  { policy: { key: [{ numeric: [">", "20", "<", "30"] }] }, reason: "Value of > must be numeric" }, // recorded
  { policy: { key: [{ numeric: [">", 20, "<", "30"] }] }, reason: "Value of < must be numeric" }, // recorded
  { policy: { key: [{ numeric: [">", 20, "<", 30, "<", 50] }] }, reason: "Too many terms in numeric range expression" }, // recorded
  { policy: { key: [{ numeric: ["=", 1, 2] }] }, reason: "Too many elements in numeric expression" },
  { policy: { key: [{ numeric: ["<"] }] }, reason: "Value of < must be numeric" },
  { policy: { key: [{ numeric: 5 }] }, reason: "Value of numeric must be an array." },
  { policy: { key: [{ numeric: [">", 1], prefix: "a" }] }, reason: "Too many elements in numeric expression" },
  { policy: { key: [{ numeric: ["<", 2e9] }] }, reason: "Value must be between -1.0E9 and 1.0E9, inclusive" },
  { policy: { key: [{ numeric: [">", -2e9, "<", 0] }] }, reason: "Value must be between -1.0E9 and 1.0E9, inclusive" },

  // anything-but
  { policy: { key: [{ "anything-but": { "wrong-operator": null } }] }, reason: "Unsupported anything-but pattern: wrong-operator" }, // recorded
  { policy: { key: [{ "anything-but": { suffix: "test" } }] }, reason: "Unsupported anything-but pattern: suffix" }, // recorded
  { policy: { key: [{ "anything-but": { exists: false } }] }, reason: "Unsupported anything-but pattern: exists" }, // recorded
  { policy: { key: [{ "anything-but": { "equals-ignore-case": "x" } }] }, reason: "Unsupported anything-but pattern: equals-ignore-case" },
  { policy: { key: [{ "anything-but": { prefix: false } }] }, reason: "prefix match pattern must be a string" }, // recorded
  { policy: { key: [{ "anything-but": { prefix: "a", suffix: "b" } }] }, reason: "Only one key allowed in match expression" },
  { policy: { key: [{ "anything-but": {} }] }, reason: "Anything-But expression name not found" },
  { policy: { key: [{ "anything-but": null }] }, reason: "Value of anything-but must be an array or single string/number value." },
  { policy: { key: [{ "anything-but": true }] }, reason: "Value of anything-but must be an array or single string/number value." },
  { policy: { key: [{ "anything-but": [null] }] }, reason: "Inside anything but list, start|null|boolean is not supported." },
  { policy: { key: [{ "anything-but": [{ prefix: "a" }] }] }, reason: "Inside anything but list, start|null|boolean is not supported." },
  { policy: { key: [{ "anything-but": ["a", 1] }] }, reason: "Inside anything but list, either all values are number or string, mixed type is not supported" },
  { policy: { key: [{ "anything-but": [] }] }, reason: "Inside anything but list, either all values are number or string, mixed type is not supported" },
  { policy: { key: [{ "anything-but": "x", prefix: "y" }] }, reason: "Too many elements in numeric expression" },

  // cidr
  { policy: { ip: [{ cidr: "10.0.0.0" }] }, reason: "Malformed CIDR, one '/' required" },
  { policy: { ip: [{ cidr: "10.0.0.0/8/8" }] }, reason: "Malformed CIDR, one '/' required" },
  { policy: { ip: [{ cidr: "10.0.0.0/x" }] }, reason: "Malformed CIDR, mask bits must be an integer" },
  { policy: { ip: [{ cidr: "10.0.0.0/" }] }, reason: "Malformed CIDR, mask bits must be an integer" },
  { policy: { ip: [{ cidr: "10.0.0.0/-1" }] }, reason: "Malformed CIDR, mask bits must not be negative" },
  { policy: { ip: [{ cidr: "10.0.0/8" }] }, reason: "Nonstandard IP address: 10.0.0" },
  { policy: { ip: [{ cidr: "10.0.0.256/8" }] }, reason: "Nonstandard IP address: 10.0.0.256" },
  { policy: { ip: [{ cidr: "2001:db8:::/32" }] }, reason: "Nonstandard IP address: 2001:db8:::" },
  { policy: { ip: [{ cidr: "10.0.0.1/32" }] }, reason: "IPv4 mask bits must be < 32" },
  { policy: { ip: [{ cidr: "::1/128" }] }, reason: "IPv6 mask bits must be < 128" },
  { policy: { ip: [{ cidr: 10 }] }, reason: "prefix match pattern must be a string" },

  // Limits
  { policy: keys(6), reason: "Filter policy can not have more than 5 keys" }, // recorded
  { policy: keys(6), scope: "MessageBody", reason: "Filter policy can not have more than 5 keys" }, // recorded
  { policy: { ...keys(5), $or: [{ f: ["1"] }, { g: ["1"] }] }, reason: "Filter policy can not have more than 5 keys" },
  { policy: { key: values(151) }, reason: "Filter policy is too complex" }, // recorded
  { policy: { key1: values(100), key2: values(51) }, reason: "Filter policy is too complex" }, // recorded
  { policy: { a: values(10), b: values(16) }, reason: "Filter policy is too complex" },
  { policy: { a: { b: values(76) } }, scope: "MessageBody", reason: "Filter policy is too complex" },
  {
    // recorded: 3x4x2x3 for key_c/key_e (values x depth), times 1x3 for key_f = 216
    policy: {
      key_a: { key_b: { key_c: ["value_one", "value_two", "value_three", "value_four"] } },
      key_d: { key_e: ["value_one", "value_two", "value_three"] },
      key_f: ["value_one", "value_two", "value_three"],
    },
    scope: "MessageBody",
    reason: "Filter policy is too complex",
  },
  {
    // recorded: (4*6) + (4*4*4) + (4*4*4) = 152
    policy: {
      source: ["aws.cloudwatch", "aws.events", "aws.test", "aws.test2"],
      $or: [
        { metricName: ["CPUUtilization", "ReadLatency", "t1", "t2", "t3", "t4"] },
        { metricType: ["MetricType", "TestType", "TestType2", "TestType3"], $or: [{ metricId: [1234, 4321, 5678, 9012] }, { spaceId: [1, 2, 3, 4] }] },
      ],
    },
    reason: "Filter policy is too complex",
  },
  {
    // recorded: (3*4*2) + (3*4*6) + (2*4*2) + (2*4*6) = 160, depth 2 doubling the detail.* counts
    policy: {
      $or: [{ metricName: ["CPUUtilization", "ReadLatency", "TestValue"] }, { namespace: ["AWS/EC2", "AWS/ES"] }],
      detail: { scope: ["Service", "Test"], $or: [{ source: ["aws.cloudwatch"] }, { type: ["CloudWatch Alarm State Change", "TestValue", "TestValue2"] }] },
    },
    scope: "MessageBody",
    reason: "Filter policy is too complex",
  },

  // "$or" that AWS reads as an ordinary key
  { policy: { $or: [{ a: ["x"] }] }, reason: "Unrecognized match type a" },
  { policy: { $or: [{ numeric: 123 }, { prefix: "abc" }] }, reason: "Value of numeric must be an array." },
  { policy: { $or: "x" }, reason: '"$or" must be an object or an array' },
  { policy: { $or: [] }, reason: "Empty arrays are not allowed" },
];

for (const [i, c] of rejected.entries()) {
  const text = typeof c.policy === "string" ? c.policy : JSON.stringify(c.policy);
  const scope = c.scope ?? "MessageAttributes";
  test(`rejects #${i + 1} (${scope}): ${text.length > 70 ? `${text.slice(0, 67)}...` : text}`, () => {
    assert.throws(
      () => compileFilterPolicy(text, scope),
      (err: unknown) => {
        assert.ok(err instanceof FilterPolicyError, `expected FilterPolicyError, got ${String(err)}`);
        assert.equal(err.message, c.reason);
        return true;
      },
    );
  });
}

interface Accepted {
  name: string;
  policy: object;
  scope?: FilterPolicyScope;
}

const accepted: Accepted[] = [
  { name: "exactly 5 keys", policy: keys(5) },
  { name: "exactly 150 values in one key", policy: { key: values(150) } },
  { name: "10 x 15 = 150 combinations", policy: { a: values(10), b: values(15) } },
  { name: "75 values at depth 2 = 150", policy: { a: { b: values(75) } }, scope: "MessageBody" },
  {
    // recorded: (3*6) + (3*4*4) + (3*4*7) = 150
    name: "$or summing to exactly 150",
    policy: {
      source: ["aws.cloudwatch", "aws.events", "aws.test"],
      $or: [
        { metricName: ["CPUUtilization", "ReadLatency", "TestVal", "TestVal2", "TestVal3", "TestVal4"] },
        { metricType: ["MetricType", "TestType", "TestType2", "TestType3"], $or: [{ metricId: [1234, 4321, 5678, 9012] }, { spaceId: [1, 2, 3, 4, 5, 6, 7] }] },
      ],
    },
  },
  { name: "5 keys in each $or branch", policy: { ...keys(4), $or: [{ f: ["1"] }, { g: ["1"] }] } },
  { name: "body scope counts only top-level keys", policy: { a: { x: ["1"], y: ["1"], z: ["1"] }, b: ["1"], c: ["1"], d: ["1"], e: ["1"] }, scope: "MessageBody" },
  { name: "nested policy in body scope", policy: { object: { key: [{ prefix: "auto-" }] } }, scope: "MessageBody" },
  { name: "empty policy", policy: {} },
  { name: "anything-but prefix", policy: { key: [{ "anything-but": { prefix: "test-" } }] } }, // recorded
  { name: "anything-but list of strings", policy: { key: [{ "anything-but": ["test", "test2"] }] } }, // recorded
  { name: "anything-but single string", policy: { key: [{ "anything-but": "test" }] } }, // recorded
  { name: "anything-but list of numbers", policy: { key: [{ "anything-but": [1, 2.5] }] } },
  { name: "numeric range", policy: { attr1: [{ numeric: [">", 0, "<=", 100] }] } }, // recorded
  { name: "numeric at the range limits", policy: { a: [{ numeric: [">=", -1e9, "<=", 1e9] }] } },
  { name: "exact number beyond the numeric range", policy: { account: [123456789012] } },
  { name: "null and anything-but together", policy: { attr1: [null, { "anything-but": "whatever" }] } }, // recorded
  { name: "exists true and false", policy: { a: [{ exists: true }], b: [{ exists: false }] } }, // recorded
  { name: "cidr IPv4 and IPv6", policy: { ip: [{ cidr: "10.0.0.0/24" }, { cidr: "2001:db8::/32" }] } },
  { name: "prefix, suffix, equals-ignore-case", policy: { a: [{ prefix: "" }, { suffix: "x" }, { "equals-ignore-case": "Y" }] } },
  { name: "booleans and null as exact values", policy: { a: [true, false, null] } },
  { name: "dotted key in body scope", policy: { "a.b": ["x"] }, scope: "MessageBody" },
];

for (const [i, c] of accepted.entries()) {
  test(`accepts #${i + 1}: ${c.name}`, () => {
    const compiled = compileFilterPolicy(JSON.stringify(c.policy), c.scope ?? "MessageAttributes");
    assert.equal(typeof compiled.matches, "function");
  });
}

test("the error is an Error with AWS's reason and no parameter prefix", () => {
  try {
    compileFilterPolicy(JSON.stringify({ key: values(151) }), "MessageAttributes");
    assert.fail("expected a FilterPolicyError");
  } catch (err) {
    assert.ok(err instanceof Error);
    assert.ok(err instanceof FilterPolicyError);
    assert.equal(err.message, "Filter policy is too complex");
    assert.ok(!err.message.startsWith("Invalid parameter"));
  }
});

test("a policy over 256 KB is refused", () => {
  const big = JSON.stringify({ a: [`x${"y".repeat(256 * 1024)}`] });
  assert.throws(() => compileFilterPolicy(big, "MessageAttributes"), FilterPolicyError);
});
