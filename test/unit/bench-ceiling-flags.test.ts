import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CEILING_V8_FLAGS } from "../../bench/systems/noop.js";
import { REPO_ROOT } from "../helpers/process.js";

describe("bench: the no-op ceiling's V8 setting", () => {
  it("is the one the broker sets for itself, so warm-up tuning moves no ratio", () => {
    const entry = readFileSync(join(REPO_ROOT, "bin", "sluice.js"), "utf8");
    const set = [...entry.matchAll(/setFlagsFromString\("([^"]*)"\)/g)].map((m) => m[1]);
    assert.deepEqual(set, [CEILING_V8_FLAGS.join(" ")]);
  });
});
