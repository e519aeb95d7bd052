import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/config';
import { temporalConnectionOptions } from '../../config/temporal-connection';

describe('connections to the deployment’s secured services', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tls-config-'));
    for (const name of ['client.pem', 'client.key', 'ca.pem']) writeFileSync(join(dir, name), `contents of ${name}`);
    writeFileSync(join(dir, 'eventstore-url'), 'esdb://cloud-office:s3cret@eventstoredb:2113?tls=true\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('connects to Temporal without TLS when none is configured', () => {
    expect(temporalConnectionOptions(loadConfig({}).temporal)).toEqual({ address: '127.0.0.1:7233' });
  });

  it('hands the client certificate, its key, the CA and the server name to the Temporal connection', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_TLS_CERT_FILE: join(dir, 'client.pem'),
      TEMPORAL_TLS_KEY_FILE: join(dir, 'client.key'),
      TEMPORAL_TLS_CA_FILE: join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal',
    });
    const options = temporalConnectionOptions(config.temporal);
    expect(options.address).toBe('temporal:7233');
    expect(options.tls?.serverNameOverride).toBe('temporal');
    expect(options.tls?.serverRootCACertificate?.toString()).toBe('contents of ca.pem');
    expect(options.tls?.clientCertPair?.crt.toString()).toBe('contents of client.pem');
    expect(options.tls?.clientCertPair?.key.toString()).toBe('contents of client.key');
  });

  it('refuses a client certificate without its key', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_FILE: join(dir, 'client.pem') })).toThrow(ConfigError);
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_FILE: join(dir, 'client.pem') })).toThrow(/TEMPORAL_TLS_KEY_FILE/);
  });

  it('reads the EventStoreDB connection string, with its password, from a secret file', () => {
    const config = loadConfig({ EVENTSTORE: 'eventstoredb', EVENTSTORE_URL_FILE: join(dir, 'eventstore-url') });
    expect(config.eventStore).toEqual({ kind: 'eventstoredb', url: 'esdb://cloud-office:s3cret@eventstoredb:2113?tls=true' });
    expect(() => loadConfig({ EVENTSTORE: 'eventstoredb', EVENTSTORE_URL_FILE: join(dir, 'absent') })).toThrow(/EVENTSTORE_URL_FILE: cannot read/);
  });
});
