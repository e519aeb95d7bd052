import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/config';
import { loadTrustedCommandKeys } from '../config/command-keys';
import { createEventStore } from '../eventstore';
import { parseFeedText } from '../eventstore/integrity/feed';
import { prefixReport } from '../eventstore/integrity/prefix';
import { loadAuditSigner, trustedKeysFromPem } from '../eventstore/integrity/signing';
import { writtenVersion } from '../eventstore/integrity/decoding';
import { verifyStore } from '../eventstore/integrity/verify-store';
import { openVerificationProgress, verificationProgressPath } from '../eventstore/integrity/verification-progress';
import { runToCompletion } from './output';
import { openEvidenceStore } from '../evidence/open-store';
import { verifyEvidenceFiles } from '../evidence/verify-files';

/**
 * `npm run verify [-- --public-key FILE] [--against SAVED-FEED] [--incremental]`: recomputes every stream's hash chain
 * and checks every signed checkpoint in the configured event store. An auditor passes the published
 * public key (GET /api/audit/public-key; a file may hold several, after a rotation) and needs nothing
 * else from the operators; without it the configured key is used. With --against, the checkpoint feed
 * the auditor saved earlier (GET /api/audit/checkpoints) must still be a prefix of today's history.
 * Every evidence file an event names is hashed again: one missing or altered is a finding. Every event
 * is read as the current code reads it (schema, version, upcasters): one it refuses is a finding too.
 * With --incremental, only what follows the last checkpoint a verification found intact is read (the
 * README's "Incremental verification" says what that proves); every intact run records how far it got.
 * Exit 0 intact, 1 something wrong (each finding printed with where and what), 2 could not verify.
 */
function trustedKeys(argv: string[]): Record<string, string> {
  const i = argv.indexOf('--public-key');
  if (i >= 0) {
    const file = argv[i + 1];
    if (!file) throw new Error('--public-key: needs a PEM file');
    return trustedKeysFromPem(readFileSync(file, 'utf8'));
  }
  const config = loadConfig();
  const signer = loadAuditSigner({ pem: config.audit.signingKeyPem, file: config.audit.signingKeyFile });
  return { [signer.keyId]: signer.publicKeyPem };
}

function savedFeed(argv: string[]): unknown[] | undefined {
  const i = argv.indexOf('--against');
  if (i < 0) return undefined;
  const file = argv[i + 1];
  if (!file) throw new Error('--against: needs the saved checkpoint feed (GET /api/audit/checkpoints)');
  return parseFeedText(readFileSync(file, 'utf8'));
}

async function main(): Promise<number> {
  const config = loadConfig();
  const keys = trustedKeys(process.argv.slice(2));
  const against = savedFeed(process.argv.slice(2));
  const incremental = process.argv.includes('--incremental');
  const store = await createEventStore(config.eventStore);
  const progress = openVerificationProgress(verificationProgressPath(config.dataDir));
  try {
    const tty = process.stderr.isTTY;
    const result = await verifyStore(store, {
      trustedKeys: keys,
      against,
      progress,
      mode: incremental ? 'incremental' : 'full',
      commandKeys: loadTrustedCommandKeys(config.commandKeys, config.dataDir),
      decode: true,
      onProgress: (n) => {
        if (tty) process.stderr.write(`\rverified ${n.toLocaleString('en-US')} events`);
      },
    });
    if (tty) process.stderr.write('\n');
    const out = (line: string): boolean => process.stdout.write(`${line}\n`);
    const scope =
      result.scope.from === 'checkpoint'
        ? `from signed checkpoint ${result.scope.sequence} (log position ${result.scope.logPosition}) on`
        : `from the start of the log${result.scope.fullBecause ? ` (${result.scope.fullBecause})` : ''}`;
    out(`verified ${scope}`);
    out(`${result.events} events in ${result.streams} streams; ${result.checkpoints.verified} signed checkpoints verified`);
    for (const b of result.breaks) out(`BROKEN ${b.stream} at revision ${b.revision}: ${b.problem} (${b.detail})`);
    for (const f of result.checkpoints.findings) {
      out(`CHECKPOINT ${f.sequence}: ${f.problem} (${f.detail})`);
      for (const s of f.streams ?? []) out(`  ${s.stream}: ${s.problem} (checkpoint recorded revision ${s.recorded}, found ${s.found ?? 'nothing'})`);
    }
    const { beforeSigning } = result.commands;
    // Not a failure: histories from before commands were signed, and records the API writes itself.
    const earlier = beforeSigning === 0 ? '' : `; ${beforeSigning} events people caused recorded before commands were signed (before their stream's first signed command)`;
    out(`${result.commands.verified} signed commands verified${earlier}`);
    for (const c of result.commands.findings) out(`COMMAND ${c.stream} at revision ${c.revision} (${c.type}): ${c.problem} (${c.detail})`);
    const decoding = result.decoding ?? { checked: 0, findings: [] };
    out(`${decoding.checked} events decoded under the current schemas and upcasters`);
    for (const d of decoding.findings) out(`UNDECODABLE ${d.stream} at revision ${d.revision} (${d.type} ${writtenVersion(d)}): ${d.code}: ${d.problem}`);
    if (result.against) prefixReport(result.against).forEach(out);
    const evidence = await verifyEvidenceFiles(store, openEvidenceStore(config));
    out(`${evidence.checked} evidence files checked against their hashes`);
    for (const f of evidence.findings) out(`EVIDENCE ${f.stream} at revision ${f.revision}: file ${f.sha256} (${f.filename}) ${f.problem}`);
    const intact = decoding.findings.length === 0 && evidence.findings.length === 0 && result.breaks.length === 0 && result.checkpoints.findings.length === 0 && result.commands.findings.length === 0 && (result.against?.findings.length ?? 0) === 0;
    if (intact) out('history intact: every hash chain recomputes, every checkpoint verifies and every event decodes');
    return intact ? 0 : 1;
  } finally {
    progress.close();
    await store.close();
  }
}

runToCompletion(main, (err) => {
  process.stderr.write(`verify failed: ${(err as Error).message}\n`);
  return 2;
});
