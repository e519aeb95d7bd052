import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { evidenceKeyOf } from '../../evidence/port';
import { createS3EvidenceStore } from '../../evidence/s3-store';
import { startMotoServer, type TestS3Server } from '../support/moto-server';
import { CONTRACT_MAX_BYTES, evidenceStoreContract } from './store-contract';

/** The S3 adapter over HTTP against moto's S3-compatible server, with the same contract as the data folder. */
let server: TestS3Server;
beforeAll(async () => {
  server = await startMotoServer();
}, 120_000);
afterAll(async () => server?.stop());

evidenceStoreContract('S3-compatible', async () => {
  const { client, settings } = server;
  const Bucket = settings.bucket;
  return {
    store: createS3EvidenceStore(settings, { maxBytes: CONTRACT_MAX_BYTES }),
    tamper: async (sha256, content) => {
      await client.send(new PutObjectCommand({ Bucket, Key: evidenceKeyOf(sha256), Body: content }));
    },
    // One bucket for the file: each test starts from an empty one.
    dispose: async () => {
      const listing = await client.send(new ListObjectsV2Command({ Bucket }));
      const Objects = (listing.Contents ?? []).map((o) => ({ Key: o.Key as string }));
      if (Objects.length > 0) await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects } }));
    },
  };
});
