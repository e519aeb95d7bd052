import pino, { type Logger } from 'pino';

/** Structured logs, one JSON line per event; every process names itself. */
export function createLogger(processName: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { process: processName } });
}
