import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expandCpuList } from "../../bench/pinning.js";

describe("bench pinning: CPU lists", () => {
  it("reads lists and ranges as taskset prints them", () => {
    assert.deepEqual(expandCpuList("0,1"), [0, 1]);
    assert.deepEqual(expandCpuList("0-2,5"), [0, 1, 2, 5]);
    assert.deepEqual(expandCpuList("3"), [3]);
  });
});
