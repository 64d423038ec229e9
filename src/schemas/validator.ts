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
