// A consumer that reads slowly: it copies its standard input to the file named by its argument,
// pausing after every chunk, so that the writer on the other end of the pipe is held back again and again.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import process from 'node:process';
import { setTimeout as pause } from 'node:timers/promises';

const out = createWriteStream(process.argv[2]);
await pause(200);
for await (const chunk of process.stdin) {
  if (!out.write(chunk)) await once(out, 'drain');
  await pause(10);
}
out.end();
await once(out, 'finish');
