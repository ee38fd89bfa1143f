/**
 * Rows for multi-row statements, a statement's worth at a time: SQLite takes at most 999 bound
 * values in a statement in older builds, so a caller picks `size` by its columns (rows × columns
 * well under 999).
 */
export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
