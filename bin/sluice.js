#!/usr/bin/env node
// The broker and CLI are written in TypeScript and run through tsx's loader, so a fresh clone needs no build step.
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

// V8 optimizes a function once it has run a budget of bytecode. The broker's hot path is a few dozen
// functions that each run little bytecode per request, so under the default budget (67,584) a fresh broker was
// still compiling them, and running them unoptimized, 30,000 messages into the cpu benchmark (batches of ten);
// at a quarter of it nearly all of that is done within the first 18,000. Once warm the CPU per message is the
// same either way (docs/benchmarks.md, change 28). Set before any of the broker's code is loaded, so it applies
// to all of it. The benchmark's no-op ceiling starts with the same flag (bench/systems/noop.ts).
setFlagsFromString("--interrupt-budget=16896");
register();
await import("../src/cli/main.ts");
