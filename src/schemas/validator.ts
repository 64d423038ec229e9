import AjvCompiler from '@fastify/ajv-compiler';
import type { TSchema } from '@sinclair/typebox';

/**
 * How request input is validated, for the HTTP routes (Fastify's `ajv` option) and the CLI alike: nothing is
 * coerced, defaulted or silently dropped, and the first violation is reported.
 */
export const INPUT_VALIDATION = {
  customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false },
} as const;

export interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

export type InputValidator = (value: unknown) => ValidationIssue[] | undefined;

const buildValidator = AjvCompiler()({}, { customOptions: { ...INPUT_VALIDATION.customOptions } });

/** Compiles `schema` with the compiler and options Fastify uses for the routes; answers the violations, if any. */
export function compileInputValidator(schema: TSchema): InputValidator {
  const validate = buildValidator({ schema, method: 'POST', url: '', httpPart: 'body' });
  return (value) => (validate(value) ? undefined : ((validate.errors ?? []) as ValidationIssue[]));
}

/** Turns the first schema violation into a message that names the field, e.g. `nodeNames: must have at most 10000 items`. */
export function describeValidationError(issues: ValidationIssue[], context: string): string {
  const issue = issues[0];
  if (!issue) return 'invalid request';
  const where = fieldPath(issue.instancePath, context);
  const p = issue.params;
  switch (issue.keyword) {
    case 'required':
      return `${joinField(where, String(p.missingProperty))} is required`;
    case 'additionalProperties':
      return `${joinField(where, String(p.additionalProperty))} is not a known field`;
    case 'enum':
      return `${where || context} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${where || context} must be ${JSON.stringify(p.allowedValue)}`;
    case 'anyOf': {
      const literals = anyOfLiterals(issues, issue.instancePath);
      return literals ? `${where || context} must be one of ${literals}` : `${where || context} has an invalid value`;
    }
    default:
      return `${where || context} ${issue.message ?? 'is invalid'}`;
  }
}

function anyOfLiterals(issues: ValidationIssue[], path: string): string | undefined {
  const values = issues.filter((i) => i.keyword === 'const' && i.instancePath === path).map((i) => JSON.stringify(i.params.allowedValue));
  return values.length > 0 ? values.join(', ') : undefined;
}

function fieldPath(instancePath: string, context: string): string {
  if (instancePath === '') return context === 'body' ? '' : context;
  const parts = instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = context === 'body' ? '' : context;
  for (const part of parts) {
    out = /^\d+$/.test(part) ? `${out}[${part}]` : joinField(out, part);
  }
  return out;
}

function joinField(base: string, field: string): string {
  return base ? `${base}.${field}` : field;
}
