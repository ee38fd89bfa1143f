import type { z } from 'zod';
import { ValidationError } from '../errors.js';

export interface FieldError {
  path: string;
  message: string;
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Parses `value` with `schema`, or throws a ValidationError that names `what` and the failing fields. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error);
  const summary = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  throw new ValidationError(`${what} is invalid: ${summary}`, errors);
}
