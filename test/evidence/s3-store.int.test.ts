import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { ApiDeps } from '../../api/deps';
import { sendEvidenceFile } from '../../api/routes/evidence';
import type { Actor } from '../../domain/shared/actor';
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

describe('a download from the bucket', () => {
  it('streams a file of several megabytes through the API whole, with its recorded type and length', async () => {
    const maxBytes = 8 * 1024 * 1024;
    const store = createS3EvidenceStore(server.settings, { maxBytes });
    // A PDF header, then bytes that are no text: several network reads on the way, not one.
    const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(5 * 1024 * 1024)]);
    const file = await store.put(content, { filename: 'penetration test.pdf', contentType: 'application/pdf' });
    const reviewer: Actor = { userId: 'u-rania', name: 'Rania', role: 'reviewer', jurisdiction: 'federal' };
    const references = { referencesTo: async () => [{ stream: 'review-REV-1', cspId: 'csp-nimbus', filename: file.filename, size: file.size, contentType: file.contentType }] };
    const deps = { evidence: { store, references, maxBytes } } as unknown as ApiDeps;
    const app = Fastify();
    app.get('/file', (_request, reply) => sendEvidenceFile(deps, reviewer, file.sha256, reply));
    try {
      const res = await app.inject({ method: 'GET', url: '/file' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-length']).toBe(String(content.length));
      expect(res.rawPayload.equals(content)).toBe(true);
    } finally {
      await app.close();
      await store.remove(file.sha256);
    }
  });
});
