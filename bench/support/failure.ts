/**
 * A bench's failure on one line, with its causes: fetch rejects with "fetch failed" and keeps
 * what happened (a reset, a refused connection) in `cause`.
 */
export function failureMessage(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 5; e = (e as { cause?: unknown }).cause) {
    if (e instanceof Error) parts.push((e as NodeJS.ErrnoException).code ? `${e.message} [${(e as NodeJS.ErrnoException).code}]` : e.message);
    else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join(': ');
}
