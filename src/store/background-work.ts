import sql, { type Sql } from 'sql-template-tag';

/** Background work the reconciler (and the node backend's own progress) picks up once its time has come. */
export type BackgroundJobKind = 'node_create' | 'node_delete' | 'pool_delete' | 'drain' | 'driver_upgrade' | 'reboot';

interface BackgroundWork {
  table: 'nodes' | 'pools';
  /** The column saying since when a row's work is due. */
  since: string;
  /** The rows whose work is due at `now`: the condition of the statement that takes them, and of the census's count. */
  due(now: number): Sql;
}

/** Each kind of background work, in the order the census reports them. */
export const BACKGROUND_WORK: Readonly<Record<BackgroundJobKind, BackgroundWork>> = {
  node_create: { table: 'nodes', since: 'phase_until', due: (now) => sql`phase = 'Creating' AND phase_until <= ${now}` },
  node_delete: { table: 'nodes', since: 'phase_until', due: (now) => sql`phase = 'Deleting' AND phase_until <= ${now}` },
  drain: { table: 'nodes', since: 'drain_until', due: (now) => sql`drain_until <= ${now}` },
  driver_upgrade: { table: 'nodes', since: 'driver_check_at', due: (now) => sql`driver_phase = 'Updating' AND driver_check_at <= ${now}` },
  reboot: { table: 'nodes', since: 'reboot_check_at', due: (now) => sql`phase = 'Checking' AND reboot_check_at <= ${now}` },
  pool_delete: { table: 'pools', since: 'delete_after', due: (now) => sql`phase = 'Deleting' AND delete_after <= ${now}` },
};
