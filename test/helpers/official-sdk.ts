/**
 * The official Huawei Cloud Node.js SDK, as the generated ModelArts client drives it.
 *
 * `@huaweicloud/huaweicloud-sdk-modelarts` is not published on npm, but every generated client method is a thin
 * wrapper: a `ParamCreater` builds `{method, url, contentType, queryParams, pathParams, headers, data}` and the
 * method calls `HcClient.sendRequest(options)` from `@huaweicloud/huaweicloud-sdk-core`. `ModelArtsPoolClient`
 * reproduces those options verbatim for the pool operations poolkeeper serves (copied from
 * huaweicloud/huaweicloud-sdk-nodejs-v3, services/modelarts/v1/ModelArtsClient.ts, release 3.1.209), so
 * everything on the wire — path filling, `X-Project-Id`, signing, query encoding, JSON serialization, error
 * mapping — is the SDK's own code.
 */
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import type { HcClient, HttpRequestOptions } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger.js';
import type { SdkResponse } from '@huaweicloud/huaweicloud-sdk-core/SdkResponse.js';

// The SDK logs every failed call (request headers included) to stdout through log4js; the tests assert on the
// exceptions instead. Logging only: nothing about the requests changes.
Logger4jInstance.level = 'off';

export interface SdkCredentials {
  accessKey: string;
  secretKey: string;
  projectId: string;
}

/** `ClientBuilder` + `BasicCredentials` exactly as an application would configure the SDK for a custom endpoint. */
export function buildOfficialClient<T>(init: (hcClient: HcClient) => T, endpoint: string, credentials: SdkCredentials): T {
  const credential = new BasicCredentials().withAk(credentials.accessKey).withSk(credentials.secretKey).withProjectId(credentials.projectId);
  // No region: with a region the SDK takes its endpoints from the region; with a project id it never calls IAM.
  return new ClientBuilder<T>(init).withCredential(credential).withEndpoint(endpoint).build();
}

/** The bare `HcClient`, for requests no generated method makes (e.g. overriding a path's `{project_id}`). */
export function buildOfficialHcClient(endpoint: string, credentials: SdkCredentials): HcClient {
  return buildOfficialClient((hcClient) => hcClient, endpoint, credentials);
}

// The generated request models' property names (ModelArts v1 `model/*Request.ts`).
export interface ListPoolsRequest {
  workspaceId?: string;
  labelSelector?: string;
  status?: string;
}
export interface PoolNameRequest {
  poolName: string;
}
export interface ListPoolNodesRequest extends PoolNameRequest {
  _continue?: string;
  limit?: number;
}
export interface ShowPoolNodeRequest extends PoolNameRequest {
  nodeName: string;
}
export interface BodyRequest<B> {
  body: B;
}

/** The generated `BatchUpdatePoolNodesRequestBody` (its `action` enum is `'true' | 'false'`: a generator bug). */
export interface BatchUpdatePoolNodesRequestBody {
  nodeNames?: string[];
  action?: string;
  haRedundantEffect?: string;
  driver?: { version?: string; updateStrategy?: string };
  tags?: Array<{ key?: string; value?: string }>;
}
export interface BatchUpdatePoolNodesResponse extends SdkResponse {
  successNodeNames?: string[];
  failNodeNames?: string[];
}

export interface SdkPool extends SdkResponse {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; creationTimestamp?: string; deletionTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { type?: string; scope?: string[]; resources?: Array<{ flavor: string; count: number }> };
  status?: { phase?: string; resources?: Record<string, Array<{ flavor: string; count: number }> | undefined> };
}
export interface SdkPoolList extends SdkResponse {
  apiVersion?: string;
  kind?: string;
  items?: SdkPool[];
}
export interface SdkNode extends SdkResponse {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; creationTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { flavor?: string };
  status?: { phase?: string; taints?: Array<{ key: string; value: string; effect: string; timeAdded?: string }> };
}
export interface SdkNodeList extends SdkResponse {
  apiVersion?: string;
  kind?: string;
  metadata?: { continue?: string; remainingItemCount?: number };
  items?: SdkNode[];
}

type Options = HttpRequestOptions & { responseHeaders?: string[] };

/** The generated `ModelArtsClient`'s pool methods, option for option. */
export class ModelArtsPoolClient {
  static newBuilder(): ClientBuilder<ModelArtsPoolClient> {
    return new ClientBuilder<ModelArtsPoolClient>((hcClient) => new ModelArtsPoolClient(hcClient));
  }

  constructor(private readonly hcClient: HcClient) {}

  private send<T extends SdkResponse>(options: Options): Promise<T> {
    // Every generated method does this before sending.
    options.responseHeaders = [''];
    return this.hcClient.sendRequest<T>(options);
  }

  listPools(request: ListPoolsRequest = {}): Promise<SdkPoolList> {
    const query: Record<string, unknown> = {};
    if (request.workspaceId !== null && request.workspaceId !== undefined) query['workspaceId'] = request.workspaceId;
    if (request.labelSelector !== null && request.labelSelector !== undefined) query['labelSelector'] = request.labelSelector;
    if (request.status !== null && request.status !== undefined) query['status'] = request.status;
    return this.send({ method: 'GET', url: '/v2/{project_id}/pools', contentType: 'application/json', queryParams: query, pathParams: {}, headers: {} });
  }

  createPool(request: BodyRequest<unknown>): Promise<SdkPool> {
    return this.send({
      method: 'POST',
      url: '/v2/{project_id}/pools',
      contentType: 'application/json',
      queryParams: {},
      pathParams: {},
      headers: { 'Content-Type': 'application/json' },
      data: request.body as Record<string, unknown>,
    });
  }

  showPool(request: PoolNameRequest): Promise<SdkPool> {
    return this.send({
      method: 'GET',
      url: '/v2/{project_id}/pools/{pool_name}',
      contentType: 'application/json',
      queryParams: {},
      pathParams: { pool_name: request.poolName },
      headers: {},
    });
  }

  patchPool(request: PoolNameRequest & BodyRequest<unknown>): Promise<SdkPool> {
    return this.send({
      method: 'PATCH',
      url: '/v2/{project_id}/pools/{pool_name}',
      contentType: 'application/json',
      queryParams: {},
      pathParams: { pool_name: request.poolName },
      headers: { 'Content-Type': 'application/json' },
      data: request.body as Record<string, unknown>,
    });
  }

  deletePool(request: PoolNameRequest): Promise<SdkPool> {
    return this.send({
      method: 'DELETE',
      url: '/v2/{project_id}/pools/{pool_name}',
      contentType: 'application/json',
      queryParams: {},
      pathParams: { pool_name: request.poolName },
      headers: {},
    });
  }

  listPoolNodes(request: ListPoolNodesRequest): Promise<SdkNodeList> {
    const query: Record<string, unknown> = {};
    if (request._continue !== null && request._continue !== undefined) query['continue'] = request._continue;
    if (request.limit !== null && request.limit !== undefined) query['limit'] = request.limit;
    return this.send({
      method: 'GET',
      url: '/v2/{project_id}/pools/{pool_name}/nodes',
      contentType: 'application/json',
      queryParams: query,
      pathParams: { pool_name: request.poolName },
      headers: {},
    });
  }

  showPoolNode(request: ShowPoolNodeRequest): Promise<SdkNode> {
    return this.send({
      method: 'GET',
      url: '/v2/{project_id}/pools/{pool_name}/nodes/{node_name}',
      contentType: 'application/json',
      queryParams: {},
      pathParams: { pool_name: request.poolName, node_name: request.nodeName },
      headers: {},
    });
  }

  batchUpdatePoolNodes(request: PoolNameRequest & BodyRequest<BatchUpdatePoolNodesRequestBody>): Promise<BatchUpdatePoolNodesResponse> {
    return this.send({
      method: 'POST',
      url: '/v2/{project_id}/pools/{pool_name}/nodes/batch-update',
      contentType: 'application/json',
      queryParams: {},
      pathParams: { pool_name: request.poolName },
      headers: { 'Content-Type': 'application/json' },
      data: request.body as Record<string, unknown>,
    });
  }
}
