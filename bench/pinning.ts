// CPU affinity for the CPU-per-message workload. A server's CPU per message depends on how its requests
// arrive: sharing cores with the client, it is sometimes woken per request and sometimes finds several
// waiting, and the figure moves by a third between identical runs. With the server on a core of its own
// and the client on the others, each system meets the same arrangement.
import { execFileSync } from "node:child_process";
import { processTree } from "./proc.js";

/** The CPU list this process may run on ("0,1" or "0-3"), or undefined without taskset. */
function currentAffinity(): string | undefined {
  try {
    const out = execFileSync("taskset", ["-pc", String(process.pid)], { encoding: "utf8" });
    return /:\s*(\S+)\s*$/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

/** "0-2,5" → [0, 1, 2, 5], as taskset and the kernel write CPU lists. */
export function expandCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.split(",")) {
    const [from, to] = part.split("-").map(Number);
    for (let c = from; c <= (to ?? from); c++) cpus.push(c);
  }
  return cpus;
}

function setAffinity(pid: number, cpus: string): void {
  for (const p of processTree(pid)) {
    try {
      // -a: every thread (libuv's pool, a JVM's), not just the main one.
      execFileSync("taskset", ["-a", "-p", "-c", cpus, String(p)], { stdio: "ignore" });
    } catch {
      // A thread or child that exited meanwhile.
    }
  }
}

/** Whether pinning is possible here: taskset present and more than one core to split. */
export function canPin(): boolean {
  const list = currentAffinity();
  return list !== undefined && expandCpuList(list).length >= 2;
}

/** Runs `work` with the server alone on the last core and this process on the others; restores both after. */
export async function pinned<T>(serverPid: number, work: () => Promise<T>): Promise<T> {
  const original = currentAffinity();
  const cpus = original === undefined ? [] : expandCpuList(original);
  if (original === undefined || cpus.length < 2) return work();
  const server = cpus[cpus.length - 1];
  setAffinity(serverPid, String(server));
  setAffinity(process.pid, cpus.slice(0, -1).join(","));
  try {
    return await work();
  } finally {
    setAffinity(serverPid, original);
    setAffinity(process.pid, original);
  }
}
