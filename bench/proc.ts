// Server-side cost as the kernel sees it. Brokers may fork (a pyenv shim, a JVM, a worker thread is
// fine, a helper process is not), so everything is summed over the process tree rooted at the pid.
import { readFileSync, readdirSync } from "node:fs";

// Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream kernel config.
const TICKS_PER_SECOND = 100;

interface StatLine {
  pid: number;
  ppid: number;
  utime: number;
  stime: number;
}

function readStat(pid: number): StatLine | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses, so split after the last ')'.
  const close = text.lastIndexOf(")");
  const rest = text.slice(close + 2).split(" ");
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return { pid, ppid: Number(rest[1]), utime: Number(rest[11]), stime: Number(rest[12]) };
}

/** The pid and all its live descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const st = readStat(Number(entry));
    if (!st) continue;
    const list = children.get(st.ppid);
    if (list) list.push(st.pid);
    else children.set(st.ppid, [st.pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    out.push(pid);
    for (const child of children.get(pid) ?? []) stack.push(child);
  }
  return out;
}

/** user+sys CPU seconds consumed so far by the tree. */
export function cpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const st = readStat(pid);
    if (st) ticks += st.utime + st.stime;
  }
  return ticks / TICKS_PER_SECOND;
}

/** Resident set size of the tree in bytes. */
export function rssBytes(root: number): number {
  let kb = 0;
  for (const pid of processTree(root)) {
    try {
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) kb += Number(m[1]);
    } catch {
      // The process exited between listing and reading.
    }
  }
  return kb * 1024;
}

export function isAlive(pid: number): boolean {
  return readStat(pid) !== undefined;
}

/** Measures the server's CPU over a span of work. */
export class CpuMeter {
  private readonly startCpu: number;
  constructor(private readonly pid: number) {
    this.startCpu = cpuSeconds(pid);
  }
  elapsedCpuSeconds(): number {
    return cpuSeconds(this.pid) - this.startCpu;
  }
}
