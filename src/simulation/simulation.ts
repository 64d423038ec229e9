import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../domain/time.js';
import type { BackendRoutes } from '../server/app.js';
import type { NodeBackend } from '../service/node-backend.js';
import type { SqlContext } from '../store/sql-context.js';
import { SimulationControls } from './controls.js';
import { simulationRoutes } from './routes.js';
import { SimulatedNodeBackend, type SimulationTiming } from './simulated-backend.js';
import { SqlSimulationStore } from './simulation-store.js';

export interface Simulation {
  backend: NodeBackend;
  /** The simulation's control routes, for the service to register beside the API. */
  routes: BackendRoutes;
}

/** The simulated node backend on the store's database, with its own store and control routes. */
export function simulation(timing: SimulationTiming, database: SqlContext, clock: Clock, logger: FastifyBaseLogger): Simulation {
  const store = new SqlSimulationStore(database);
  const backend = new SimulatedNodeBackend(timing, store, logger);
  return { backend, routes: simulationRoutes(new SimulationControls(store, clock, backend)) };
}
