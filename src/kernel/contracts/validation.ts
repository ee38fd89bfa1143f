import { z } from 'zod';
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

/**
 * A whole number between `min` and `max` written in decimal digits, as query strings and
 * environment variables carry numbers. `z.coerce.number()` would also take `0x10`, `1e2`,
 * ` 5 ` or an empty string (as 0).
 */
export function wholeNumber(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number written in digits')
    .describe(`a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}
