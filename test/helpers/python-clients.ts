/**
 * Finding the Python SQS clients on this machine. Two generations matter because they speak different
 * wire protocols: botocore ≥ 1.34.90 (and AWS CLI v2 ≥ 2.15.41) use JSON, older ones Query/XML. Debian's
 * packages (python3-boto3 1.26, awscli 2.9 on bookworm) are the Query speakers; pip's or pyenv's current
 * versions the JSON ones. PATH may hold several of each (pyenv shims before /usr/bin), so each candidate is
 * asked what it is rather than trusted by name.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";

export type WireProtocol = "json" | "query";

export interface Found<T> {
  client?: T;
  /** Why nothing suitable was found (for the skip message). */
  reason: string;
}

export interface PythonSdk {
  executable: string;
  env: NodeJS.ProcessEnv;
  boto3: string;
  botocore: string;
  botocorePath: string;
  protocol: WireProtocol;
}

export interface AwsCli {
  executable: string;
  env: NodeJS.ProcessEnv;
  version: string;
  protocol: WireProtocol;
}

export const DEBIAN_PYTHON = "/usr/bin/python3";
export const DEBIAN_AWS = "/usr/bin/aws";
const DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages/";

/** Dummy credentials, no profile or config from the user's home, no pager, no prompts. */
export function awsEnv(debian: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/nonexistent/sluice-test-aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/sluice-test-aws-credentials",
    AWS_PAGER: "",
    AWS_CLI_AUTO_PROMPT: "off",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  for (const key of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS"]) {
    delete env[key];
  }
  if (debian) {
    // Debian's interpreter must import Debian's botocore, not one from PYTHONPATH or ~/.local.
    delete env.PYTHONPATH;
    delete env.PYTHONHOME;
    env.PYTHONNOUSERSITE = "1";
  }
  return env;
}

export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const b = minimum.split(".").map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** Every executable called `name` on PATH, in PATH order, each real file once. */
export function onPath(name: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      const real = realpathSync(candidate);
      // pyenv shims are one script for every command; they are told apart by what they run, not their path.
      const key = real.includes("/shims/") ? candidate : real;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(candidate);
    } catch {
      // not there, or not executable
    }
  }
  return out;
}

interface Captured {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Runs a probe without blocking the event loop (the broker under test may share this process). */
function capture(executable: string, args: string[], env: NodeJS.ProcessEnv): Promise<Captured> {
  return new Promise((resolve) => {
    execFile(executable, args, { env, encoding: "utf8", timeout: 30_000 }, (error, stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      if (error && typeof code !== "number") resolve({ status: null, stdout, stderr, error });
      else resolve({ status: typeof code === "number" ? code : 0, stdout, stderr });
    });
  });
}

const PYTHON_PROBE = `
import json, boto3, botocore, botocore.session
model = botocore.session.get_session().get_service_model("sqs")
print(json.dumps({"boto3": boto3.__version__, "botocore": botocore.__version__, "path": botocore.__file__, "protocol": model.protocol}))
`;

async function probePython(executable: string, env: NodeJS.ProcessEnv): Promise<PythonSdk | string> {
  const run = await capture(executable, ["-c", PYTHON_PROBE], env);
  if (run.error) return `${executable}: ${run.error.message}`;
  if (run.status !== 0) return `${executable} cannot import boto3 (${run.stderr.trim().split("\n").pop() ?? ""})`;
  const info = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as { boto3: string; botocore: string; path: string; protocol: string };
  if (info.protocol !== "json" && info.protocol !== "query") return `${executable}: botocore ${info.botocore} speaks ${info.protocol}`;
  return { executable, env, boto3: info.boto3, botocore: info.botocore, botocorePath: info.path, protocol: info.protocol };
}

/** The first python3 on PATH whose boto3 speaks SQS JSON. */
export async function findJsonBoto3(): Promise<Found<PythonSdk>> {
  const notes: string[] = [];
  for (const executable of onPath("python3")) {
    const probe = await probePython(executable, awsEnv(false));
    if (typeof probe === "string") notes.push(probe);
    else if (probe.protocol === "json") return { client: probe, reason: "" };
    else notes.push(`${executable}: botocore ${probe.botocore} speaks Query`);
  }
  return {
    reason: `no python3 on PATH has a boto3 that speaks SQS JSON (botocore >= 1.34.90; pip install boto3)${notes.length ? `: ${notes.join("; ")}` : ""}`,
  };
}

/** Debian's python3-boto3, run by Debian's interpreter; it speaks Query on bookworm. */
export async function findDebianBoto3(): Promise<Found<PythonSdk>> {
  if (!existsSync(DEBIAN_PYTHON)) return { reason: `${DEBIAN_PYTHON} does not exist (not a Debian system?)` };
  const probe = await probePython(DEBIAN_PYTHON, awsEnv(true));
  if (typeof probe === "string") return { reason: `Debian's python3-boto3 is not installed (apt-get install python3-boto3): ${probe}` };
  if (!probe.botocorePath.startsWith(DEBIAN_DIST_PACKAGES)) {
    return { reason: `${DEBIAN_PYTHON} imports botocore from ${probe.botocorePath}, not Debian's python3-botocore` };
  }
  if (probe.protocol !== "query") return { reason: `Debian's botocore ${probe.botocore} speaks ${probe.protocol}, not Query` };
  return { client: probe, reason: "" };
}

async function probeAws(executable: string, env: NodeJS.ProcessEnv): Promise<AwsCli | string> {
  const run = await capture(executable, ["--version"], env);
  if (run.error) return `${executable}: ${run.error.message}`;
  const text = `${run.stdout} ${run.stderr}`;
  const cli = /aws-cli\/(\d+\.\d+\.\d+)/.exec(text)?.[1];
  if (run.status !== 0 || !cli) return `${executable} --version failed (${text.trim().split("\n").pop() ?? ""})`;
  let protocol: WireProtocol;
  if (cli.startsWith("1.")) {
    // CLI v1 runs on the botocore it names; v2 bundles its own and is judged by its own version.
    const botocore = /botocore\/(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? "0";
    protocol = versionAtLeast(botocore, "1.34.90") ? "json" : "query";
  } else {
    protocol = versionAtLeast(cli, "2.15.41") ? "json" : "query";
  }
  return { executable, env, version: text.trim(), protocol };
}

/** The first `aws` on PATH that speaks SQS JSON. */
export async function findJsonAwsCli(): Promise<Found<AwsCli>> {
  const notes: string[] = [];
  for (const executable of onPath("aws")) {
    const probe = await probeAws(executable, awsEnv(executable === DEBIAN_AWS));
    if (typeof probe === "string") notes.push(probe);
    else if (probe.protocol === "json") return { client: probe, reason: "" };
    else notes.push(`${executable} (${probe.version}) speaks Query`);
  }
  return {
    reason: `no aws on PATH speaks SQS JSON (AWS CLI v1 on botocore >= 1.34.90 or v2 >= 2.15.41)${notes.length ? `: ${notes.join("; ")}` : ""}`,
  };
}

/** Debian's awscli package; it speaks Query on bookworm. */
export async function findDebianAwsCli(): Promise<Found<AwsCli>> {
  if (!existsSync(DEBIAN_AWS)) return { reason: `Debian's awscli is not installed (apt-get install awscli): no ${DEBIAN_AWS}` };
  const probe = await probeAws(DEBIAN_AWS, awsEnv(true));
  if (typeof probe === "string") return { reason: `Debian's awscli does not run: ${probe}` };
  if (probe.protocol !== "query") return { reason: `${DEBIAN_AWS} (${probe.version}) speaks ${probe.protocol}, not Query` };
  return { client: probe, reason: "" };
}
