#!/usr/bin/env node
// Node 20's test runner takes no globs, so collect the test files here and hand them over.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["test"];
const files = roots.flatMap((root) => (root.endsWith(".ts") ? [root] : collect(root)));
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", ...files],
  // The SDK's notice about Node 20 support would repeat in every test process.
  { stdio: "inherit", env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...process.env } },
);
process.exit(result.status ?? 1);
