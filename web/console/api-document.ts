/** The service's own OpenAPI document, read once per session: the console takes its limits and form schemas from it. */
import { sendCall } from '../lib/api.js';
import type { JsonSchema } from '../lib/openapi.js';
import type { Session } from '../lib/session.js';

interface Document {
  paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } } | undefined> | undefined>;
}

const documents = new WeakMap<Session, Promise<Document>>();

function documentOf(session: Session): Promise<Document> {
  let document = documents.get(session);
  if (!document) {
    document = sendCall(session, { method: 'GET', path: '/openapi.json' }).then((answer) => (answer.status === 200 ? (answer.json as Document) : {}));
    documents.set(session, document);
  }
  return document;
}

/** The JSON schema of an operation's request body, e.g. ('/v2/{project_id}/pools', 'post'); undefined when the document has none. */
export async function requestSchema(session: Session, path: string, method: string): Promise<JsonSchema | undefined> {
  const content = (await documentOf(session)).paths?.[path]?.[method]?.requestBody?.content;
  return content ? Object.values(content)[0]?.schema : undefined;
}

/** The most node names a batch call takes (`maxItems` of its `nodeNames`), as the service publishes it. */
export async function publishedLimit(session: Session, fallback: number): Promise<number> {
  const schema = await requestSchema(session, '/v2/{project_id}/pools/{pool_name}/nodes/batch-update', 'post');
  const limit = schema?.properties?.nodeNames?.maxItems;
  return typeof limit === 'number' ? limit : fallback;
}
