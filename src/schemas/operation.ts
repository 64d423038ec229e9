import { Type } from '@sinclair/typebox';
import { ProjectParams } from './common.js';
import { EXAMPLE_OPERATION_ID } from './example-ids.js';

export const OperationParams = Type.Object({
  project_id: ProjectParams.properties.project_id,
  operation_id: Type.String({ pattern: '^[0-9a-f-]{36}$', maxLength: 36, description: 'The X-Operation-Id of a batch call.', examples: [EXAMPLE_OPERATION_ID] }),
});

export const OperationSchema = Type.Object({
  id: Type.String(),
  operation: Type.String({ description: 'The batch operation, e.g. BatchUpdatePoolNodes.' }),
  action: Type.Union([Type.String(), Type.Null()]),
  projectId: Type.String(),
  poolName: Type.String(),
  principal: Type.String({ description: 'user@account that made the call.' }),
  requestId: Type.String(),
  creationTimestamp: Type.String(),
  successCount: Type.Integer(),
  failCount: Type.Integer(),
  nodes: Type.Array(
    Type.Object({
      name: Type.String(),
      status: Type.String({ description: 'success or failed' }),
      errorCode: Type.Optional(Type.String()),
      errorMsg: Type.Optional(Type.String()),
      completion: Type.Optional(
        Type.Object(
          {
            status: Type.String({ description: 'succeeded or failed' }),
            errorCode: Type.Optional(Type.String()),
            errorMsg: Type.Optional(Type.String()),
            completionTimestamp: Type.String(),
          },
          { description: 'How the asynchronous work this call started on the node (driver upgrade, reboot) ended; absent while it runs.' },
        ),
      ),
    }),
    { description: 'One entry per requested node, in request order.' },
  ),
});
