/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and lists where self time went (by function and by package/module) and
 * which functions the busy time ran under (inclusive time: the function or anything it called).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** µs on the monotonic clock process.hrtime reads (the same clock in every process of the machine). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A part of a profile: the samples taken from `fromMicros` to `toMicros` (process.hrtime µs), in which `requests` were answered. */
export interface ProfileWindow {
  fromMicros: number;
  toMicros: number;
  requests: number;
}

/** `node_modules/<pkg>`, `src/<dir>`, `node:<internal>` or the V8 pseudo-frame, for the by-area view. */
function area(frame: ProfileNode['callFrame']): string {
  const url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return url.slice(dist + '/dist/'.length).split('/').slice(0, 2).join('/');
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) return url.slice(modules + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return url.slice(dist + '/dist/'.length);
  return url;
}

/** The whole profile, or with `window` only that part of it, with each figure also per request answered in it. */
export function summarizeProfile(file: string, top: number, window?: ProfileWindow): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromMicros || at >= window.toMicros)) continue;
    const id = profile.samples[i]!;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const nameOf = (frame: ProfileNode['callFrame']) =>
    `${frame.functionName || '(anonymous)'}  ${frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ''}`.trimEnd();
  const inclusive = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    busy += micros;
    const name = nameOf(frame);
    const callers = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const caller = byId.get(at)!.callFrame;
      if (caller.url !== '') callers.add(nameOf(caller));
    }
    for (const caller of callers) inclusive.set(caller, (inclusive.get(caller) ?? 0) + micros);
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const where = area(frame);
    byArea.set(where, (byArea.get(where) ?? 0) + micros);
  }
  const perRequest = window ? Math.max(1, window.requests) : undefined;
  const lines = [
    perRequest
      ? `  busy ${(busy / perRequest).toFixed(0)} µs and idle ${(idle / perRequest).toFixed(0)} µs per request (${window!.requests.toLocaleString('en-US')} requests); self time per request, share of busy:`
      : `  busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms; self time, share of busy:`,
  ];
  const amount = (micros: number) => (perRequest ? `${(micros / perRequest).toFixed(1).padStart(6)} µs` : `${(micros / 1000).toFixed(0).padStart(6)} ms`);
  const list = (map: Map<string, number>, count: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, micros]) => `  ${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${amount(micros)}  ${name}`);
  lines.push('  by function:', ...list(byFunction, top), '  by package / module:', ...list(byArea, 15));
  lines.push('  inclusive time (the function and what it called), share of busy:', ...list(inclusive, top * 2));
  return lines.join('\n');
}
