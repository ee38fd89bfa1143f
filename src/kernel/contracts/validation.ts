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

/** U+0000, or a UTF-16 surrogate without its other half: text no store can hold as given (PostgreSQL refuses NUL; a lone surrogate becomes U+FFFD). */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Every string in a JSON value (object keys included) that holds U+0000 or an unpaired surrogate,
 * as field errors (at most 10). Such text is refused everywhere, so that every store and every
 * projection database can hold, unchanged, whatever was accepted.
 */
export function unstorableText(value: unknown, path: string[] = [], found: FieldError[] = []): FieldError[] {
  if (found.length >= 10) return found;
  const at = (p: string[]) => p.join('.') || '(root)';
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) found.push({ path: at(path), message: 'must not contain U+0000 or an unpaired surrogate' });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unstorableText(item, [...path, String(i)], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) found.push({ path: at([...path, key]), message: 'a key must not contain U+0000 or an unpaired surrogate' });
      unstorableText(item, [...path, key], found);
    }
  }
  return found;
}

/**
 * Parses `value` with `schema`, or throws a ValidationError that names `what` and the failing
 * fields. Text no store can hold (unstorableText) is refused first, whatever the schema says.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const unstorable = unstorableText(value);
  if (unstorable.length > 0) throw new ValidationError(`${what} is invalid: ${unstorable.map((e) => `${e.path}: ${e.message}`).join('; ')}`, unstorable);
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
