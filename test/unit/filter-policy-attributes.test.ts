// Filter policies in the MessageAttributes scope: one table, one test per row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileFilterPolicy } from "../../src/core/filter-policy/index.js";
import type { FilterableAttribute } from "../../src/core/filter-policy/index.js";

type Attrs = Record<string, FilterableAttribute>;

const str = (Value: string, Type = "String"): FilterableAttribute => ({ Type, Value });
const num = (Value: string, Type = "Number"): FilterableAttribute => ({ Type, Value });
const arr = (values: unknown[]): FilterableAttribute => ({ Type: "String.Array", Value: JSON.stringify(values) });
const bin = (Value: string): FilterableAttribute => ({ Type: "Binary", Value });

interface Case {
  name: string;
  policy: object;
  attributes: Attrs;
  expected: boolean;
}

const cases: Case[] = [
  // Exact strings
  { name: "exact string matches", policy: { store: ["example_corp"] }, attributes: { store: str("example_corp") }, expected: true },
  { name: "exact string differs", policy: { store: ["example_corp"] }, attributes: { store: str("other") }, expected: false },
  { name: "exact string, attribute absent", policy: { store: ["example_corp"] }, attributes: {}, expected: false },
  { name: "exact string is case-sensitive", policy: { store: ["example_corp"] }, attributes: { store: str("Example_Corp") }, expected: false },
  { name: "values in one array are OR-ed", policy: { event: ["order_placed", "order_cancelled"] }, attributes: { event: str("order_cancelled") }, expected: true },
  { name: "many exact values (set lookup)", policy: { k: ["a", "b", "c", "d", "e"] }, attributes: { k: str("d") }, expected: true },
  { name: "many exact values, none equal", policy: { k: ["a", "b", "c", "d", "e"] }, attributes: { k: str("f") }, expected: false },
  { name: "keys are AND-ed, all hold", policy: { store: ["a"], event: ["b"] }, attributes: { store: str("a"), event: str("b") }, expected: true },
  { name: "keys are AND-ed, one fails", policy: { store: ["a"], event: ["b"] }, attributes: { store: str("a"), event: str("c") }, expected: false },
  { name: "keys are AND-ed, one absent", policy: { store: ["a"], event: ["b"] }, attributes: { store: str("a") }, expected: false },
  { name: "String with custom label", policy: { k: ["v"] }, attributes: { k: str("v", "String.custom") }, expected: true },
  { name: "empty string value", policy: { k: [""] }, attributes: { k: str("") }, expected: true },
  { name: "attribute name with a dot is literal", policy: { "a.b": ["x"] }, attributes: { "a.b": str("x") }, expected: true },
  { name: "extra attributes are ignored", policy: { a: ["x"] }, attributes: { a: str("x"), b: str("y"), c: num("1") }, expected: true },
  { name: "empty policy matches everything", policy: {}, attributes: {}, expected: true },
  { name: "prototype names are not attributes", policy: { constructor: [{ exists: false }] }, attributes: {}, expected: true },
  { name: "prototype names do not exist", policy: { toString: [{ exists: true }] }, attributes: {}, expected: false },

  // String.Array
  { name: "String.Array: any element matches", policy: { interests: ["rugby"] }, attributes: { interests: arr(["soccer", "rugby", "hockey"]) }, expected: true },
  { name: "String.Array: no element matches", policy: { interests: ["rugby"] }, attributes: { interests: arr(["soccer", "hockey"]) }, expected: false },
  { name: "String.Array: number element", policy: { ids: [3] }, attributes: { ids: arr([1, 2, 3]) }, expected: true },
  { name: "String.Array: number element is not a string", policy: { ids: ["3"] }, attributes: { ids: arr([3]) }, expected: false },
  { name: "String.Array: string element is not a number", policy: { ids: [3] }, attributes: { ids: arr(["3"]) }, expected: false },
  { name: "String.Array: boolean element", policy: { flags: [true] }, attributes: { flags: arr([false, true]) }, expected: true },
  { name: "String.Array: null element", policy: { x: [null] }, attributes: { x: arr(["a", null]) }, expected: true },
  { name: "String.Array: mixed element types", policy: { x: ["b", 7] }, attributes: { x: arr([7, "a"]) }, expected: true },
  { name: "String.Array: nested objects are not searched", policy: { x: ["a"] }, attributes: { x: arr([{ y: "a" }, ["a"]]) }, expected: false },
  { name: "String.Array: not JSON matches no value", policy: { x: ["a"] }, attributes: { x: { Type: "String.Array", Value: "[a" } }, expected: false },
  { name: "String.Array: not an array matches no value", policy: { x: ["a"] }, attributes: { x: { Type: "String.Array", Value: "\"a\"" } }, expected: false },
  { name: "String.Array: unparsable still exists", policy: { x: [{ exists: true }] }, attributes: { x: { Type: "String.Array", Value: "[a" } }, expected: true },
  { name: "String.Array: empty array exists", policy: { x: [{ exists: true }] }, attributes: { x: arr([]) }, expected: true },
  { name: "String.Array: empty array matches no value", policy: { x: [{ "anything-but": "a" }] }, attributes: { x: arr([]) }, expected: false },
  { name: "String.Array: prefix on an element", policy: { x: [{ prefix: "bl" }] }, attributes: { x: arr(["red", "blue"]) }, expected: true },
  { name: "String.Array: numeric on number elements", policy: { x: [{ numeric: [">", 10] }] }, attributes: { x: arr([1, 50]) }, expected: true },
  { name: "String.Array: numeric ignores string elements", policy: { x: [{ numeric: [">", 10] }] }, attributes: { x: arr(["50"]) }, expected: false },

  // Number attributes and exact numbers
  { name: "Number exact", policy: { price: [210.75] }, attributes: { price: num("210.75") }, expected: true },
  { name: "Number exact, 5 equals 5.0", policy: { n: [5] }, attributes: { n: num("5.0") }, expected: true },
  { name: "Number exact, 5.0 in policy equals 5", policy: { n: [5.0] }, attributes: { n: num("5") }, expected: true },
  { name: "Number exact, exponent form", policy: { n: [1000] }, attributes: { n: num("1e3") }, expected: true },
  { name: "Number with label", policy: { n: [5] }, attributes: { n: num("5", "Number.float") }, expected: true },
  { name: "Number exact, six decimal digits", policy: { n: [0.3] }, attributes: { n: num("0.30000000000000004") }, expected: true },
  { name: "Number exact, differs at 1e-6", policy: { n: [1] }, attributes: { n: num("1.000001") }, expected: false },
  { name: "Number exact, differs", policy: { n: [5] }, attributes: { n: num("6") }, expected: false },
  { name: "number in policy vs String attribute", policy: { n: [5] }, attributes: { n: str("5") }, expected: false },
  { name: "string in policy vs Number attribute", policy: { n: ["5"] }, attributes: { n: num("5") }, expected: false },
  { name: "Number attribute that is not a number", policy: { n: [{ exists: true }] }, attributes: { n: num("abc") }, expected: true },
  { name: "negative Number exact", policy: { n: [-3.5] }, attributes: { n: num("-3.5") }, expected: true },

  // numeric
  { name: "numeric range inside", policy: { attr1: [{ numeric: [">", 0, "<=", 100] }] }, attributes: { attr1: num("99") }, expected: true },
  { name: "numeric range above", policy: { attr1: [{ numeric: [">", 0, "<=", 100] }] }, attributes: { attr1: num("111") }, expected: false },
  { name: "numeric range open bottom", policy: { attr1: [{ numeric: [">", 0, "<=", 100] }] }, attributes: { attr1: num("0") }, expected: false },
  { name: "numeric range closed top", policy: { attr1: [{ numeric: [">", 0, "<=", 100] }] }, attributes: { attr1: num("100") }, expected: true },
  { name: "numeric range closed bottom", policy: { a: [{ numeric: [">=", 0, "<", 100] }] }, attributes: { a: num("0") }, expected: true },
  { name: "numeric range open top", policy: { a: [{ numeric: [">=", 0, "<", 100] }] }, attributes: { a: num("100") }, expected: false },
  { name: "numeric =", policy: { a: [{ numeric: ["=", 301.5] }] }, attributes: { a: num("301.5") }, expected: true },
  { name: "numeric = differs", policy: { a: [{ numeric: ["=", 301.5] }] }, attributes: { a: num("301.6") }, expected: false },
  { name: "numeric <", policy: { a: [{ numeric: ["<", 0] }] }, attributes: { a: num("-1") }, expected: true },
  { name: "numeric <=", policy: { a: [{ numeric: ["<=", -5] }] }, attributes: { a: num("-5") }, expected: true },
  { name: "numeric >", policy: { a: [{ numeric: [">", 10] }] }, attributes: { a: num("10.5") }, expected: true },
  { name: "numeric >=", policy: { a: [{ numeric: [">=", 10] }] }, attributes: { a: num("9.99") }, expected: false },
  { name: "numeric on a String attribute", policy: { a: [{ numeric: [">", 10] }] }, attributes: { a: str("50") }, expected: false },
  { name: "numeric, value beyond AWS's 1e9 range", policy: { a: [{ numeric: [">", 0] }] }, attributes: { a: num("2e9") }, expected: false },
  { name: "numeric, at the 1e9 edge", policy: { a: [{ numeric: [">=", 1e9] }] }, attributes: { a: num("1000000000") }, expected: true },
  { name: "numeric, absent", policy: { a: [{ numeric: [">", 0] }] }, attributes: {}, expected: false },

  // prefix, suffix, equals-ignore-case
  { name: "prefix", policy: { color: [{ prefix: "bl" }] }, attributes: { color: str("blue") }, expected: true },
  { name: "prefix, no match", policy: { color: [{ prefix: "bl" }] }, attributes: { color: str("red") }, expected: false },
  { name: "prefix is case-sensitive", policy: { color: [{ prefix: "bl" }] }, attributes: { color: str("Blue") }, expected: false },
  { name: "prefix does not apply to Number", policy: { n: [{ prefix: "1" }] }, attributes: { n: num("12") }, expected: false },
  { name: "suffix", policy: { file: [{ suffix: ".png" }] }, attributes: { file: str("image.png") }, expected: true },
  { name: "suffix, no match", policy: { file: [{ suffix: ".png" }] }, attributes: { file: str("image.jpg") }, expected: false },
  { name: "equals-ignore-case", policy: { e: [{ "equals-ignore-case": "ORDER_PLACED" }] }, attributes: { e: str("order_placed") }, expected: true },
  { name: "equals-ignore-case, different text", policy: { e: [{ "equals-ignore-case": "ORDER_PLACED" }] }, attributes: { e: str("order_placedx") }, expected: false },
  { name: "mixed operators OR-ed", policy: { c: ["red", { prefix: "bl" }, { suffix: "een" }] }, attributes: { c: str("green") }, expected: true },

  // anything-but
  { name: "anything-but string, other value", policy: { size: [{ "anything-but": "small" }] }, attributes: { size: str("large") }, expected: true },
  { name: "anything-but string, excluded value", policy: { size: [{ "anything-but": "small" }] }, attributes: { size: str("small") }, expected: false },
  { name: "anything-but, attribute absent", policy: { size: [{ "anything-but": "small" }] }, attributes: {}, expected: false },
  { name: "anything-but list, excluded", policy: { size: [{ "anything-but": ["small", "medium"] }] }, attributes: { size: str("medium") }, expected: false },
  { name: "anything-but list, other", policy: { size: [{ "anything-but": ["small", "medium"] }] }, attributes: { size: str("large") }, expected: true },
  { name: "anything-but numbers, excluded", policy: { p: [{ "anything-but": [100, 500] }] }, attributes: { p: num("100") }, expected: false },
  { name: "anything-but numbers, excluded as 100.0", policy: { p: [{ "anything-but": [100, 500] }] }, attributes: { p: num("100.0") }, expected: false },
  { name: "anything-but numbers, other", policy: { p: [{ "anything-but": [100, 500] }] }, attributes: { p: num("10") }, expected: true },
  { name: "anything-but number vs String of the same digits", policy: { p: [{ "anything-but": 100 }] }, attributes: { p: str("100") }, expected: true },
  { name: "anything-but string vs a Number", policy: { p: [{ "anything-but": "5" }] }, attributes: { p: num("5") }, expected: true },
  { name: "anything-but prefix, excluded", policy: { id: [{ "anything-but": { prefix: "order-" } }] }, attributes: { id: str("order-1") }, expected: false },
  { name: "anything-but prefix, other", policy: { id: [{ "anything-but": { prefix: "order-" } }] }, attributes: { id: str("ship-1") }, expected: true },
  { name: "anything-but on String.Array, one other element", policy: { s: [{ "anything-but": "small" }] }, attributes: { s: arr(["small", "large"]) }, expected: true },
  { name: "anything-but on String.Array, only excluded", policy: { s: [{ "anything-but": "small" }] }, attributes: { s: arr(["small"]) }, expected: false },
  { name: "[null, anything-but] with the attribute absent", policy: { attr1: [null, { "anything-but": "whatever" }] }, attributes: {}, expected: false },
  { name: "[null, anything-but] with another value", policy: { attr1: [null, { "anything-but": "whatever" }] }, attributes: { attr1: str("x") }, expected: true },
  { name: "[null] never matches a String attribute", policy: { a: [null] }, attributes: { a: str("null") }, expected: false },

  // exists
  { name: "exists true, present", policy: { store: [{ exists: true }] }, attributes: { store: num("99"), def: num("99") }, expected: true },
  { name: "exists true, absent", policy: { store: [{ exists: true }] }, attributes: { attr1: num("111") }, expected: false },
  { name: "exists false, absent", policy: { store: [{ exists: false }] }, attributes: { def: num("99") }, expected: true },
  { name: "exists false, present", policy: { store: [{ exists: false }] }, attributes: { store: str("x") }, expected: false },
  { name: "exists false with no attributes at all", policy: { store: [{ exists: false }] }, attributes: {}, expected: true },
  { name: "exists true on a Binary attribute", policy: { b: [{ exists: true }] }, attributes: { b: bin("AAEC") }, expected: true },
  { name: "value or absent: absent", policy: { k: ["x", { exists: false }] }, attributes: {}, expected: true },
  { name: "value or absent: value", policy: { k: ["x", { exists: false }] }, attributes: { k: str("x") }, expected: true },
  { name: "value or absent: other value", policy: { k: ["x", { exists: false }] }, attributes: { k: str("y") }, expected: false },

  // Binary
  { name: "Binary never matches an exact value", policy: { b: ["AAEC"] }, attributes: { b: bin("AAEC") }, expected: false },
  { name: "Binary never matches anything-but", policy: { b: [{ "anything-but": "x" }] }, attributes: { b: bin("AAEC") }, expected: false },
  { name: "Binary with label never matches prefix", policy: { b: [{ prefix: "A" }] }, attributes: { b: { Type: "Binary.img", Value: "AAEC" } }, expected: false },

  // cidr and IP literals
  { name: "cidr v4 inside", policy: { ip: [{ cidr: "10.0.0.0/24" }] }, attributes: { ip: str("10.0.0.255") }, expected: true },
  { name: "cidr v4 outside", policy: { ip: [{ cidr: "10.0.0.0/24" }] }, attributes: { ip: str("10.0.1.0") }, expected: false },
  { name: "cidr v4 /0 covers everything", policy: { ip: [{ cidr: "0.0.0.0/0" }] }, attributes: { ip: str("203.0.113.9") }, expected: true },
  { name: "cidr v4 vs IPv4-mapped IPv6 value", policy: { ip: [{ cidr: "10.0.0.0/8" }] }, attributes: { ip: str("::ffff:10.1.2.3") }, expected: true },
  { name: "cidr v6 inside", policy: { ip: [{ cidr: "2001:db8::/32" }] }, attributes: { ip: str("2001:db8:1::5") }, expected: true },
  { name: "cidr v6 outside", policy: { ip: [{ cidr: "2001:db8::/32" }] }, attributes: { ip: str("2001:db9::1") }, expected: false },
  { name: "cidr v6 vs an IPv4 value", policy: { ip: [{ cidr: "::/0" }] }, attributes: { ip: str("10.0.0.1") }, expected: false },
  { name: "cidr vs a non-IP string", policy: { ip: [{ cidr: "10.0.0.0/8" }] }, attributes: { ip: str("10.0.0.x") }, expected: false },
  { name: "cidr starts at the address as written", policy: { ip: [{ cidr: "10.0.0.5/24" }] }, attributes: { ip: str("10.0.0.4") }, expected: false },
  { name: "exact IPv6 literal matches another spelling", policy: { ip: ["2001:db8::1"] }, attributes: { ip: str("2001:0db8:0:0:0:0:0:1") }, expected: true },
  { name: "exact IPv4 literal", policy: { ip: ["192.168.0.1"] }, attributes: { ip: str("192.168.0.1") }, expected: true },

  // $or
  {
    name: "$or: first alternative",
    policy: { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization"] }, { namespace: ["AWS/EC2"] }] },
    attributes: { source: str("aws.cloudwatch"), metricName: str("CPUUtilization") },
    expected: true,
  },
  {
    name: "$or: second alternative",
    policy: { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization"] }, { namespace: ["AWS/EC2"] }] },
    attributes: { source: str("aws.cloudwatch"), namespace: str("AWS/EC2") },
    expected: true,
  },
  {
    name: "$or: no alternative",
    policy: { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization"] }, { namespace: ["AWS/EC2"] }] },
    attributes: { source: str("aws.cloudwatch"), namespace: str("AWS/ES") },
    expected: false,
  },
  {
    name: "$or: shared key missing",
    policy: { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization"] }, { namespace: ["AWS/EC2"] }] },
    attributes: { metricName: str("CPUUtilization") },
    expected: false,
  },
  {
    name: "$or: nested $or",
    policy: { $or: [{ a: ["1"] }, { b: ["2"], $or: [{ c: ["3"] }, { d: ["4"] }] }] },
    attributes: { b: str("2"), d: str("4") },
    expected: true,
  },
  {
    name: "$or: same attribute in both alternatives",
    policy: { $or: [{ a: ["1"] }, { a: ["2"] }] },
    attributes: { a: str("2") },
    expected: true,
  },
  {
    name: "$or: alternative with exists false",
    policy: { $or: [{ a: [{ exists: false }] }, { b: ["x"] }] },
    attributes: { a: str("1"), b: str("y") },
    expected: false,
  },
  {
    name: "$or with one object is an ordinary key",
    policy: { $or: [{ exists: true }] },
    attributes: { $or: str("anything") },
    expected: true,
  },
];

for (const [i, c] of cases.entries()) {
  test(`attributes #${i + 1}: ${c.name}`, () => {
    const compiled = compileFilterPolicy(JSON.stringify(c.policy), "MessageAttributes");
    assert.equal(compiled.matches({ attributes: c.attributes, body: "not json" }), c.expected);
  });
}

test("attribute scope ignores the body", () => {
  const compiled = compileFilterPolicy(JSON.stringify({ a: ["x"] }), "MessageAttributes");
  assert.equal(compiled.matches({ attributes: { a: str("x") }, body: JSON.stringify({ a: "y" }) }), true);
  assert.equal(compiled.matches({ attributes: {}, body: JSON.stringify({ a: "x" }) }), false);
});

test("a compiled policy is reusable across messages", () => {
  const compiled = compileFilterPolicy(JSON.stringify({ n: [{ numeric: [">", 10] }] }), "MessageAttributes");
  const results = ["5", "15", "10", "10.000001"].map((v) => compiled.matches({ attributes: { n: num(v) }, body: "" }));
  assert.deepEqual(results, [false, true, false, true]);
});
