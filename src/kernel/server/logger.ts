import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * The process's logger: readable lines (pino-pretty: time, level, message, then the fields)
 * when stdout is a terminal or `LOG_FORMAT=pretty`; one JSON object per line otherwise or with
 * `LOG_FORMAT=json` (what log collectors read). Tests hand in their own `out`.
 */
export function processLogger(level: string, format?: 'json' | 'pretty', out: DestinationStream & { isTTY?: boolean } = process.stdout): Logger {
  const readable = format === 'pretty' || (format === undefined && Boolean(out.isTTY));
  if (!readable) return pino({ level }, out);
  return pino({ level }, pretty({ destination: out, colorize: Boolean(out.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
}
