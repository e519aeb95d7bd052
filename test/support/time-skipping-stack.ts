import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTemporalAccreditationGateway } from '../../api/accreditation-gateway';
import type { ApiDeps } from '../../api/deps';
import { testSigning } from './command-keys';

/**
 * A stack on Temporal's time-skipping test server, which has no visibility store: listing workflows
 * fails there. The only listing the API does is the accreditation gateway's cooling-off look-up of an
 * offering's rejected applications; over this client it sees an empty list, which is the truth in a
 * test where nothing was rejected.
 */
export function withoutVisibility(client: Client): Client {
  const bind = <T extends object>(target: T, prop: string | symbol): unknown => {
    const value: unknown = Reflect.get(target, prop, target);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  };
  const workflow = new Proxy(client.workflow, {
    get: (target, prop) => (prop === 'list' ? () => (async function* () {})() : bind(target, prop)),
  });
  return new Proxy(client, { get: (target, prop) => (prop === 'workflow' ? workflow : bind(target, prop)) });
}

/** startStack's `apiDeps` for the time-skipping server: the accreditation gateway over a client without listing. */
export function timeSkippingApiDeps(deps: ApiDeps, env: TestWorkflowEnvironment): ApiDeps {
  return {
    ...deps,
    accreditationGateway: createTemporalAccreditationGateway({
      client: withoutVisibility(env.client),
      config: deps.config,
      frameworks: deps.frameworkRegister as NonNullable<ApiDeps['frameworkRegister']>,
      csps: deps.cspGateway as NonNullable<ApiDeps['cspGateway']>,
      eventStore: deps.eventStore,
      signing: testSigning(),
    }),
  };
}
