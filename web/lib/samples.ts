/**
 * SDK sample code for one request exactly as the explorer would send it: Node.js (the official SDK core), Python,
 * Java and Go (the official ModelArts SDKs' request classes) and the `poolkeeper request` command line. Pure string
 * building, no DOM: the page and the tests (which run the Node.js sample) share it.
 */

export interface SampleRequest {
  operationId: string;
  method: string;
  /** The OpenAPI path, e.g. /v2/{project_id}/pools/{pool_name}/nodes/batch-update */
  pathTemplate: string;
  /** Path parameters other than project_id (which the SDKs fill from the credentials). */
  pathParams: Record<string, string>;
  query: Record<string, string>;
  /** The parsed JSON body, when the operation has one. */
  body?: unknown;
  /** poolkeeper's own operation (in no Huawei Cloud SDK). */
  extension: boolean;
}

export interface SampleContext {
  /** Where the service answers, e.g. http://127.0.0.1:9710 */
  endpoint: string;
  projectId: string;
}

export type SampleLanguage = 'node' | 'python' | 'java' | 'go' | 'cli';

export interface Sample {
  language: SampleLanguage;
  label: string;
  /** A file name to save it as. */
  filename: string;
  code: string;
  /** Set when the SDK has no method for the operation and the sample shows the generic request instead. */
  note?: string;
}

/** The ModelArts v1 SDK request models (Go, Java, Python) for the operations poolkeeper serves. */
interface SdkModel {
  body?: string;
  query?: Record<string, { python: string; java: string; go: string; integer?: boolean }>;
  /** Not in the Node.js ModelArts client (the other SDKs have it). */
  missingInNode?: boolean;
}

const MODELARTS: Record<string, SdkModel> = {
  ListPools: {
    query: {
      workspaceId: { python: 'workspace_id', java: 'withWorkspaceId', go: 'WorkspaceId' },
      labelSelector: { python: 'label_selector', java: 'withLabelSelector', go: 'LabelSelector' },
      status: { python: 'status', java: 'withStatus', go: 'Status' },
    },
  },
  CreatePool: { body: 'CreatePoolRequestBody' },
  ShowPool: {},
  PatchPool: { body: 'PoolUpdateRequest' },
  DeletePool: {},
  ListPoolNodes: {
    query: {
      continue: { python: '_continue', java: 'withContinue', go: 'Continue' },
      limit: { python: 'limit', java: 'withLimit', go: 'Limit', integer: true },
    },
  },
  ShowPoolNode: {},
  BatchUpdatePoolNodes: { body: 'BatchUpdatePoolNodesRequestBody' },
  BatchDeletePoolNodes: { body: 'NodesDeletionRequest' },
  BatchLockPoolNodes: { body: 'BatchLockPoolNodesRequestBody' },
  BatchUnlockPoolNodes: { body: 'BatchLockPoolNodesRequestBody' },
  BatchRebootPoolNodes: { body: 'BatchRebootPoolNodesRequestBody' },
  BatchDrainPoolNodes: { body: 'BatchDrainPoolNodesReq', missingInNode: true },
};

/** Path parameter → [Python keyword, Java builder, Go field]. */
const PATH_PARAMS: Record<string, [string, string, string]> = {
  pool_name: ['pool_name', 'withPoolName', 'PoolName'],
  node_name: ['node_name', 'withNodeName', 'NodeName'],
};

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function kebab(name: string): string {
  return snake(name).replaceAll('_', '-');
}

/** The path the request goes to, `{project_id}` left for the SDK (or the CLI) to fill. */
function pathWith(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (whole, name: string) => (name === 'project_id' ? whole : encodeURIComponent(params[name] ?? '')));
}

function queryString(query: Record<string, string>): string {
  const search = new URLSearchParams(Object.entries(query)).toString();
  return search === '' ? '' : '?' + search;
}

function indentLines(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : prefix + line))
    .join('\n');
}

function hasBody(req: SampleRequest): boolean {
  return req.body !== undefined;
}

/** A Python literal for a JSON value. */
function pythonLiteral(value: unknown, indent = ''): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  const inner = indent + '    ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[\n' + value.map((v) => inner + pythonLiteral(v, inner)).join(',\n') + ',\n' + indent + ']';
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return '{\n' + entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pythonLiteral(v, inner)}`).join(',\n') + ',\n' + indent + '}';
}

/** A Go string literal holding `text` (a raw string unless it contains a backtick). */
function goString(text: string): string {
  return text.includes('`') ? JSON.stringify(text) : '`' + text + '`';
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The request in plain HTTP, for an SDK without a method for it. */
function genericRequest(req: SampleRequest, ctx: SampleContext, comment: string): string {
  const url = ctx.endpoint + pathWith(req.pathTemplate, req.pathParams).replace('{project_id}', ctx.projectId) + queryString(req.query);
  const lines = [`${req.method} ${url}`, 'Content-Type: application/json', `X-Project-Id: ${ctx.projectId}`, 'X-Sdk-Date: <signing time>', 'Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=..., Signature=...'];
  if (hasBody(req)) lines.push('', JSON.stringify(req.body, null, 2));
  return lines.map((line) => (line === '' ? comment : `${comment}   ${line}`)).join('\n');
}

function unsupportedNote(req: SampleRequest, sdk: string): string {
  if (req.extension) return `${req.operationId} is a poolkeeper extension: the official ${sdk} SDK has no method for it.`;
  return `The official ${sdk} ModelArts SDK has no ${req.operationId} method.`;
}

function unsupported(req: SampleRequest, ctx: SampleContext, language: Exclude<SampleLanguage, 'node' | 'cli'>, label: string, filename: string): Sample {
  const note = unsupportedNote(req, label);
  const comment = language === 'python' ? '#' : '//';
  const code = [
    `${comment} ${note}`,
    `${comment} Send it with the Node.js sample (the SDK core's generic HcClient.sendRequest signs any request) or the`,
    `${comment} poolkeeper command line. The generic request, signed like every call:`,
    comment,
    genericRequest(req, ctx, comment),
    '',
  ].join('\n');
  return { language, label, filename, code, note };
}

function nodeSample(req: SampleRequest, ctx: SampleContext): Sample {
  const model = MODELARTS[req.operationId];
  let note: string | undefined;
  if (req.extension) note = `${req.operationId} is a poolkeeper extension; the SDK core signs it like any other request.`;
  else if (model === undefined || model.missingInNode) note = `The Node.js ModelArts client has no ${req.operationId}; this is the request the other SDKs send.`;
  const pathParams = Object.fromEntries(Object.entries(req.pathParams));
  const options = [
    `  method: ${JSON.stringify(req.method)},`,
    `  url: ${JSON.stringify(req.pathTemplate)},`,
    "  contentType: 'application/json',",
    `  pathParams: ${JSON.stringify(pathParams)},`,
    `  queryParams: ${JSON.stringify(req.query)},`,
    '  headers: {},',
    ...(hasBody(req) ? [`  data: ${indentLines(JSON.stringify(req.body, null, 2), '    ')},`] : []),
    "  responseHeaders: ['X-Request-Id', 'X-Operation-Id'],",
  ];
  const code = [
    `// ${req.operationId} with the official Huawei Cloud Node.js SDK core.`,
    '//   npm install @huaweicloud/huaweicloud-sdk-core',
    `//   HUAWEICLOUD_SDK_AK=<access key> HUAWEICLOUD_SDK_SK=<secret key> node ${kebab(req.operationId)}.mjs`,
    '// The ModelArts Node.js client is not published on npm; its generated methods call HcClient.sendRequest with',
    '// exactly these options, so this sends the same signed request.',
    ...(note ? [`// ${note}`] : []),
    "import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';",
    "import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';",
    '',
    'const credentials = new BasicCredentials()',
    '  .withAk(process.env.HUAWEICLOUD_SDK_AK)',
    '  .withSk(process.env.HUAWEICLOUD_SDK_SK)',
    `  .withProjectId(${JSON.stringify(ctx.projectId)});`,
    `const client = new ClientBuilder((hcClient) => hcClient).withCredential(credentials).withEndpoint(${JSON.stringify(ctx.endpoint)}).build();`,
    '',
    'try {',
    '  const response = await client.sendRequest({',
    ...options.map((line) => '  ' + line),
    '  });',
    '  console.log(JSON.stringify(response, null, 2));',
    '} catch (error) {',
    "  console.error(`HTTP ${error.httpStatusCode} ${error.errorCode ?? ''}: ${error.errorMsg ?? error.message} (request ${error.requestId ?? '-'})`);",
    '  process.exitCode = 1;',
    '}',
    '',
  ].join('\n');
  return { language: 'node', label: 'Node.js', filename: `${kebab(req.operationId)}.mjs`, code, ...(note ? { note } : {}) };
}

function pythonSample(req: SampleRequest, ctx: SampleContext): Sample {
  const filename = `${snake(req.operationId)}.py`;
  const model = MODELARTS[req.operationId];
  if (model === undefined || req.extension) return unsupported(req, ctx, 'python', 'Python', filename);
  const args: string[] = [];
  for (const [name, value] of Object.entries(req.pathParams)) args.push(`${PATH_PARAMS[name]?.[0] ?? name}=${JSON.stringify(value)}`);
  for (const [name, value] of Object.entries(req.query)) {
    const q = model.query?.[name];
    if (q) args.push(`${q.python}=${q.integer && /^\d+$/.test(value) ? value : JSON.stringify(value)}`);
  }
  if (hasBody(req)) args.push(`body=${pythonLiteral(req.body, '    ')}`);
  const request = `${req.operationId}Request`;
  const code = [
    `# ${req.operationId} with the official Huawei Cloud Python SDK.`,
    '#   pip install huaweicloudsdkmodelarts',
    `#   HUAWEICLOUD_SDK_AK=<access key> HUAWEICLOUD_SDK_SK=<secret key> python ${filename}`,
    'import os',
    '',
    'from huaweicloudsdkcore.auth.credentials import BasicCredentials',
    'from huaweicloudsdkcore.exceptions import exceptions',
    `from huaweicloudsdkmodelarts.v1 import ModelArtsClient, ${request}`,
    '',
    `credentials = BasicCredentials(os.environ["HUAWEICLOUD_SDK_AK"], os.environ["HUAWEICLOUD_SDK_SK"], ${JSON.stringify(ctx.projectId)})`,
    `client = ModelArtsClient.new_builder().with_credentials(credentials).with_endpoints([${JSON.stringify(ctx.endpoint)}]).build()`,
    '',
    args.length === 0 ? `request = ${request}()` : `request = ${request}(\n    ${args.join(',\n    ')},\n)`,
    'try:',
    `    response = client.${snake(req.operationId)}(request)`,
    '    print(response)',
    'except exceptions.ClientRequestException as e:',
    '    print(e.status_code, e.request_id, e.error_code, e.error_msg)',
    '',
  ].join('\n');
  return { language: 'python', label: 'Python', filename, code };
}

function javaSample(req: SampleRequest, ctx: SampleContext): Sample {
  const className = `${req.operationId}Sample`;
  const filename = `${className}.java`;
  const model = MODELARTS[req.operationId];
  if (model === undefined || req.extension) return unsupported(req, ctx, 'java', 'Java', filename);
  const builders: string[] = [];
  for (const [name, value] of Object.entries(req.pathParams)) builders.push(`.${PATH_PARAMS[name]?.[1] ?? name}(${JSON.stringify(value)})`);
  for (const [name, value] of Object.entries(req.query)) {
    const q = model.query?.[name];
    if (q) builders.push(`.${q.java}(${q.integer && /^\d+$/.test(value) ? value : JSON.stringify(value)})`);
  }
  if (hasBody(req) && model.body) builders.push(`.withBody(JsonUtils.toObject(${JSON.stringify(JSON.stringify(req.body))}, ${model.body}.class))`);
  const request = `${req.operationId}Request`;
  const code = [
    `// ${req.operationId} with the official Huawei Cloud Java SDK (com.huaweicloud.sdk:huaweicloud-sdk-modelarts).`,
    `// Set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK in the environment. The body is read into the SDK's ${model.body ?? 'request'} model.`,
    'import com.huaweicloud.sdk.core.auth.BasicCredentials;',
    'import com.huaweicloud.sdk.core.auth.ICredential;',
    'import com.huaweicloud.sdk.core.exception.ServiceResponseException;',
    ...(hasBody(req) ? ['import com.huaweicloud.sdk.core.utils.JsonUtils;'] : []),
    'import com.huaweicloud.sdk.modelarts.v1.ModelArtsClient;',
    'import com.huaweicloud.sdk.modelarts.v1.model.*;',
    'import java.util.Collections;',
    '',
    `public class ${className} {`,
    '    public static void main(String[] args) {',
    '        ICredential auth = new BasicCredentials()',
    '            .withAk(System.getenv("HUAWEICLOUD_SDK_AK"))',
    '            .withSk(System.getenv("HUAWEICLOUD_SDK_SK"))',
    `            .withProjectId(${JSON.stringify(ctx.projectId)});`,
    '        ModelArtsClient client = ModelArtsClient.newBuilder()',
    '            .withCredential(auth)',
    `            .withEndpoints(Collections.singletonList(${JSON.stringify(ctx.endpoint)}))`,
    '            .build();',
    `        ${request} request = new ${request}()${builders.map((b) => '\n            ' + b).join('')};`,
    '        try {',
    `            ${req.operationId}Response response = client.${lowerFirst(req.operationId)}(request);`,
    '            System.out.println(response);',
    '        } catch (ServiceResponseException e) {',
    '            System.out.println(e.getHttpStatusCode() + " " + e.getRequestId() + " " + e.getErrorCode() + " " + e.getErrorMsg());',
    '        }',
    '    }',
    '}',
    '',
  ].join('\n');
  return { language: 'java', label: 'Java', filename, code };
}

function goSample(req: SampleRequest, ctx: SampleContext): Sample {
  const filename = 'main.go';
  const model = MODELARTS[req.operationId];
  if (model === undefined || req.extension) return unsupported(req, ctx, 'go', 'Go', filename);
  const vars: string[] = [];
  const fields: string[] = [];
  for (const [name, value] of Object.entries(req.pathParams)) fields.push(`${PATH_PARAMS[name]?.[2] ?? name}: ${JSON.stringify(value)},`);
  for (const [name, value] of Object.entries(req.query)) {
    const q = model.query?.[name];
    if (!q) continue;
    const variable = lowerFirst(q.go);
    vars.push(q.integer && /^\d+$/.test(value) ? `\t${variable} := int32(${value})` : `\t${variable} := ${JSON.stringify(value)}`);
    fields.push(`${q.go}: &${variable},`);
  }
  const withBody = hasBody(req) && model.body !== undefined;
  if (withBody) fields.push('Body: body,');
  const code = [
    `// ${req.operationId} with the official Huawei Cloud Go SDK (github.com/huaweicloud/huaweicloud-sdk-go-v3).`,
    '// Set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK in the environment; go run main.go',
    'package main',
    '',
    'import (',
    ...(withBody ? ['\t"encoding/json"'] : []),
    '\t"fmt"',
    '\t"os"',
    '',
    '\t"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"',
    '\tmodelarts "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/modelarts/v1"',
    '\t"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/modelarts/v1/model"',
    ')',
    '',
    'func main() {',
    '\tauth := basic.NewCredentialsBuilder().',
    '\t\tWithAk(os.Getenv("HUAWEICLOUD_SDK_AK")).',
    '\t\tWithSk(os.Getenv("HUAWEICLOUD_SDK_SK")).',
    `\t\tWithProjectId(${JSON.stringify(ctx.projectId)}).`,
    '\t\tBuild()',
    '\tclient := modelarts.NewModelArtsClient(',
    '\t\tmodelarts.ModelArtsClientBuilder().',
    `\t\t\tWithEndpoints([]string{${JSON.stringify(ctx.endpoint)}}).`,
    '\t\t\tWithCredential(auth).',
    '\t\t\tBuild())',
    '',
    ...(withBody
      ? [
          '\t// Read through the SDK model, whose enums (e.g. action) only JSON can set.',
          `\tbody := &model.${model.body}{}`,
          `\tif err := json.Unmarshal([]byte(${goString(JSON.stringify(req.body))}), body); err != nil {`,
          '\t\tpanic(err)',
          '\t}',
        ]
      : []),
    ...vars,
    `\trequest := &model.${req.operationId}Request{${fields.length ? '\n' + fields.map((f) => '\t\t' + f).join('\n') + '\n\t' : ''}}`,
    `\tresponse, err := client.${req.operationId}(request)`,
    '\tif err != nil {',
    '\t\tfmt.Println(err)',
    '\t\tos.Exit(1)',
    '\t}',
    '\tfmt.Printf("%+v\\n", response)',
    '}',
    '',
  ].join('\n');
  return { language: 'go', label: 'Go', filename, code };
}

function cliSample(req: SampleRequest, ctx: SampleContext): Sample {
  const path = pathWith(req.pathTemplate, req.pathParams) + queryString(req.query);
  const lines = [
    '# Credentials: POOLKEEPER_AK / POOLKEEPER_SK / POOLKEEPER_PROJECT_ID, or the data/credentials.json of the first start.',
    `POOLKEEPER_ENDPOINT=${ctx.endpoint} ./bin/poolkeeper request ${req.method} ${shellQuote(path)}${hasBody(req) ? ` \\\n  --data ${shellQuote(JSON.stringify(req.body))}` : ''}`,
    '',
  ];
  return { language: 'cli', label: 'Command line', filename: 'request.sh', code: lines.join('\n') };
}

export function buildSamples(req: SampleRequest, ctx: SampleContext): Sample[] {
  return [nodeSample(req, ctx), pythonSample(req, ctx), javaSample(req, ctx), goSample(req, ctx), cliSample(req, ctx)];
}
