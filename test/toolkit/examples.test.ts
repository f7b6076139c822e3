import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { test } from "node:test";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("npm run example: every example runs against an in-process broker and prints its steps", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/run-all.ts"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  const sections = stdout.split("\n").filter((line) => line.startsWith("━━"));
  assert.equal(sections.length, 5, stdout);
  assert.match(stdout, /welcome/i);
  assert.match(stdout, /balances: ada 60, bob 63/);
  assert.match(stdout, /all examples ran\./);
});
