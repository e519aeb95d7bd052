/**
 * What the NOC lifecycle benches share: a fresh command key, the API's own gateways over a Temporal
 * client (every start and action sealed as the API seals them), the people who act on a federal NOC,
 * and the few figures the benches print. No HTTP: the gateways are what the routes call.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { createCommandSigning } from '../api/command-signing';
import { createTemporalNocGateway, type NocGateway, type RequestNocPayload } from '../api/noc-gateway';
import { createTemporalPseGateway } from '../api/pse-gateway';
import { registeredEntityFromStream } from '../api/pse-register-entry';
import { loadConfig } from '../config/config';
import { loadCommandSigner } from '../config/command-keys';
import type { Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import type { EventStore } from '../eventstore/port';
import { allProjections } from '../projections';
import { openReadModelDb } from '../projections/db';
import { createPublicQueries } from '../projections/procurement/queries';
import type { NocView } from '../workflows/noc/messages';

export const BENCH_NAMESPACE = 'cloud-office';
/**
 * The entities that request the NOCs, in turn: as many as a bench runs lifecycles at once, so that no
 * one entity's register process (which every request of that entity asks) is the bottleneck.
 */
const ENTITIES = 20;
const entityActor = (i: number): Actor => ({
  userId: `bench-pse-officer-${i}`,
  name: `Bench PSE officer ${i}`,
  role: 'pse',
  jurisdiction: 'federal',
  organisationId: `bench-pse-${i}`,
});
export const REVIEWER: Actor = { userId: 'bench-reviewer', name: 'Bench reviewer', role: 'reviewer', jurisdiction: 'federal' };
export const DIRECTOR: Actor = { userId: 'bench-director', name: 'Bench director', role: 'director', jurisdiction: 'federal' };
const REGISTRAR: Actor = { userId: 'bench-registrar', name: 'Bench registrar', role: 'admin', jurisdiction: 'federal' };

const REQUEST: RequestNocPayload = {
  deviation: 'on-premises-hosting',
  description: 'Payroll stays on premises while the contract moves',
  justification: 'The migration is scheduled and funded',
  dataClass: 'restricted',
  systems: ['payroll'],
  requestedMonths: 3,
};

/** A command signing key made for one bench run: the API signs with it, the worker's bundle trusts it. */
export function benchCommandKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** One NOC's steps as people take them, each through the API's NOC gateway. */
export interface NocSteps {
  /** Requests a NOC; answers its id once the request is recorded. */
  request(): Promise<string>;
  review(nocId: string): Promise<NocView>;
  recommend(nocId: string): Promise<NocView>;
  /** Approves it, valid from now until `validUntil` (ISO), or for the months requested. */
  approve(nocId: string, validUntil?: string): Promise<NocView>;
}

let commands = 0;
const commandId = (what: string): string => `bench-${process.pid}-${what}-${++commands}`;

/** Commands sent again after the engine answered UNAVAILABLE (as the API's 503 asks a client to), this process. */
export const resent = { count: 0 };
const RESENDS = 5;

/**
 * Sends a command as a client of the API does: with one command id (the Idempotency-Key), again with
 * the same id while the engine answers UNAVAILABLE, backing off, so a loaded engine delays it but never
 * makes it twice.
 */
async function withResends<T>(what: string, send: (commandId: string) => Promise<T>): Promise<T> {
  const id = commandId(what);
  for (let attempt = 0; ; attempt++) {
    try {
      return await send(id);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'UNAVAILABLE') || attempt >= RESENDS) throw err;
      resent.count += 1;
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}

/**
 * The NOC and PSE gateways as server/main.ts builds them, over `client`, signing with `keyPem`, and
 * the bench's entities put on the PSE register (a NOC is only requested by a registered entity). Given
 * the worker's event store, a request reads the register from the entity's stream, as the API does;
 * without it (a worker in another process), it queries the entity's process.
 */
export async function nocSteps(client: Client, keyPem: string, taskQueue: string, eventStore?: EventStore): Promise<NocSteps> {
  const config = loadConfig({ TEMPORAL_NAMESPACE: BENCH_NAMESPACE, TEMPORAL_TASK_QUEUE: taskQueue });
  const signing = createCommandSigning(loadCommandSigner({ signingKeyPem: keyPem, signingKeyFile: '/nonexistent' }, '/tmp'));
  // The PSE gateway answers procurement checks from the read models; registering one never asks.
  const readModels = openReadModelDb(':memory:');
  for (const projection of allProjections()) projection.setup(readModels);
  const publicQueries = createPublicQueries(readModels);
  const pses = createTemporalPseGateway({ client, config, signing, procurementCheck: (query, now) => publicQueries.procurementCheck(query, now) });
  const entities = Array.from({ length: ENTITIES }, (_, i) => entityActor(i));
  await Promise.all(
    entities.map((e) =>
      withResends('register', (id) => pses.register(REGISTRAR, { pseId: e.organisationId as string, name: e.name, ministry: 'Bench ministry', jurisdiction: 'federal' }, id)),
    ),
  );
  let requests = 0;
  const nocs: NocGateway = createTemporalNocGateway(client, config, signing, eventStore === undefined ? {} : { registeredEntity: registeredEntityFromStream(eventStore) });
  return {
    async request() {
      const pse = entities[requests++ % entities.length] as Actor;
      const view = await withResends('request', (id) => nocs.request(pse, REQUEST, id));
      if (view.state.status === 'none') throw new Error('The NOC gateway answered a request with no NOC');
      return view.state.request.nocId;
    },
    review: (nocId) => withResends('review', (id) => nocs.act(nocId, { type: 'StartReview', actor: REVIEWER, data: {}, commandId: id })),
    recommend: (nocId) =>
      withResends('recommend', (id) =>
        nocs.act(nocId, { type: 'Recommend', actor: REVIEWER, data: { recommendation: 'approve', reasons: 'Meets the policy', conditions: [] }, commandId: id }),
      ),
    approve: (nocId, validUntil) =>
      withResends('decide', (id) =>
        nocs.act(nocId, {
          type: 'Decide',
          actor: DIRECTOR,
          data: { decision: 'approve', reasons: 'Approved as recommended', ...(validUntil === undefined ? {} : { validUntil }) },
          commandId: id,
        }),
      ),
  };
}

/** Runs `fn` over `items`, at most `concurrency` at a time. */
export async function inPool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

/** The p-th percentile (0–100) of the values, nearest rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** A process's CPU seconds so far (user + system), from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: read past its closing parenthesis; utime and stime are then 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A process's resident memory in bytes, from /proc/<pid>/status: what its process.memoryUsage().rss reports. */
export function rssBytesOf(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** The Temporal dev server this process launched (the SDK starts it as a child), found in /proc by its command line. */
export function devServerPid(): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes('start-dev')) return Number(entry);
    } catch {
      // Ended while listed.
    }
  }
  throw new Error('No Temporal dev server among this process’s children');
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
export const millis = (ms: number): string => `${Math.round(ms)} ms`;
export const megabytes = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`;
