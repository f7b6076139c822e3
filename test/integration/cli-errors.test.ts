/**
 * Start-up failures of `sluice start` as a child process: each ends with one clear line on stderr and a
 * non-zero exit, never a stack trace, and leaves the user's files as they were.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { runSluice, stackFrames, type Finished } from "../helpers/process.js";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "sluice-cli-err-"));
}

/** One line on stderr matching `pattern`, nothing that looks like a stack, a non-zero exit, no endpoint. */
function assertCleanFailure(run: Finished, pattern: RegExp): void {
  assert.notEqual(run.exit.code, 0, `exit ${JSON.stringify(run.exit)}`);
  assert.ok(run.exit.code !== null && run.exit.code > 0, `ended by signal ${run.exit.signal}`);
  const lines = run.stderr.split("\n").filter((line) => line.trim() !== "");
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${run.stderr}`);
  assert.match(lines[0], /^sluice: /);
  assert.match(lines[0], pattern);
  assert.deepEqual(stackFrames(run.stderr), []);
  assert.doesNotMatch(run.stdout, /listening on/);
}

async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, port: address.port };
}

/**
 * A directory that cannot be written: by permissions for ordinary users; as root (which permissions do not
 * stop) by a read-only tmpfs mount, when the machine allows mounting.
 */
function readOnlyDir(t: TestContext, parent: string): { dir: string; release(): void } | undefined {
  const dir = join(parent, "read-only");
  mkdirSync(dir);
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return { dir, release: () => chmodSync(dir, 0o755) };
  }
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", dir], { encoding: "utf8" });
  if (mounted.status !== 0) {
    t.skip(`skipped: running as root and cannot mount a read-only tmpfs here (${(mounted.stderr || mounted.error?.message || "").trim()})`);
    return undefined;
  }
  return { dir, release: () => void spawnSync("umount", [dir]) };
}

describe("sluice start failures (child process)", () => {
  test("port already taken", async () => {
    const { server, port } = await occupy();
    try {
      const run = await runSluice(["--port", String(port), "--memory"]);
      assertCleanFailure(run, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("data directory path runs through a file", async () => {
    const parent = tempDir();
    try {
      writeFileSync(join(parent, "file"), "not a directory");
      const run = await runSluice(["--port", "0", "--data-dir", join(parent, "file", "data")]);
      assertCleanFailure(run, /cannot create data directory .*file\/data: .*file is a file, not a directory/);
      assert.equal(readFileSync(join(parent, "file"), "utf8"), "not a directory");
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("data directory is a file", async () => {
    const parent = tempDir();
    try {
      writeFileSync(join(parent, "file"), "not a directory");
      const run = await runSluice(["--port", "0"], { env: { SLUICE_DATA_DIR: join(parent, "file") } });
      assertCleanFailure(run, /file is a file, not a directory/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("data directory is read-only", async (t) => {
    const parent = tempDir();
    const readOnly = readOnlyDir(t, parent);
    try {
      if (!readOnly) return;
      const existing = await runSluice(["--port", "0", "--data-dir", readOnly.dir]);
      assertCleanFailure(existing, /data directory .*read-only is not writable \((EROFS|EACCES)\)/);
      const nested = await runSluice(["--port", "0", "--data-dir", join(readOnly.dir, "a", "b")]);
      assertCleanFailure(nested, /cannot create data directory .*read-only\/a\/b: .*read-only is not writable \((EROFS|EACCES)\)/);
    } finally {
      readOnly?.release();
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("corrupt database file", async () => {
    const dir = tempDir();
    try {
      const garbage = Buffer.from("this is not an SQLite database, just garbage bytes\n".repeat(200));
      writeFileSync(join(dir, "sluice.db"), garbage);
      const run = await runSluice(["--port", "0", "--data-dir", dir]);
      assertCleanFailure(run, /cannot open database .*sluice\.db: file is not a database/);
      assert.deepEqual(readFileSync(join(dir, "sluice.db")), garbage, "the broker changed a file it could not read");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("invalid port from a flag or SLUICE_PORT", async () => {
    assertCleanFailure(await runSluice(["--port", "70000", "--memory"]), /invalid port: 70000/);
    assertCleanFailure(await runSluice(["--memory"], { env: { SLUICE_PORT: "abc" } }), /invalid port: abc/);
  });

  test("address that is not on this machine", async () => {
    // 192.0.2.0/24 is reserved for documentation, so no interface has it.
    const run = await runSluice(["--host", "192.0.2.1", "--port", "0", "--memory"]);
    assertCleanFailure(run, /cannot listen on 192\.0\.2\.1:0: EADDRNOTAVAIL/);
  });

  test("--memory together with --data-dir", async () => {
    const run = await runSluice(["--memory", "--data-dir", "/tmp/x"]);
    assertCleanFailure(run, /--memory and --data-dir exclude each other/);
  });
});
