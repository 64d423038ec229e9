import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a running service says where it listens, so the CLI never talks to a port the service left. */
const SERVICE_FILE = 'service.json';

export interface ServiceFile {
  /** The URL the service listens on now. */
  url: string;
  pid: number;
  startedAt: string;
}

function serviceFilePath(dataDir: string): string {
  return join(dataDir, SERVICE_FILE);
}

/** Written (atomically) once the service listens; the CLI prefers its URL to the one saved with the credentials. */
export function writeServiceFile(dataDir: string, url: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = serviceFilePath(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  const content: ServiceFile = { url, pid: process.pid, startedAt: new Date().toISOString() };
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

export function readServiceFile(dataDir: string): ServiceFile | undefined {
  const file = serviceFilePath(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ServiceFile;
  } catch {
    return undefined;
  }
}

/** Removed on a graceful stop, unless another service on the same data folder has written its own since. */
export function removeServiceFile(dataDir: string): void {
  if (readServiceFile(dataDir)?.pid === process.pid) rmSync(serviceFilePath(dataDir), { force: true });
}
