import { loadConfig } from '../config/config';
import { createEventStore } from '../eventstore';
import { loadAuditSigner } from '../eventstore/integrity/signing';
import { buildDossier } from '../audit/dossier';
import { dossierHtml } from '../audit/dossier-html';
import { runToCompletion, writeOutput } from './output';
import { openEvidenceStore } from '../evidence/open-store';

/**
 * `npm run dossier -- <stream, e.g. noc-NOC-2026-AB12CD34> [--format json|html] [--out FILE]`: a case's
 * decision dossier with its verification result. Exit 0 verified, 1 not verified, 2 bad input.
 */
async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const stream = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  const flag = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const format = flag('format') ?? 'json';
  if (!stream || !/^[a-z]+-.+/.test(stream)) {
    process.stderr.write('case: give the case stream, e.g. noc-NOC-2026-AB12CD34\n');
    return 2;
  }
  if (format !== 'json' && format !== 'html') {
    process.stderr.write('--format: json or html\n');
    return 2;
  }
  const config = loadConfig();
  const signer = loadAuditSigner({ pem: config.audit.signingKeyPem, file: config.audit.signingKeyFile });
  const store = await createEventStore(config.eventStore);
  try {
    const evidence = openEvidenceStore(config);
    const dossier = await buildDossier(store, stream, { [signer.keyId]: signer.publicKeyPem }, new Date().toISOString(), { evidence });
    if (!dossier) {
      process.stderr.write(`case: no events in stream ${stream}\n`);
      return 2;
    }
    const text = format === 'html' ? dossierHtml(dossier) : `${JSON.stringify(dossier, null, 2)}\n`;
    await writeOutput([text], flag('out'));
    process.stderr.write(`${stream}: ${dossier.events.length} events, ${dossier.verification.intact ? 'verified' : 'NOT VERIFIED'}\n`);
    return dossier.verification.intact ? 0 : 1;
  } finally {
    await store.close();
  }
}

runToCompletion(main, (err) => {
  process.stderr.write(`dossier failed: ${(err as Error).message}\n`);
  return 2;
});
