// Filter policies in the MessageBody scope: one table, one test per row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileFilterPolicy } from "../../src/core/filter-policy/index.js";

interface Case {
  name: string;
  policy: object;
  /** An object is sent as its JSON; a string is sent verbatim. */
  body: object | string;
  expected: boolean;
}

const s3Records = {
  Records: [
    { eventName: "ObjectCreated:Put", s3: { object: [[{ key: "auto-insurance-2314.xml", size: 17 }]] } },
    { eventName: "ObjectRemoved:Delete", s3: { object: { key: "home-insurance-2314.xml", size: 17 } } },
  ],
};

const cloudwatchOr = {
  $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }],
  detail: { scope: ["Service"], $or: [{ source: ["aws.cloudwatch"] }, { type: ["CloudWatch Alarm State Change"] }] },
};

const cases: Case[] = [
  // The body must be a JSON object
  { name: "top-level exact string", policy: { store: ["example_corp"] }, body: { store: "example_corp" }, expected: true },
  { name: "top-level exact string differs", policy: { store: ["example_corp"] }, body: { store: "other" }, expected: false },
  { name: "body that is not JSON", policy: { store: ["x"] }, body: "store=x", expected: false },
  { name: "body that is a JSON array", policy: { store: ["x"] }, body: '[{"store":"x"}]', expected: false },
  { name: "body that is JSON null", policy: { store: [{ exists: false }] }, body: "null", expected: false },
  { name: "body that is a JSON string", policy: { store: [{ exists: false }] }, body: '"x"', expected: false },
  { name: "empty policy matches even a non-JSON body", policy: {}, body: "plain text", expected: true },
  { name: "exists false on an empty object body", policy: { a: [{ exists: false }] }, body: {}, expected: true },

  // Nesting and dotted keys
  { name: "nested policy, nested body", policy: { object: { key: [{ prefix: "auto-" }] } }, body: { object: { key: "auto-test" } }, expected: true },
  { name: "nested policy, other value", policy: { object: { key: [{ prefix: "auto-" }] } }, body: { object: { key: "manual" } }, expected: false },
  { name: "nested policy, key at the wrong level", policy: { object: { key: ["v"] } }, body: { key: "v" }, expected: false },
  { name: "nested policy, parent is a scalar", policy: { object: { key: ["v"] } }, body: { object: "v" }, expected: false },
  { name: "dotted policy key, nested body", policy: { "object.nested": ["string.value"] }, body: { object: { nested: "string.value" } }, expected: true },
  { name: "dotted policy key, dotted body key", policy: { "object.nested": ["string.value"] }, body: { "object.nested": "string.value" }, expected: true },
  { name: "nested policy, dotted body key", policy: { object: { nested: ["v"] } }, body: { "object.nested": "v" }, expected: true },
  { name: "three levels, half-dotted body", policy: { object: { nested: { test: ["v"] } } }, body: { "object.nested": { test: "v" } }, expected: true },
  { name: "three levels, dotted tail in body", policy: { "object.nested.test": ["v"] }, body: { object: { "nested.test": "v" } }, expected: true },
  { name: "three levels, fully dotted body", policy: { object: { "nested.test": ["v"] } }, body: { "object.nested.test": "v" }, expected: true },
  { name: "dotted and nested forms both searched", policy: { "a.b": [2] }, body: { "a.b": 1, a: { b: 2 } }, expected: true },
  { name: "sibling keys AND-ed inside a nested object", policy: { o: { a: ["1"], b: ["2"] } }, body: { o: { a: "1", b: "3" } }, expected: false },
  { name: "policy on a parent and a child", policy: { a: { b: ["x"] }, c: ["y"] }, body: { a: { b: "x" }, c: "y" }, expected: true },

  // Arrays
  { name: "array of strings, one matches", policy: { headers: { "route-to": ["queue1"] } }, body: { headers: { "route-to": ["queue1", "queue2"] } }, expected: true },
  { name: "array of strings, none matches", policy: { headers: { "route-to": ["queue3"] } }, body: { headers: { "route-to": ["queue1", "queue2"] } }, expected: false },
  { name: "array of arrays", policy: { a: [3] }, body: { a: [[1, 2], [3]] }, expected: true },
  { name: "array of objects", policy: { Records: { eventName: [{ prefix: "ObjectCreated:" }] } }, body: { Records: [{ eventName: "ObjectRemoved" }, { eventName: "ObjectCreated:Put" }] }, expected: true },
  { name: "array of objects, none matches", policy: { Records: { eventName: [{ prefix: "ObjectCreated:" }] } }, body: { Records: [{ eventName: "ObjectRemoved" }] }, expected: false },
  {
    name: "S3 records with an array of arrays of objects",
    policy: { Records: { s3: { object: { key: [{ prefix: "auto-" }] } }, eventName: [{ prefix: "ObjectCreated:" }] } },
    body: s3Records,
    expected: true,
  },
  {
    name: "S3 records: fields must come from the same record",
    policy: { Records: { s3: { object: { key: [{ prefix: "home-" }] } }, eventName: [{ prefix: "ObjectCreated:" }] } },
    body: s3Records,
    expected: false,
  },
  { name: "array consistency: different elements", policy: { r: { a: [1], b: [4] } }, body: { r: [{ a: 1, b: 2 }, { a: 3, b: 4 }] }, expected: false },
  { name: "array consistency: same element", policy: { r: { a: [3], b: [4] } }, body: { r: [{ a: 1, b: 2 }, { a: 3, b: 4 }] }, expected: true },
  { name: "array consistency: leaf outside the array", policy: { top: ["x"], r: { a: [1] } }, body: { top: "x", r: [{ a: 2 }, { a: 1 }] }, expected: true },
  {
    name: "array consistency: inner arrays of different outer elements",
    policy: { r: { s: { a: [1], b: [4] } } },
    body: { r: [{ s: [{ a: 1, b: 2 }] }, { s: [{ a: 3, b: 4 }] }] },
    expected: false,
  },
  {
    name: "array consistency: one element of the inner array",
    policy: { r: { s: { a: [1], b: [4] } } },
    body: { r: [{ s: [{ a: 3 }] }, { s: [{ a: 2, b: 4 }, { a: 1, b: 4 }] }] },
    expected: true,
  },
  {
    name: "array consistency: different elements of one inner array",
    policy: { r: { s: { a: [1], b: [4] } } },
    body: { r: [{ s: [{ a: 1 }, { b: 4 }] }, { s: [{ a: 3 }] }] },
    expected: false,
  },
  {
    name: "array consistency: sibling arrays in one element",
    policy: { r: { x: { a: [1] }, y: { b: [2] } } },
    body: { r: [{ x: [{ a: 1 }], y: [{ b: 3 }] }, { x: [{ a: 0 }], y: [{ b: 2 }] }, { x: [{ a: 1 }], y: [{ b: 2 }] }] },
    expected: true,
  },
  { name: "array consistency with exists", policy: { r: { a: [1], b: [{ exists: true }] } }, body: { r: [{ a: 1 }, { b: 2 }] }, expected: false },
  { name: "array consistency: backtracking finds the pair", policy: { r: { a: [{ numeric: [">", 0] }], b: ["y"] } }, body: { r: [{ a: 1, b: "n" }, { a: 2, b: "n" }, { a: 3, b: "y" }] }, expected: true },
  { name: "empty array matches no value", policy: { a: [{ "anything-but": "x" }] }, body: { a: [] }, expected: false },
  { name: "numeric inside an array", policy: { a: [{ numeric: [">", 10] }] }, body: { a: [1, 50] }, expected: true },

  // Types and null
  { name: "number exact", policy: { price_usd: [210.75] }, body: { price_usd: 210.75 }, expected: true },
  { name: "number exact, 5 equals 5.0", policy: { n: [5] }, body: '{"n": 5.0}', expected: true },
  { name: "number in policy vs string in body", policy: { n: [5] }, body: { n: "5" }, expected: false },
  { name: "string in policy vs number in body", policy: { n: ["5"] }, body: { n: 5 }, expected: false },
  { name: "numeric range", policy: { price_usd: [{ numeric: [">=", 100, "<", 300] }] }, body: { price_usd: 210.75 }, expected: true },
  { name: "numeric range, outside", policy: { price_usd: [{ numeric: [">=", 100, "<", 300] }] }, body: { price_usd: 300 }, expected: false },
  { name: "numeric on a string value", policy: { n: [{ numeric: [">", 10] }] }, body: { n: "50" }, expected: false },
  { name: "[null] matches JSON null", policy: { a: [null] }, body: { a: null }, expected: true },
  { name: "[null] does not match absence", policy: { a: [null] }, body: { b: 1 }, expected: false },
  { name: "[null] does not match a string", policy: { a: [null] }, body: { a: "null" }, expected: false },
  { name: "[true] matches true", policy: { a: [true] }, body: { a: true }, expected: true },
  { name: "[true] does not match \"true\"", policy: { a: [true] }, body: { a: "true" }, expected: false },
  { name: "[false] matches false", policy: { a: [false] }, body: { a: false }, expected: true },
  { name: "[null, anything-but] with the key absent", policy: { a: [null, { "anything-but": "x" }] }, body: { b: 1 }, expected: false },
  { name: "[null, anything-but] with a null value", policy: { a: [null, { "anything-but": "x" }] }, body: { a: null }, expected: true },

  // exists
  { name: "exists true on a null value", policy: { a: [{ exists: true }] }, body: { a: null }, expected: true },
  { name: "exists true on an object (not a leaf)", policy: { a: [{ exists: true }] }, body: { a: { b: 1 } }, expected: false },
  { name: "exists false on an object (not a leaf)", policy: { a: [{ exists: false }] }, body: { a: { b: 1 } }, expected: true },
  { name: "exists true on an empty array", policy: { a: [{ exists: true }] }, body: { a: [] }, expected: false },
  { name: "exists true, nested", policy: { a: { b: [{ exists: true }] } }, body: { a: { b: "x" } }, expected: true },
  { name: "exists false, nested parent missing", policy: { a: { b: [{ exists: false }] } }, body: { c: 1 }, expected: true },
  { name: "exists false, present", policy: { store: [{ exists: false }] }, body: { store: "fans", customer_interests: ["baseball"] }, expected: false },
  { name: "exists false, absent", policy: { store: [{ exists: false }] }, body: { customer_interests: ["baseball", "basketball"] }, expected: true },

  // Operators on body values
  { name: "anything-but, other string", policy: { a: [{ "anything-but": ["x", "y"] }] }, body: { a: "z" }, expected: true },
  { name: "anything-but, excluded", policy: { a: [{ "anything-but": ["x", "y"] }] }, body: { a: "y" }, expected: false },
  { name: "anything-but string vs a number", policy: { a: [{ "anything-but": "x" }] }, body: { a: 5 }, expected: true },
  { name: "anything-but, absent", policy: { a: [{ "anything-but": "x" }] }, body: {}, expected: false },
  { name: "anything-but on an array, one other element", policy: { a: [{ "anything-but": "a" }] }, body: { a: ["a", "b"] }, expected: true },
  { name: "anything-but on an array, only excluded", policy: { a: [{ "anything-but": "a" }] }, body: { a: ["a"] }, expected: false },
  { name: "anything-but prefix", policy: { a: [{ "anything-but": { prefix: "int-" } }] }, body: { a: "ext-1" }, expected: true },
  { name: "anything-but numbers, 100.0", policy: { a: [{ "anything-but": [100] }] }, body: '{"a": 100.0}', expected: false },
  { name: "suffix", policy: { file: [{ suffix: ".xml" }] }, body: { file: "a.xml" }, expected: true },
  { name: "equals-ignore-case", policy: { s: [{ "equals-ignore-case": "ACTIVE" }] }, body: { s: "Active" }, expected: true },
  { name: "equals-ignore-case vs a number", policy: { s: [{ "equals-ignore-case": "5" }] }, body: { s: 5 }, expected: false },
  { name: "prefix vs a number", policy: { s: [{ prefix: "1" }] }, body: { s: 12 }, expected: false },
  { name: "cidr", policy: { source_ip: [{ cidr: "192.168.0.0/16" }] }, body: { source_ip: "192.168.10.20" }, expected: true },
  { name: "cidr, outside", policy: { source_ip: [{ cidr: "192.168.0.0/16" }] }, body: { source_ip: "192.169.0.1" }, expected: false },
  { name: "cidr vs a number", policy: { ip: [{ cidr: "0.0.0.0/0" }] }, body: { ip: 167772161 }, expected: false },

  // $or
  { name: "$or, nested: metricName + source", policy: cloudwatchOr, body: { metricName: "CPUUtilization", detail: { scope: "Service", source: "aws.cloudwatch" } }, expected: true },
  { name: "$or, nested: namespace + type", policy: cloudwatchOr, body: { namespace: "AWS/ES", detail: { scope: "Service", type: "CloudWatch Alarm State Change" } }, expected: true },
  { name: "$or, nested: wrong detail.type", policy: cloudwatchOr, body: { metricName: "CPUUtilization", detail: { scope: "Service", type: "CPUUtilization" } }, expected: false },
  { name: "$or, nested: detail.scope missing", policy: cloudwatchOr, body: { metricName: "CPUUtilization", detail: { type: "CloudWatch Alarm State Change" } }, expected: false },
  { name: "$or, nested: neither source nor type", policy: cloudwatchOr, body: { metricName: "CPUUtilization", detail: { scope: "Service" } }, expected: false },
  { name: "$or, nested: detail flattened to the top", policy: cloudwatchOr, body: { metricName: "CPUUtilization", scope: "Service" }, expected: false },
  { name: "$or, nested: dotted body keys", policy: cloudwatchOr, body: { namespace: "AWS/EC2", "detail.scope": "Service", "detail.source": "aws.cloudwatch" }, expected: true },
];

for (const [i, c] of cases.entries()) {
  test(`body #${i + 1}: ${c.name}`, () => {
    const compiled = compileFilterPolicy(JSON.stringify(c.policy), "MessageBody");
    const body = typeof c.body === "string" ? c.body : JSON.stringify(c.body);
    assert.equal(compiled.matches({ attributes: {}, body }), c.expected);
  });
}

test("body scope ignores message attributes", () => {
  const compiled = compileFilterPolicy(JSON.stringify({ a: ["x"] }), "MessageBody");
  assert.equal(compiled.matches({ attributes: { a: { Type: "String", Value: "x" } }, body: "{}" }), false);
});

test("one body matched by many policies gives each its own answer", () => {
  const body = JSON.stringify({ type: "user.registered", user: { id: 7 } });
  const policies = [{ type: ["user.registered"] }, { type: ["user.deleted"] }, { user: { id: [{ numeric: ["<", 10] }] } }];
  const results = policies.map((p) => compileFilterPolicy(JSON.stringify(p), "MessageBody").matches({ attributes: {}, body }));
  assert.deepEqual(results, [true, false, true]);
});

test("large arrays of objects: exact answer, no combinatorial search", () => {
  // Every element has a candidate for one field but never for all three together.
  type Row = Record<string, number | string | boolean>;
  const records = Array.from({ length: 3000 }, (_, i): Row => (i % 3 === 0 ? { a: i } : i % 3 === 1 ? { b: "y" } : { c: true }));
  const policy = { r: { a: [{ numeric: [">=", 0] }], b: ["y"], c: [true] } };
  const compiled = compileFilterPolicy(JSON.stringify(policy), "MessageBody");
  const started = process.hrtime.bigint();
  assert.equal(compiled.matches({ attributes: {}, body: JSON.stringify({ r: records }) }), false);
  records.push({ a: 1, b: "y", c: true });
  assert.equal(compiled.matches({ attributes: {}, body: JSON.stringify({ r: records }) }), true);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(elapsedMs < 1000, `took ${elapsedMs} ms`);
});

test("a body nested deeper than the stack matches nothing instead of throwing", () => {
  const depth = 200_000;
  const body = `{"a":${"[".repeat(depth)}1${"]".repeat(depth)}}`;
  const compiled = compileFilterPolicy(JSON.stringify({ a: [1] }), "MessageBody");
  assert.equal(compiled.matches({ attributes: {}, body }), false);
});
