/**
 * CPU time as Linux accounts it (/proc), for `npm run bench:chat`: of a process and every process
 * it started (a server's cluster workers), and of each core of the machine, so the bench can say
 * what each party used and whether anything else competed for the cores.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times. */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  ppid: number;
  /** User plus system time, ticks. */
  ticks: number;
  systemTicks: number;
}

/** /proc/PID/stat's fields after the command name (which may hold spaces and parentheses). */
function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the name: state(0) ppid(1) … utime(11) stime(12).
    const systemTicks = Number(fields[12]);
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + systemTicks, systemTicks };
  } catch {
    return undefined;
  }
}

function allProcesses(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  return stats;
}

/** `pid` and all its descendants alive now. */
export function processTree(pid: number, stats = allProcesses()): Set<number> {
  const tree = new Set([pid]);
  // Parents are listed before their children only by luck of pid order: repeat until stable.
  for (let grown = true; grown;) {
    grown = false;
    for (const [child, stat] of stats) {
      if (!tree.has(child) && tree.has(stat.ppid)) {
        tree.add(child);
        grown = true;
      }
    }
  }
  return tree;
}

/** CPU time of `pid` and all its descendants alive now, ms (user + system, and system alone). */
export function processTreeCpuMs(pid: number): { cpuMs: number; systemCpuMs: number } {
  const stats = allProcesses();
  let ticks = 0;
  let systemTicks = 0;
  for (const member of processTree(pid, stats)) {
    ticks += stats.get(member)?.ticks ?? 0;
    systemTicks += stats.get(member)?.systemTicks ?? 0;
  }
  const ms = (value: number) => (value * 1000) / TICKS_PER_SECOND;
  return { cpuMs: ms(ticks), systemCpuMs: ms(systemTicks) };
}

/** Busy and total time since boot, ticks: the whole machine (`all`) and each core. */
export interface MachineCpu {
  all: { busy: number; total: number };
  cores: { busy: number; total: number }[];
}

export function machineCpu(): MachineCpu {
  const result: MachineCpu = { all: { busy: 0, total: 1 }, cores: [] };
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const match = /^cpu(\d*)\s+(.*)$/.exec(line);
      if (!match) continue;
      const ticks = match[2]!.trim().split(/\s+/).map(Number);
      const total = ticks.reduce((sum, value) => sum + value, 0);
      // Fields 3 and 4 are idle and iowait.
      const reading = { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total };
      if (match[1] === '') result.all = reading;
      else result.cores[Number(match[1])] = reading;
    }
  } catch {
    // No /proc: the shares read as zero.
  }
  return result;
}

/** Percent busy between two readings. */
export function busyPercent(
  before: { busy: number; total: number },
  after: { busy: number; total: number },
): number {
  const total = after.total - before.total;
  return total > 0 ? ((after.busy - before.busy) / total) * 100 : 0;
}
