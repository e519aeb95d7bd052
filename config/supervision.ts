/**
 * A process started by scripts/start.ts exits by itself when its supervisor disappears (even by
 * kill -9): it would otherwise live on as an orphan, holding ports and files the next start needs.
 */
export function exitWhenOrphaned(onOrphaned: () => void, everyMs = 1000): void {
  if (process.env.CLOUD_OFFICE_SUPERVISOR_PID === undefined) return;
  const supervisor = Number(process.env.CLOUD_OFFICE_SUPERVISOR_PID);
  const timer = setInterval(() => {
    if (process.ppid !== supervisor) {
      clearInterval(timer);
      onOrphaned();
    }
  }, everyMs);
  timer.unref();
}

/** Runs `stop` once on SIGINT/SIGTERM (or orphaning), then exits. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) return;
    stopping = true;
    stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  exitWhenOrphaned(handler);
}
