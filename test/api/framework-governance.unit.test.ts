import type { Client } from '@temporalio/client';
import { createTemporalAccreditationGateway } from '../../api/accreditation-gateway';
import { createFrameworkRegister, type FrameworkRegister } from '../../api/framework-register';
import { testSigning } from '../support/command-keys';
import { loadConfig } from '../../config/config';
import { foldCsp } from '../../domain/csp';
import { DomainError } from '../../domain/shared/errors';
import type { AccreditationActionInput, AccreditationWorkflowInput } from '../../workflows/accreditation/messages';
import { EVIDENCE } from '../domain/accreditation-fixtures';
import { CSP_ID, GOV_CLOUD, cspHistory } from '../domain/csp-fixtures';
import { FRAMEWORK_1_0 } from '../domain/framework-fixtures';
import { directorA, directorB, nextFramework } from '../domain/framework-fixtures-register';
import { actors } from '../domain/noc-fixtures';
import { MemoryStreams } from './framework-register-store';

/**
 * The accreditation gateway against the real framework register: which framework a submission is
 * scored against is decided by the register and the clock, never by the applicant.
 */
const EFFECTIVE = '2027-01-01T00:00:00.000Z';
const BEFORE = '2026-12-20T09:00:00.000Z';
const AFTER = '2027-01-02T09:00:00.000Z';

function world() {
  let clock = '2026-12-01T09:00:00.000Z';
  const now = (): Date => new Date(clock);
  const register: FrameworkRegister = createFrameworkRegister({ eventStore: new MemoryStreams(), genesis: FRAMEWORK_1_0, now });
  const started: AccreditationWorkflowInput[] = [];
  const updates: AccreditationActionInput[] = [];
  const client = {
    workflow: {
      getHandle: () => ({
        executeUpdate: async (_update: unknown, options: { args: [AccreditationActionInput] }) => {
          updates.push(options.args[0]);
          return { state: { status: 'accredited' }, revision: 9, complianceRefusals: [] };
        },
      }),
      // No rejected applications: the cooling-off rule has nothing to find.
      list: async function* () {},
      start: async (_name: string, options: { args: [AccreditationWorkflowInput] }) => {
        started.push(options.args[0]);
        return { query: async () => ({ state: { status: 'submitted' }, revision: 0 }), describe: async () => ({ status: { name: 'RUNNING' } }) };
      },
    },
  } as unknown as Client;
  const config = loadConfig({});
  const csp = { state: foldCsp(cspHistory.withOffering), revision: 1 };
  const gateway = createTemporalAccreditationGateway(
    { client, config, frameworks: register, csps: { state: async () => csp as never }, eventStore: { readStream: async () => [] }, signing: testSigning() },
    { now },
  );
  const applicant = { ...actors.csp, organisationId: CSP_ID };
  const submit = (extra: { frameworkVersion?: string } = {}) =>
    gateway.submit(applicant, { offeringId: GOV_CLOUD.offeringId, requestedBaseline: 'baseline', evidence: EVIDENCE, ...extra }, `cmd-${started.length}`);
  const renew = (framework?: unknown) =>
    gateway.act('app-1', {
      type: 'Renew',
      actor: directorA,
      commandId: `renew-${updates.length}`,
      data: { reasons: 'Continued compliance', ...(framework ? { framework } : {}) } as AccreditationActionInput<'Renew'>['data'],
    });
  return { register, started, updates, submit, renew, at: (iso: string) => (clock = iso) };
}

describe('the framework an application is scored against', () => {
  it('is the old version before the new one’s effectiveFrom and the new one from then on', async () => {
    const w = world();
    await w.register.propose(directorA, { framework: nextFramework('1.1', EFFECTIVE), changes: 'Stronger keys' });
    await w.register.approve(directorB, '1.1');

    w.at(BEFORE);
    await w.submit();
    w.at(AFTER);
    await w.submit();

    expect(w.started.map((input) => [input.framework.version, input.submit?.data.frameworkVersion])).toEqual([
      ['1.0', '1.0'],
      ['1.1', '1.1'],
    ]);
  });

  it('stays the genesis version while a newer one is only proposed', async () => {
    const w = world();
    await w.register.propose(directorA, { framework: nextFramework('1.1', EFFECTIVE), changes: 'Stronger keys' });
    w.at(AFTER);
    await w.submit();
    expect(w.started[0]?.framework.version).toBe('1.0');
  });

  it('cannot be chosen by the applicant: naming an older version than the one in force is refused and nothing starts', async () => {
    const w = world();
    await w.register.propose(directorA, { framework: nextFramework('1.1', EFFECTIVE), changes: 'Stronger keys' });
    await w.register.approve(directorB, '1.1');
    w.at(AFTER);
    const refusal = await w.submit({ frameworkVersion: '1.0' }).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'ACCREDITATION_FRAMEWORK_MISMATCH', field: 'frameworkVersion' });
    expect(w.started).toEqual([]);
    await w.submit({ frameworkVersion: '1.1' });
    expect(w.started[0]?.framework.version).toBe('1.1');
  });

  it('is, for a renewal, the version in force at renewal, whatever framework the caller attached', async () => {
    const w = world();
    await w.register.propose(directorA, { framework: nextFramework('1.1', EFFECTIVE), changes: 'Stronger keys' });
    await w.register.approve(directorB, '1.1');
    w.at(BEFORE);
    await w.renew();
    w.at(AFTER);
    await w.renew(FRAMEWORK_1_0);
    const versions = w.updates.map((u) => (u as AccreditationActionInput<'Renew'>).data.framework?.version);
    expect(versions).toEqual(['1.0', '1.1']);
  });
});
