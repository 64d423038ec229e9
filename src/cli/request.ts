import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action, withExitCodes } from './common.js';
import { connect, withConnectionOptions, type ConnectionOptions } from './connection.js';
import { EXIT, exitForFailures, usageError, type ExitCode } from './exit-codes.js';

interface RequestOptions extends ConnectionOptions {
  data?: string;
  include?: boolean;
}

function bodyOf(data: string | undefined): string | undefined {
  if (data === undefined) return undefined;
  const text = data === '@-' ? readFileSync(0, 'utf8') : data.startsWith('@') ? readFileSync(data.slice(1), 'utf8') : data;
  try {
    JSON.parse(text);
  } catch (error) {
    throw usageError(`--data is not valid JSON: ${(error as Error).message}`);
  }
  return text;
}

/** A batch answer's per-node failures decide the exit code too: a 200 with every node failed is no success. */
function exitFor(status: number, body: unknown): ExitCode {
  if (status >= 400) return EXIT.requestFailed;
  const answer = body as { successNodeNames?: unknown; failNodeNames?: unknown; nodes?: Array<{ status?: unknown }> } | null;
  if (answer && Array.isArray(answer.failNodeNames) && Array.isArray(answer.successNodeNames)) {
    return exitForFailures(answer.failNodeNames.length, answer.failNodeNames.length + answer.successNodeNames.length);
  }
  if (answer && Array.isArray(answer.nodes) && answer.nodes.every((n) => n?.status === 'success' || n?.status === 'failed')) {
    return exitForFailures(answer.nodes.filter((n) => n.status === 'failed').length, answer.nodes.length);
  }
  return EXIT.ok;
}

/** `poolkeeper request`: one signed call, the raw escape hatch; only the answer's body goes to stdout (pipe it to jq). */
export function registerRequestCommand(program: Command): void {
  withExitCodes(withConnectionOptions(program.command('request')))
    .summary('Send one signed request; the answer’s body on stdout.')
    .description(
      'Send one signed request and print the answer’s body on stdout; the status line, X-Request-Id and X-Operation-Id go to ' +
        'stderr (with -i, the status line and every header go to stdout before the body, as curl -i). "{project_id}" in PATH is replaced.',
    )
    .argument('<method>', 'HTTP method, e.g. GET or POST')
    .argument('<path>', 'e.g. /v2/{project_id}/pools')
    .option('-d, --data <json>', 'JSON request body; @FILE reads it from a file, @- from stdin')
    .option('-i, --include', 'print the status line and the headers on stdout before the body')
    .action(
      action(async (method: string, path: string, options: RequestOptions) => {
        const body = bodyOf(options.data);
        const { api } = await connect(options, path.includes('{project_id}'));
        const resolvedPath = path.replaceAll('{project_id}', api.projectId);
        const response = await api.client.request(method.toUpperCase(), resolvedPath, body);
        const status = `HTTP ${response.status}`;
        if (options.include) {
          const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
          process.stdout.write(`${status}\n${headers}\n\n`);
        } else {
          const operationId = response.headers.get('x-operation-id');
          process.stderr.write(`${status}  X-Request-Id: ${response.requestId ?? '-'}${operationId ? `  X-Operation-Id: ${operationId}` : ''}\n`);
        }
        const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body, null, 2);
        if (text !== '') process.stdout.write(`${text}\n`);
        return exitFor(response.status, response.body);
      }),
    );
}
