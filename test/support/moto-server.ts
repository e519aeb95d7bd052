import { spawn, type ChildProcess } from 'node:child_process';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ensureMotoServer } from '../../config/moto-server';
import type { S3EvidenceSettings } from '../../evidence/s3-store';
import { freePort } from './ports';

export interface TestS3Server {
  /** http://127.0.0.1:<port>, for EVIDENCE_S3_ENDPOINT. */
  endpoint: string;
  /** A bucket made for this server, with settings that reach it. */
  settings: S3EvidenceSettings;
  /** A client of the server, for a test that must reach behind the store (to alter an object). */
  client: S3Client;
  stop(): Promise<void>;
}

// moto accepts any key pair; these only have to be well formed.
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const STARTUP_MS = 60_000;


async function answering(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode} before answering:\n${output()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`moto_server did not answer at ${endpoint} within ${STARTUP_MS / 1000} s:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * moto's S3-compatible server on a free local port, one per test file (installed by `npm run setup`),
 * with an empty bucket. The store is tested over HTTP with the real client, as it runs when deployed.
 */
export async function startMotoServer(bucket = 'evidence'): Promise<TestS3Server> {
  const { python, args, env } = ensureMotoServer();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(python, [...args, '-H', '127.0.0.1', '-p', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    // Only the start matters (why it failed); the request log would grow without end.
    if (output.length < 8000) output += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await answering(endpoint, child, () => output);
    const settings: S3EvidenceSettings = { bucket, region: 'us-east-1', endpoint, forcePathStyle: true, credentials: CREDENTIALS };
    const client = new S3Client({ region: settings.region, endpoint, forcePathStyle: true, credentials: CREDENTIALS });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return {
      endpoint,
      settings,
      client,
      async stop() {
        client.destroy();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
