import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../api/deps';
import { loadConfig, type AppConfig } from '../../config/config';
import type { Identity } from '../../identity';
import type { AccountInput } from '../../identity/schemas';
import { composeOffice } from '../../server/compose';
import { FakeEventStore, officeWithFakes } from '../api/fakes';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { InjectBrowser } from './inject-browser';

/**
 * The office behind a page test: a throwaway data directory and identity with the given people enrolled
 * (all with one password), the app composed over fakes for whatever the test does not bring, and a
 * browser signed in as any of those people.
 */
export interface PageHarness {
  /** A browser nobody has signed in with. */
  visitor(): InjectBrowser;
  signedIn(username: string): Promise<InjectBrowser>;
  close(): Promise<void>;
}

export type PagePerson = Omit<AccountInput, 'password'>;

export interface PageHarnessOptions {
  /** Names the data directory. */
  name: string;
  people: readonly PagePerson[];
  /** Configuration variables the office starts with (loadConfig's environment). */
  env?: Record<string, string>;
  /** The ports under test; the NOC gateway and queries, event store, health and logger default to fakes. */
  deps?: (world: { config: AppConfig; identity: Identity }) => Partial<ApiDeps>;
}

const PASSWORD = 'a long enough password';

export async function openPageHarness(options: PageHarnessOptions): Promise<PageHarness> {
  const dir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const identity: Identity = await createTestIdentity();
  for (const person of options.people) await seedEnrolledAccount(identity, { ...person, password: PASSWORD });
  const config = { ...loadConfig(options.env ?? {}), dataDir: dir };
  const app: FastifyInstance = composeOffice(officeWithFakes({ dataDir: dir, identity, eventStore: new FakeEventStore() }, { config, ...options.deps?.({ config, identity }) }));
  return {
    visitor: () => new InjectBrowser(app),
    async signedIn(username) {
      const browser = new InjectBrowser(app);
      await browser.signIn(username, PASSWORD);
      return browser;
    },
    async close() {
      await app.close();
      identity.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
