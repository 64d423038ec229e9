import { checkNodeNameList } from '../../domain/node-name.js';
import { EXAMPLE_NODE_NAMES } from '../../schemas/example-ids.js';
import { errors } from '../../errors/catalogue.js';
import { denied } from '../openapi.js';

/** What the documents of the node lifecycle batch calls (batch-delete, -lock, -unlock, -reboot, -drain) share. */
export const LIFECYCLE_TAG = 'Node lifecycle';
export const EXAMPLE_NAMES = [...EXAMPLE_NODE_NAMES];
/** Every batch call answers in one order: the body's problems (400) before an unknown pool (404). */
export const ORDER = 'A bad body answers 400 before an unknown pool answers 404; nothing is written either way.';
export const RECORD = 'Per-node results and reasons are in the operation record named by the X-Operation-Id header.';
export const BAD_NAMES = (field: string) => errors.badRequest(checkNodeNameList(['os-node-created-xzz78', 'Node_2'], field)!);
export const DENIED_OR_NO_POOL = { 403: denied('modelarts:pool:update'), 404: [errors.poolNotFound()] };
