import { createWriteStream } from 'node:fs';
import { constants } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * How every command-line tool writes its output and ends. Standard output to a pipe is asynchronous in
 * Node: what the reader has not taken yet waits in the process, and `process.exit` right after a write
 * throws it away (an auditor piping a replay into `jq` got the first 64 KiB). So output is written with
 * backpressure, and the process ends only once stdout and stderr have handed everything to the system.
 */

/**
 * Writes the chunks, pulled one at a time as the destination takes them, to the file at `path`, or to
 * stdout (left open) without one. A generator keeps a large output from being built in memory.
 */
export async function writeOutput(chunks: Iterable<string> | AsyncIterable<string>, path?: string): Promise<void> {
  if (path !== undefined) await pipeline(Readable.from(chunks), createWriteStream(path));
  else await pipeline(Readable.from(chunks), process.stdout, { end: false });
}

/** Resolves once everything written to the stream before it has been handed to the system. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  // Writes complete in order, so the callback of an empty write comes after every earlier one's.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** Flushes stdout and stderr, then ends the process with the exit code. */
async function exitAfterOutput(code: number): Promise<void> {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  // Everything is out; exiting here rather than waiting for the event loop to drain means a client
  // that keeps a handle open (a database connection, a timer) cannot keep the tool from ending.
  process.exit(code);
}

/**
 * A reader that stops early (`… | head`) closes the pipe; the tool then stops quietly with the status of
 * a process ended by SIGPIPE, as a shell reports it, rather than with a stack trace.
 */
function stopWhenReaderLeaves(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(128 + constants.signals.SIGPIPE);
  });
}

/** Runs a tool's main, mapping a thrown error to an exit code, and ends the process once its output is out. */
export function runToCompletion(main: () => Promise<number>, onError: (err: unknown) => number): void {
  stopWhenReaderLeaves();
  void main()
    .catch(onError)
    .then((code) => exitAfterOutput(code));
}
