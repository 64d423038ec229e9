/**
 * The CPU time of the PostgreSQL backends serving the run's database, read from /proc/<pid>/stat: the database's share
 * of a request, beside the server's own. Only when PostgreSQL runs on this machine (its backends' pids are visible
 * here); otherwise the meter is unavailable and the figure is left out.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** pid → CPU time so far, µs. */
export type BackendTimes = Map<number, number>;

export interface BackendMeter {
  snapshot(): Promise<BackendTimes>;
  close(): Promise<void>;
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process in clock ticks, or undefined when it is gone or not visible. */
function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** The micros the backends spent between two snapshots (a backend that appeared in between counts from zero). */
export function backendMicros(before: BackendTimes, after: BackendTimes): number {
  let total = 0;
  for (const [pid, micros] of after) total += micros - (before.get(pid) ?? 0);
  return total;
}

export async function openBackendMeter(adminUrl: string, database: string): Promise<BackendMeter | undefined> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000, statement_timeout: 10_000 });
  await client.connect();
  const ownPid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
  if (processTicks(ownPid) === undefined) {
    await client.end();
    return undefined;
  }
  const microsPerTick = 1_000_000 / clockTicksPerSecond();
  return {
    async snapshot() {
      const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
      const times: BackendTimes = new Map();
      for (const { pid } of rows) {
        const ticks = processTicks(Number(pid));
        if (ticks !== undefined) times.set(Number(pid), ticks * microsPerTick);
      }
      return times;
    },
    close: () => client.end(),
  };
}
