import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * The layer rules of eslint.config.mjs, proven on snippets linted as if they lived in each layer.
 * ESLint runs in a child Node process (see lint-texts.cjs) because it loads its config with import().
 */
interface Snippet {
  name: string;
  filePath: string;
  code: string;
}
interface Finding {
  ruleId: string | null;
  message: string;
  line: number;
}

const WORKFLOW = 'workflows/noc/probe.workflow.ts';
const DOMAIN = 'domain/noc/probe.ts';
const API = 'api/probe.ts';
const UI = 'ui/probe.ts';

const forbidden: Array<Snippet & { rule: string }> = [
  // workflows/
  { name: 'a node: built-in in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n" },
  { name: 'a bare built-in in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import { randomUUID } from 'crypto';\nexport const id = randomUUID;\n" },
  { name: 'a built-in subpath in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import { readFile } from 'fs/promises';\nexport const read = readFile;\n" },
  { name: 'better-sqlite3 in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import Database from 'better-sqlite3';\nexport const db = Database;\n" },
  { name: 'the Temporal client in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import { Client } from '@temporalio/client';\nexport const c = Client;\n" },
  { name: 'the Temporal activity API in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import { Context } from '@temporalio/activity';\nexport const c = Context;\n" },
  { name: 'the EventStoreDB client in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import { EventStoreDBClient } from '@eventstore/db-client';\nexport const c = EventStoreDBClient;\n" },
  { name: 'our event store in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import { streamName } from '../../eventstore/envelope';\nexport const s = streamName;\n" },
  { name: 'our event store in a workflow, even as a type', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import type { EventStore } from '../../eventstore/port';\nexport type S = EventStore;\n" },
  { name: 'our API in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import * as route from '../../api/route';\nexport const r = route;\n" },
  { name: 'our projections in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "export { NocQueries } from '../../projections/noc/read-model';\n" },
  { name: 'our identity layer in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import * as identity from '../../identity';\nexport const i = identity;\n" },
  { name: 'activities imported as values in a workflow', filePath: WORKFLOW, rule: 'no-restricted-imports', code: "import * as activities from '../../activities/event-activities';\nexport const a = activities;\n" },
  { name: 'a dynamic import in a workflow', filePath: WORKFLOW, rule: 'no-restricted-syntax', code: "export const load = () => import('../../domain/noc/decide');\n" },
  { name: 'require() in a workflow', filePath: WORKFLOW, rule: 'no-restricted-syntax', code: "export const load = () => require('../../domain/noc/decide');\n" },
  { name: 'setTimeout in a workflow', filePath: WORKFLOW, rule: 'no-restricted-globals', code: 'export const later = (f: () => void) => setTimeout(f, 1000);\n' },
  { name: 'setInterval in a workflow', filePath: WORKFLOW, rule: 'no-restricted-globals', code: 'export const every = (f: () => void) => setInterval(f, 1000);\n' },
  { name: 'process.env in a workflow', filePath: WORKFLOW, rule: 'no-restricted-globals', code: 'export const level = process.env.LOG_LEVEL;\n' },
  { name: 'Math.random in a workflow', filePath: WORKFLOW, rule: 'no-restricted-properties', code: 'export const roll = () => Math.random();\n' },
  // domain/
  { name: 'a node: built-in in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import { createHash } from 'node:crypto';\nexport const h = createHash;\n" },
  { name: 'a bare built-in in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import { join } from 'path';\nexport const j = join;\n" },
  { name: 'the Temporal workflow API in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import { sleep } from '@temporalio/workflow';\nexport const s = sleep;\n" },
  { name: 'Temporal common in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import { ApplicationFailure } from '@temporalio/common';\nexport const f = ApplicationFailure;\n" },
  { name: 'the EventStoreDB client in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import { jsonEvent } from '@eventstore/db-client';\nexport const j = jsonEvent;\n" },
  { name: 'fastify in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import Fastify from 'fastify';\nexport const f = Fastify;\n" },
  { name: 'pino in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import pino from 'pino';\nexport const p = pino;\n" },
  { name: 'our event store in the domain, even as a type', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import type { EventStore } from '../../eventstore/port';\nexport type S = EventStore;\n" },
  { name: 'our workflows in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import { nocWorkflowId } from '../../workflows/noc/messages';\nexport const w = nocWorkflowId;\n" },
  { name: 'our activities in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import type { EventActivities } from '../../activities/event-activities';\nexport type A = EventActivities;\n" },
  { name: 'our API in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import * as errors from '../../api/errors';\nexport const e = errors;\n" },
  { name: 'our projections in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import type { NocQueries } from '../../projections/noc/read-model';\nexport type Q = NocQueries;\n" },
  { name: 'our identity layer in the domain', filePath: DOMAIN, rule: 'no-restricted-imports', code: "import * as identity from '../../identity';\nexport const i = identity;\n" },
  { name: 'the clock in the domain (Date.now)', filePath: DOMAIN, rule: 'no-restricted-properties', code: 'export const now = () => Date.now();\n' },
  { name: 'the clock in the domain (new Date())', filePath: DOMAIN, rule: 'no-restricted-syntax', code: 'export const now = () => new Date().toISOString();\n' },
  { name: 'process.env in the domain', filePath: DOMAIN, rule: 'no-restricted-globals', code: 'export const months = process.env.NOC_MAX_MONTHS;\n' },
  // api/
  { name: 'the UI in the API', filePath: API, rule: 'no-restricted-imports', code: "import { registerUi } from '../ui/register-ui';\nexport const r = registerUi;\n" },
  { name: 'the UI in the API, even as a type', filePath: API, rule: 'no-restricted-imports', code: "import type { UiOptions } from '../ui/register-ui';\nexport type O = UiOptions;\n" },
  { name: 'the composition root in the API', filePath: API, rule: 'no-restricted-imports', code: "import { composeOffice } from '../server/compose';\nexport const c = composeOffice;\n" },
  // ui/
  { name: 'the composition root in the UI', filePath: UI, rule: 'no-restricted-imports', code: "import { composeOffice } from '../server/compose';\nexport const c = composeOffice;\n" },
];

const allowed: Snippet[] = [
  { name: 'the Temporal workflow API in a workflow', filePath: WORKFLOW, code: "import { proxyActivities, sleep } from '@temporalio/workflow';\nexport const p = [proxyActivities, sleep];\n" },
  { name: 'the domain in a workflow', filePath: WORKFLOW, code: "import { decideNoc } from '../../domain/noc/decide';\nexport const d = decideNoc;\n" },
  { name: 'a sibling workflow module', filePath: WORKFLOW, code: "import { nextNocDeadline } from './timers';\nexport const n = nextNocDeadline;\n" },
  { name: 'activities imported as types in a workflow', filePath: WORKFLOW, code: "import type { EventActivities } from '../../activities/event-activities';\nexport type A = EventActivities;\n" },
  { name: 'activities imported with inline type specifiers in a workflow', filePath: WORKFLOW, code: "import { type EventActivities } from '../../activities/event-activities';\nexport type A = EventActivities;\n" },
  { name: 'a deterministic Date in a workflow (the sandbox controls it)', filePath: WORKFLOW, code: 'export const now = () => new Date().toISOString();\n' },
  { name: 'zod in the domain', filePath: DOMAIN, code: "import { z } from 'zod';\nexport const S = z.string();\n" },
  { name: 'the shared domain in the domain', filePath: DOMAIN, code: "import { addDays } from '../shared/time';\nexport const a = addDays;\n" },
  { name: 'a Date built from an instant in the domain', filePath: DOMAIN, code: 'export const iso = (ms: number) => new Date(ms).toISOString();\n' },
  { name: 'the API in the UI', filePath: UI, code: "import { statusOf } from '../api/errors';\nexport const s = statusOf;\n" },
  { name: 'Node built-ins and I/O outside the two layers', filePath: API, code: "import { readFileSync } from 'node:fs';\nimport Database from 'better-sqlite3';\nexport const io = [readFileSync, Database, process.env];\n" },
];

async function lint(snippets: readonly Snippet[]): Promise<Finding[][]> {
  const child = execFile(process.execPath, [join(__dirname, 'lint-texts.cjs')], { maxBuffer: 16 * 1024 * 1024 });
  child.stdin?.end(JSON.stringify(snippets.map(({ filePath, code }) => ({ filePath, code }))));
  const output = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`ESLint failed (${code}): ${stderr}`))));
  });
  return JSON.parse(output) as Finding[][];
}

// One ESLint process for every snippet: starting ESLint dominates the cost.
let findings: Map<string, Finding[]>;
beforeAll(async () => {
  const snippets = [...forbidden, ...allowed];
  const results = await lint(snippets);
  findings = new Map(snippets.map((s, i) => [s.name, results[i] ?? []]));
});

describe('layer rules', () => {
  it.each(forbidden.map((s) => [s.name, s.rule] as const))('report %s (%s)', (name, rule) => {
    const found = findings.get(name) ?? [];
    expect(found.map((f) => f.ruleId)).toContain(rule);
  });

  it.each(allowed.map((s) => [s.name] as const))('allow %s', (name) => {
    expect(findings.get(name)).toEqual([]);
  });

  it('explain the rule in the report, so the fix is obvious', () => {
    const [finding] = findings.get('activities imported as values in a workflow') ?? [];
    expect(finding?.message).toMatch(/import type/);
  });
});
