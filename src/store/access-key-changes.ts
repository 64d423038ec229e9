/**
 * Tells the access-key cache (credentials.ts) when stored keys change, whoever changes them: this process, another
 * replica on the same PostgreSQL database, or another process on the same SQLite file (`poolkeeper admin`). Each
 * dialect implements it in its own file: SQLite with a trigger calling back into this process and `PRAGMA
 * data_version`, PostgreSQL with a trigger's NOTIFY that every pooled connection LISTENs to.
 */
export interface AccessKeyChanges {
  /** `listener` is told each changed key (updated or deleted), or null when any key may have changed. */
  onChange(listener: (accessKey: string | null) => void): void;
  /**
   * Whether every change committed from now on will be told. False while nothing watches (before the store's
   * migrations have run; PostgreSQL: while no connection is listening), and then nothing may be served from a cache.
   * Asked before each cached lookup: SQLite learns here of other processes' commits.
   */
  watching(): boolean;
  /** Starts watching, once the tables exist (after the migrations). */
  start(): void;
}

/** The listeners of a change feed. */
export function changeListeners(): { add(listener: (accessKey: string | null) => void): void; tell(accessKey: string | null): void } {
  const listeners: ((accessKey: string | null) => void)[] = [];
  return {
    add: (listener) => listeners.push(listener),
    tell: (accessKey) => {
      for (const listener of listeners) listener(accessKey);
    },
  };
}

/** The PostgreSQL channel the access_keys trigger (migration 0009) notifies, the payload being the key. */
export const ACCESS_KEY_CHANNEL = 'poolkeeper_access_keys';
