import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { loadConfig } from '../config/config';
import { loadTrustedCommandKeys } from '../config/command-keys';
import { createEventStore } from '../eventstore';
import { keyIdOf, loadAuditSigner } from '../eventstore/integrity/signing';
import { verifyStore } from '../eventstore/integrity/verify-store';

/**
 * `npm run verify [-- --public-key FILE]`: recomputes every stream's hash chain and checks every signed
 * checkpoint in the configured event store. An auditor passes the published public key (GET
 * /api/audit/public-key) and needs nothing else from the operators; without it the configured key is used.
 * Exit 0 intact, 1 something wrong (each finding printed with where and what), 2 could not verify.
 */
function trustedKeys(argv: string[]): Record<string, string> {
  const i = argv.indexOf('--public-key');
  if (i >= 0) {
    const file = argv[i + 1];
    if (!file) throw new Error('--public-key: needs a PEM file');
    const pem = readFileSync(file, 'utf8');
    return { [keyIdOf(createPublicKey(pem))]: pem };
  }
  const config = loadConfig();
  const signer = loadAuditSigner({ pem: config.audit.signingKeyPem, file: config.audit.signingKeyFile });
  return { [signer.keyId]: signer.publicKeyPem };
}

async function main(): Promise<number> {
  const config = loadConfig();
  const keys = trustedKeys(process.argv.slice(2));
  const store = await createEventStore(config.eventStore);
  try {
    const tty = process.stderr.isTTY;
    const result = await verifyStore(store, {
      trustedKeys: keys,
      commandKeys: loadTrustedCommandKeys(config.commandKeys, config.dataDir),
      onProgress: (n) => {
        if (tty) process.stderr.write(`\rverified ${n.toLocaleString('en-US')} events`);
      },
    });
    if (tty) process.stderr.write('\n');
    const out = (line: string): boolean => process.stdout.write(`${line}\n`);
    out(`${result.events} events in ${result.streams} streams; ${result.checkpoints.verified} signed checkpoints verified`);
    for (const b of result.breaks) out(`BROKEN ${b.stream} at revision ${b.revision}: ${b.problem} (${b.detail})`);
    for (const f of result.checkpoints.findings) {
      out(`CHECKPOINT ${f.sequence}: ${f.problem} (${f.detail})`);
      for (const s of f.streams ?? []) out(`  ${s.stream}: ${s.problem} (checkpoint recorded revision ${s.recorded}, found ${s.found ?? 'nothing'})`);
    }
    out(`${result.commands.verified} signed commands verified`);
    for (const c of result.commands.findings) out(`COMMAND ${c.stream} at revision ${c.revision}: ${c.problem} (${c.detail})`);
    const intact = result.breaks.length === 0 && result.checkpoints.findings.length === 0 && result.commands.findings.length === 0;
    if (intact) out('history intact: every hash chain recomputes and every checkpoint verifies');
    return intact ? 0 : 1;
  } finally {
    await store.close();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(`verify failed: ${(err as Error).message}\n`);
    process.exit(2);
  });
