import { usageError } from './exit-codes.js';

// The formatting libraries load when a format needs them: a CLI call pays only for what it prints.
const jmespath = async () => (await import('jmespath')).default;
const toYaml = async (value: unknown) => (await import('yaml')).stringify(value, { aliasDuplicateObjects: false });

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml', 'name'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface OutputOptions {
  output?: string;
  query?: string;
}

export interface Column<T> {
  header: string;
  value: (item: T) => string;
}

/** How a kind of object prints: its table columns, the extra columns of `-o wide`, and its name for `-o name`. */
export interface View<T> {
  columns: Column<T>[];
  wide?: Column<T>[];
  name: (item: T) => string;
}

/** `-o`, or the default: a table for a person at a terminal, JSON for a script or a pipe. */
export function outputFormat(options: OutputOptions, stream: NodeJS.WriteStream = process.stdout): OutputFormat {
  if (options.output === undefined) return stream.isTTY ? 'table' : 'json';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(options.output)) {
    throw usageError(`-o/--output must be one of ${OUTPUT_FORMATS.join(', ')}, got "${options.output}"`);
  }
  return options.output as OutputFormat;
}

/** Checks a JMESPath expression before anything is sent. */
export async function checkQuery(query: string | undefined): Promise<void> {
  if (query === undefined) return;
  const parser = await jmespath();
  try {
    // The package has `compile` (a parse without a document); its type definitions do not list it.
    (parser as unknown as { compile(expression: string): unknown }).compile(query);
  } catch (error) {
    throw usageError(`--query is not a valid JMESPath expression: ${(error as Error).message}`);
  }
}

/** A borderless, kubectl-like table. */
async function renderTable(headers: string[], rows: string[][]): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: headers,
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 3, compact: true },
  });
  table.push(...rows);
  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A query result as a table: rows of objects by their keys, a list of scalars one per line, or the scalar. */
async function genericTable(value: unknown): Promise<string> {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
      const headers = [...new Set(value.flatMap((v) => Object.keys(v as object)))];
      return await renderTable(
        headers.map((h) => h.toUpperCase()),
        value.map((v) => headers.map((h) => scalar((v as Record<string, unknown>)[h]))),
      );
    }
    return value.map((v) => `${scalar(v)}\n`).join('');
  }
  if (value !== null && typeof value === 'object') {
    return await renderTable(['KEY', 'VALUE'], Object.entries(value).map(([k, v]) => [k, scalar(v)]));
  }
  return `${scalar(value)}\n`;
}

/**
 * Prints `document` (what -o json shows: an object, or a list of objects) in the chosen format. `--query` (JMESPath)
 * applies to that document first; `view` gives the table columns and names of the objects in `items`.
 */
export async function printDocument<T>(document: unknown, items: T[], view: View<T>, options: OutputOptions): Promise<void> {
  const format = outputFormat(options);
  let text: string;
  if (options.query !== undefined) {
    const result: unknown = (await jmespath()).search(document, options.query);
    text = format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : format === 'yaml' ? await toYaml(result) : await genericTable(result);
  } else {
    switch (format) {
      case 'json':
        text = `${JSON.stringify(document, null, 2)}\n`;
        break;
      case 'yaml':
        text = await toYaml(document);
        break;
      case 'name':
        text = items.map((item) => `${view.name(item)}\n`).join('');
        break;
      case 'table':
      case 'wide': {
        const columns = format === 'wide' ? [...view.columns, ...(view.wide ?? [])] : view.columns;
        text = items.length === 0 ? '' : await renderTable(columns.map((c) => c.header), items.map((item) => columns.map((c) => c.value(item))));
        if (items.length === 0) process.stderr.write('No resources found.\n');
        break;
      }
    }
  }
  process.stdout.write(text);
}
