import { InvalidArgumentError } from 'commander';

/** commander option parsers: a bad value is a usage error naming the option (exit code 2). */

export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number >= 0');
  return Number(value);
}

export function positiveInteger(value: string): number {
  const n = nonNegativeInteger(value);
  if (n < 1) throw new InvalidArgumentError('must be at least 1');
  return n;
}
