import { z } from 'zod';
import {
  ACCREDITATION_STATUSES,
  DEPLOYMENT_MODELS,
  HOSTING_RULES,
  NOC_FACT_DEVIATIONS,
  NOC_FACT_STATUSES,
  NOC_FACT_STATUSES_IN_FORCE,
  ProcurementAnswer,
  ProcurementInput,
  ProcurementQuery,
  REASON_CODES,
  AccreditationFacts,
  baselineMeets,
  dataClassCovers,
  hostingRuleFor,
  type AccreditationStatus,
  type DeploymentModel,
  type OfferingFacts,
  type ReasonCode,
} from '../../domain/procurement';
import { DEVIATION_KINDS } from '../../domain/noc/events';
import { NOC_IN_FORCE, NOC_STATUSES } from '../../domain/noc/state';
import { BASELINES, DATA_CLASSES, type Baseline, type DataClass } from '../../domain/shared/vocabulary';
import {
  IN_PAKISTAN,
  PARTLY_ABROAD,
  PSE,
  T,
  accreditation,
  ask,
  check,
  noc,
  codes,
  failedConditions,
  oneMsBefore,
  offering,
} from './procurement-fixtures';

const ABROAD = [{ city: 'Frankfurt', country: 'DE' }];

interface Case {
  says: string;
  dataClass: DataClass;
  on: OfferingFacts | undefined;
  at?: string;
  failed: ReasonCode[];
}

const publicCloud = (over: Partial<OfferingFacts> = {}) =>
  offering({ offeringId: 'off-pub', name: 'Global Public Cloud', deploymentModel: 'public', dataCentres: ABROAD, ...over });

const CASES: Case[] = [
  // open: a registered CSP is all it takes.
  { says: 'open data on a registered CSP public cloud abroad, never accredited', dataClass: 'open', on: publicCloud({ accreditation: undefined }), failed: [] },
  { says: 'open data on a registered CSP whose accreditation is suspended', dataClass: 'open', on: publicCloud({ accreditation: accreditation({ status: 'suspended' }) }), failed: [] },
  { says: 'open data on an unregistered CSP', dataClass: 'open', on: publicCloud({ cspRegistered: false, accreditation: undefined }), failed: ['CSP_NOT_REGISTERED'] },
  { says: 'open data on an offering the register does not know', dataClass: 'open', on: undefined, failed: ['UNKNOWN_OFFERING'] },
  // public: an accreditation in force covering public data; any deployment model, any location.
  { says: 'public data on an accredited public cloud abroad at the lowest baseline', dataClass: 'public', on: publicCloud({ accreditation: accreditation({ baseline: 'baseline', highestDataClass: 'public' }) }), failed: [] },
  { says: 'public data on a hybrid cloud accredited for restricted', dataClass: 'public', on: publicCloud({ deploymentModel: 'hybrid', accreditation: accreditation({ baseline: 'intermediate', highestDataClass: 'restricted' }) }), failed: [] },
  { says: 'public data on a never-accredited offering', dataClass: 'public', on: publicCloud({ accreditation: undefined }), failed: ['OFFERING_NOT_ACCREDITED'] },
  { says: 'public data on an offering accredited for open data only', dataClass: 'public', on: publicCloud({ accreditation: accreditation({ highestDataClass: 'open' }) }), failed: ['DATA_CLASS_ABOVE_ACCREDITED'] },
  { says: 'public data on an unregistered, unaccredited offering', dataClass: 'public', on: publicCloud({ cspRegistered: false, accreditation: undefined }), failed: ['CSP_NOT_REGISTERED', 'OFFERING_NOT_ACCREDITED'] },
  // restricted: government cloud, all in Pakistan, intermediate or higher.
  { says: 'restricted data on a government cloud in Pakistan at intermediate', dataClass: 'restricted', on: offering({ accreditation: accreditation({ baseline: 'intermediate', highestDataClass: 'restricted' }) }), failed: [] },
  { says: 'restricted data where the country codes are written in lower case', dataClass: 'restricted', on: offering({ dataCentres: [{ city: 'Lahore', country: 'pk' }] }), failed: [] },
  { says: 'restricted data at the lowest baseline', dataClass: 'restricted', on: offering({ accreditation: accreditation({ baseline: 'baseline' }) }), failed: ['BASELINE_TOO_LOW'] },
  { says: 'restricted data on a public cloud in Pakistan', dataClass: 'restricted', on: offering({ deploymentModel: 'public' }), failed: ['NOT_GOVERNMENT_CLOUD'] },
  { says: 'restricted data on a private cloud in Pakistan', dataClass: 'restricted', on: offering({ deploymentModel: 'private' }), failed: ['NOT_GOVERNMENT_CLOUD'] },
  { says: 'restricted data on a government cloud with one data centre abroad', dataClass: 'restricted', on: offering({ dataCentres: PARTLY_ABROAD }), failed: ['DATA_CENTRE_OUTSIDE_PAKISTAN'] },
  { says: 'restricted data on a government cloud that declares no data centre', dataClass: 'restricted', on: offering({ dataCentres: [] }), failed: ['NO_DATA_CENTRE_DECLARED'] },
  { says: 'restricted data on an offering accredited for public data only', dataClass: 'restricted', on: offering({ accreditation: accreditation({ highestDataClass: 'public' }) }), failed: ['DATA_CLASS_ABOVE_ACCREDITED'] },
  {
    says: 'restricted data on a hybrid cloud abroad, at the lowest baseline, accredited for public only',
    dataClass: 'restricted',
    on: offering({ deploymentModel: 'hybrid', dataCentres: ABROAD, accreditation: accreditation({ baseline: 'baseline', highestDataClass: 'public' }) }),
    failed: ['BASELINE_TOO_LOW', 'DATA_CENTRE_OUTSIDE_PAKISTAN', 'DATA_CLASS_ABOVE_ACCREDITED', 'NOT_GOVERNMENT_CLOUD'],
  },
  // confidential: enhanced or higher.
  { says: 'confidential data at intermediate', dataClass: 'confidential', on: offering({ accreditation: accreditation({ baseline: 'intermediate' }) }), failed: ['BASELINE_TOO_LOW'] },
  { says: 'confidential data at enhanced', dataClass: 'confidential', on: offering({ accreditation: accreditation({ baseline: 'enhanced', highestDataClass: 'confidential' }) }), failed: [] },
  { says: 'confidential data at highest, a higher baseline than needed', dataClass: 'confidential', on: offering(), failed: [] },
  // secret: highest only.
  { says: 'secret data at enhanced', dataClass: 'secret', on: offering({ accreditation: accreditation({ baseline: 'enhanced' }) }), failed: ['BASELINE_TOO_LOW'] },
  { says: 'secret data at highest on an offering accredited up to confidential', dataClass: 'secret', on: offering({ accreditation: accreditation({ highestDataClass: 'confidential' }) }), failed: ['DATA_CLASS_ABOVE_ACCREDITED'] },
  { says: 'secret data on a fully accredited government cloud in Pakistan', dataClass: 'secret', on: offering(), failed: [] },
  { says: 'secret data on a never-accredited government cloud', dataClass: 'secret', on: offering({ accreditation: undefined }), failed: ['OFFERING_NOT_ACCREDITED'] },
  // The accreditation's status and validity window.
  { says: 'restricted data on a suspended accreditation', dataClass: 'restricted', on: offering({ accreditation: accreditation({ status: 'suspended' }) }), failed: ['ACCREDITATION_SUSPENDED'] },
  { says: 'restricted data on a withdrawn accreditation', dataClass: 'restricted', on: offering({ accreditation: accreditation({ status: 'withdrawn' }) }), failed: ['ACCREDITATION_WITHDRAWN'] },
  { says: 'public data on an accreditation recorded as expired', dataClass: 'public', on: publicCloud({ accreditation: accreditation({ status: 'expired' }) }), failed: ['ACCREDITATION_EXPIRED_AT'] },
  { says: 'restricted data at exactly the accreditation validUntil', dataClass: 'restricted', on: offering(), at: T.accreditedUntil, failed: ['ACCREDITATION_EXPIRED_AT'] },
  { says: 'restricted data one millisecond before the accreditation validUntil', dataClass: 'restricted', on: offering(), at: oneMsBefore(T.accreditedUntil), failed: [] },
  { says: 'restricted data before the accreditation takes effect', dataClass: 'restricted', on: offering(), at: oneMsBefore(T.accreditedFrom), failed: ['ACCREDITATION_NOT_YET_VALID'] },
  { says: 'restricted data on a revoked accreditation without migration period', dataClass: 'restricted', on: offering({ accreditation: accreditation({ status: 'revoked' }) }), failed: ['ACCREDITATION_REVOKED'] },
  { says: 'restricted data on a revoked accreditation during its migration period', dataClass: 'restricted', on: offering({ accreditation: accreditation({ status: 'revoked', transitionUntil: T.transitionUntil }) }), failed: ['ACCREDITATION_REVOKED'] },
  { says: 'restricted data on a revoked accreditation at exactly the end of its migration period', dataClass: 'restricted', on: offering({ accreditation: accreditation({ status: 'revoked', transitionUntil: T.transitionUntil }) }), at: T.transitionUntil, failed: ['ACCREDITATION_REVOKED'] },
  { says: 'restricted data on a withdrawn accreditation during its migration period', dataClass: 'restricted', on: offering({ accreditation: accreditation({ status: 'withdrawn', transitionUntil: T.transitionUntil }) }), failed: ['ACCREDITATION_WITHDRAWN'] },
  { says: 'public data on an expired accreditation during its migration period', dataClass: 'public', on: publicCloud({ accreditation: accreditation({ status: 'expired', transitionUntil: T.transitionUntil }) }), failed: ['ACCREDITATION_EXPIRED_AT'] },
  {
    says: 'restricted data on a suspended, too-weak accreditation of a cloud partly abroad',
    dataClass: 'restricted',
    on: offering({ dataCentres: PARTLY_ABROAD, accreditation: accreditation({ status: 'suspended', baseline: 'baseline' }) }),
    failed: ['ACCREDITATION_SUSPENDED', 'BASELINE_TOO_LOW', 'DATA_CENTRE_OUTSIDE_PAKISTAN'],
  },
  {
    says: 'secret data on an expired, unregistered public cloud abroad',
    dataClass: 'secret',
    on: publicCloud({ cspRegistered: false, accreditation: accreditation({ status: 'expired', baseline: 'enhanced', highestDataClass: 'confidential' }) }),
    failed: ['ACCREDITATION_EXPIRED_AT', 'BASELINE_TOO_LOW', 'CSP_NOT_REGISTERED', 'DATA_CENTRE_OUTSIDE_PAKISTAN', 'DATA_CLASS_ABOVE_ACCREDITED', 'NOT_GOVERNMENT_CLOUD'],
  },
];

describe('the hosting rules, case by case', () => {
  it.each(CASES.map((c) => [c.says, c] as const))('%s', (_says, c) => {
    const answer = check(ask(c.dataClass, c.on), c.at ?? T.now);
    expect(answer.decision).toBe(c.failed.length === 0 ? 'allowed' : 'denied');
    expect(failedConditions(answer)).toEqual([...c.failed].sort());
    expect(answer.rule).toEqual(HOSTING_RULES[c.dataClass]);
    expect(answer.reasons[0]?.code).toBe(c.failed.length === 0 ? 'HOSTING_RULE_MET' : 'HOSTING_RULE_NOT_MET');
  });
});

describe('explaining an answer', () => {
  it('says for an allowed answer which rule was met and every condition that holds', () => {
    const answer = check(ask('restricted', offering({ accreditation: accreditation({ baseline: 'enhanced', conditions: ['Quarterly pen tests'] }) })));
    expect(answer).toMatchObject({
      decision: 'allowed',
      query: { pseId: PSE.pseId, offeringId: 'off-gov', dataClass: 'restricted' },
      evaluatedAt: T.now,
    });
    expect(answer.noc).toBeUndefined();
    expect(codes(answer)).toEqual([
      'HOSTING_RULE_MET',
      'CSP_REGISTERED',
      'ACCREDITATION_IN_FORCE',
      'ACCREDITED_FOR_DATA_CLASS',
      'BASELINE_MET',
      'ACCREDITATION_CONDITIONS',
      'GOVERNMENT_CLOUD',
      'DATA_CENTRES_IN_PAKISTAN',
    ]);
    expect(answer.reasons[0]?.message).toContain('cloud-first-2022/hosting-1/restricted');
    expect(answer.reasons.find((r) => r.code === 'BASELINE_MET')?.message).toBe(
      'National Government Cloud (off-gov) holds baseline enhanced; restricted data needs intermediate or higher',
    );
    expect(answer.reasons.find((r) => r.code === 'ACCREDITATION_CONDITIONS')?.message).toContain('Quarterly pen tests');
  });

  it('names each data centre abroad with its country', () => {
    const answer = check(ask('confidential', offering({ dataCentres: [...PARTLY_ABROAD, { city: 'Frankfurt', country: 'de' }] })));
    expect(answer.reasons.find((r) => r.code === 'DATA_CENTRE_OUTSIDE_PAKISTAN')?.message).toBe(
      'National Government Cloud (off-gov) has data centres outside Pakistan: Dubai (AE), Frankfurt (DE); confidential data must stay in Pakistan',
    );
  });

  it('refuses anything new on a revoked offering during its migration period, and says until when workloads already on it may stay', () => {
    const revoked = offering({ accreditation: accreditation({ status: 'revoked', transitionUntil: T.transitionUntil }) });
    const answer = check(ask('secret', revoked));
    expect(answer.decision).toBe('denied');
    expect(answer.reasons.find((r) => r.code === 'ACCREDITATION_REVOKED')?.message).toBe(
      `The accreditation of National Government Cloud (off-gov) was revoked; nothing new may be procured on it, and workloads already on it must leave by ${T.transitionUntil}`,
    );
    expect(codes(answer)).not.toContain('ACCREDITATION_IN_TRANSITION');
  });

  it('says a migration period is over once its end has come', () => {
    const revoked = offering({ accreditation: accreditation({ status: 'revoked', transitionUntil: T.transitionUntil }) });
    const answer = check(ask('restricted', revoked), T.transitionUntil);
    expect(answer.reasons.find((r) => r.code === 'ACCREDITATION_REVOKED')?.message).toBe(
      `The accreditation of National Government Cloud (off-gov) was revoked; its migration period ended at ${T.transitionUntil}`,
    );
  });

  it('tells that a suspension stops new procurements while existing workloads continue', () => {
    const answer = check(ask('restricted', offering({ accreditation: accreditation({ status: 'suspended' }) })));
    expect(answer.decision).toBe('denied');
    expect(answer.reasons.find((r) => r.code === 'ACCREDITATION_SUSPENDED')?.message).toContain('workloads already on it continue');
  });

  it('allows a new procurement on a revoked offering only under a NOC in force for it', () => {
    const revoked = offering({ accreditation: accreditation({ status: 'revoked', transitionUntil: T.transitionUntil }) });
    const answer = check(ask('restricted', revoked, { nocs: [noc()] }));
    expect(answer).toMatchObject({ decision: 'allowed-by-noc', noc: { nocId: 'noc-1', validUntil: T.nocUntil } });
  });

  it('says when an accreditation expired, and that it stops counting at exactly that instant', () => {
    const answer = check(ask('public', publicCloud()), T.accreditedUntil);
    expect(answer.reasons.find((r) => r.code === 'ACCREDITATION_EXPIRED_AT')?.message).toBe(
      `The accreditation of Global Public Cloud (off-pub) expired at ${T.accreditedUntil}`,
    );
  });

  it('explains an unknown offering by the id asked about', () => {
    const answer = check(ask('public', undefined, { offeringId: 'off-nowhere' }));
    expect(answer.reasons.map((r) => [r.code, r.message])).toContainEqual(['UNKNOWN_OFFERING', 'Offering off-nowhere is not on the register of offerings']);
  });

  it('reports the instant it answered for in canonical UTC form', () => {
    expect(check(ask('open', publicCloud()), '2025-06-01T05:00:00+05:00').evaluatedAt).toBe('2025-06-01T00:00:00.000Z');
  });

  it('gives every reason the outcome its code stands for', () => {
    for (const c of CASES) {
      for (const r of check(ask(c.dataClass, c.on), c.at ?? T.now).reasons) {
        expect(r.outcome).toBe(REASON_CODES[r.code]);
      }
    }
  });
});

/**
 * Every combination of data class × deployment model × location × baseline × status, against the
 * policy restated in the plainest terms.
 */
describe('the whole matrix of data class, deployment model, location, baseline and status', () => {
  const LOCATIONS = { 'in Pakistan': IN_PAKISTAN, 'partly abroad': PARTLY_ABROAD, undeclared: [] } as const;
  const MIN_BASELINE: Partial<Record<DataClass, Baseline>> = { restricted: 'intermediate', confidential: 'enhanced', secret: 'highest' };
  const STATUS_FAILURE: Record<AccreditationStatus, ReasonCode | undefined> = {
    accredited: undefined,
    suspended: 'ACCREDITATION_SUSPENDED',
    revoked: 'ACCREDITATION_REVOKED',
    expired: 'ACCREDITATION_EXPIRED_AT',
    withdrawn: 'ACCREDITATION_WITHDRAWN',
  };

  function expectedFailures(dataClass: DataClass, model: DeploymentModel, where: keyof typeof LOCATIONS, baseline: Baseline, status: AccreditationStatus): ReasonCode[] {
    if (dataClass === 'open') return [];
    const failures: (ReasonCode | undefined)[] = [STATUS_FAILURE[status]];
    const min = MIN_BASELINE[dataClass];
    if (min !== undefined) {
      if (BASELINES.indexOf(baseline) < BASELINES.indexOf(min)) failures.push('BASELINE_TOO_LOW');
      if (model !== 'government') failures.push('NOT_GOVERNMENT_CLOUD');
      if (where === 'partly abroad') failures.push('DATA_CENTRE_OUTSIDE_PAKISTAN');
      if (where === 'undeclared') failures.push('NO_DATA_CENTRE_DECLARED');
    }
    return failures.filter((f): f is ReasonCode => f !== undefined).sort();
  }

  const matrix = DATA_CLASSES.flatMap((dataClass) =>
    DEPLOYMENT_MODELS.flatMap((model) =>
      (Object.keys(LOCATIONS) as (keyof typeof LOCATIONS)[]).flatMap((where) =>
        BASELINES.flatMap((baseline) => ACCREDITATION_STATUSES.map((status) => ({ dataClass, model, where, baseline, status }))),
      ),
    ),
  );

  it('covers all 1200 combinations, each answered exactly as the policy says', () => {
    expect(matrix).toHaveLength(5 * 4 * 3 * 4 * 5);
    for (const { dataClass, model, where, baseline, status } of matrix) {
      const on = offering({ deploymentModel: model, dataCentres: [...LOCATIONS[where]], accreditation: accreditation({ baseline, status }) });
      const answer = check(ask(dataClass, on));
      const expected = expectedFailures(dataClass, model, where, baseline, status);
      expect({ dataClass, model, where, baseline, status, failed: failedConditions(answer) }).toEqual({ dataClass, model, where, baseline, status, failed: expected });
      expect(answer.decision).toBe(expected.length === 0 ? 'allowed' : 'denied');
    }
  });

  it('never allows a class when a less sensitive one is denied on the same offering', () => {
    for (const { model, where, baseline, status } of matrix.filter((m) => m.dataClass === 'open')) {
      const on = offering({ deploymentModel: model, dataCentres: [...LOCATIONS[where]], accreditation: accreditation({ baseline, status }) });
      const allowed = DATA_CLASSES.map((d) => check(ask(d, on)).decision === 'allowed');
      allowed.forEach((ok, i) => {
        if (ok) expect(allowed.slice(0, i).every(Boolean)).toBe(true);
      });
    }
  });
});

describe('the hosting rules as data', () => {
  it('requires baselines intermediate, enhanced and highest for restricted, confidential and secret', () => {
    expect(DATA_CLASSES.map((d) => hostingRuleFor(d).minimumBaseline)).toEqual([null, null, 'intermediate', 'enhanced', 'highest']);
  });

  it('requires an accredited government cloud in Pakistan from restricted upwards only', () => {
    expect(DATA_CLASSES.map((d) => [hostingRuleFor(d).requiresAccreditation, hostingRuleFor(d).requiresGovernmentCloud, hostingRuleFor(d).dataCentresOnlyIn])).toEqual([
      [false, false, null],
      [true, false, null],
      [true, true, 'PK'],
      [true, true, 'PK'],
      [true, true, 'PK'],
    ]);
  });

  it('lets a higher baseline satisfy a lower requirement, never the reverse', () => {
    expect(baselineMeets('highest', 'intermediate')).toBe(true);
    expect(baselineMeets('enhanced', 'enhanced')).toBe(true);
    expect(baselineMeets('intermediate', 'enhanced')).toBe(false);
  });

  it('lets a more sensitive data class cover a less sensitive one, never the reverse', () => {
    expect(dataClassCovers('secret', 'restricted')).toBe(true);
    expect(dataClassCovers('public', 'public')).toBe(true);
    expect(dataClassCovers('public', 'restricted')).toBe(false);
  });
});

describe('the input schemas', () => {
  it('keeps its NOC statuses, in-force statuses and deviation kinds equal to the NOC decider', () => {
    expect([...NOC_FACT_STATUSES]).toEqual([...NOC_STATUSES]);
    expect([...NOC_FACT_STATUSES_IN_FORCE]).toEqual([...NOC_IN_FORCE]);
    expect([...NOC_FACT_DEVIATIONS]).toEqual([...DEVIATION_KINDS]);
  });

  it('accepts a full input as the check receives it', () => {
    const input = ask('restricted', offering());
    expect(ProcurementInput.parse(input)).toEqual(input);
  });

  it('refuses an offering whose id differs from the one asked about, naming the field', () => {
    const parsed = ProcurementInput.safeParse({ ...ask('public', offering()), offeringId: 'off-other' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['offering.offeringId']);
  });

  it('refuses an accreditation that ends before it begins', () => {
    const parsed = AccreditationFacts.safeParse(accreditation({ validFrom: T.accreditedUntil, validUntil: T.accreditedFrom }));
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['validUntil', 'must be after validFrom']]);
  });

  it('refuses a data centre country that is not a two-letter code', () => {
    const parsed = ProcurementInput.safeParse(ask('public', offering({ dataCentres: [{ city: 'Karachi', country: 'Pakistan' }] })));
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['offering.dataCentres.0.country', 'must be a two-letter country code']]);
  });
});

describe('the procurement query', () => {
  it('parses ?pse=&offering=&dataClass=&at=', () => {
    expect(ProcurementQuery.parse({ pse: 'pse-moitt', offering: 'off-gov', dataClass: 'secret', at: '2025-06-01T00:00:00Z' })).toEqual({
      pse: 'pse-moitt',
      offering: 'off-gov',
      dataClass: 'secret',
      at: '2025-06-01T00:00:00Z',
    });
  });

  it('leaves at optional, for the edge to fill in with now', () => {
    expect(ProcurementQuery.parse({ pse: 'pse-moitt', offering: 'off-gov', dataClass: 'open' }).at).toBeUndefined();
  });

  it.each([
    [{ offering: 'off-gov', dataClass: 'open' }, 'pse', 'is required: the id of the public service entity'],
    [{ pse: 'pse-moitt', offering: '', dataClass: 'open' }, 'offering', 'must not be empty: give the id of the offering'],
    [{ pse: 'pse moitt', offering: 'off-gov', dataClass: 'open' }, 'pse', 'must be letters, digits, dots, colons, dashes or underscores'],
    [{ pse: 'pse-moitt', offering: 'off-gov' }, 'dataClass', 'is required: one of open, public, restricted, confidential, secret'],
    [{ pse: 'pse-moitt', offering: 'off-gov', dataClass: 'top-secret' }, 'dataClass', 'must be one of open, public, restricted, confidential, secret'],
    [{ pse: 'pse-moitt', offering: 'off-gov', dataClass: 'open', at: 'yesterday' }, 'at', 'must be an ISO-8601 instant, e.g. 2025-06-01T00:00:00Z'],
  ])('refuses %j naming the field %s', (query, field, message) => {
    const parsed = ProcurementQuery.safeParse(query);
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([[field, message]]);
  });
});

describe('the schemas as JSON Schema, for the OpenAPI document', () => {
  it('describes the query, the input and the answer with their fields', () => {
    const props = (schema: z.ZodType, io: 'input' | 'output') => Object.keys((z.toJSONSchema(schema, { io }) as { properties: object }).properties);
    expect(props(ProcurementQuery, 'input')).toEqual(['pse', 'offering', 'dataClass', 'at']);
    expect(props(ProcurementInput, 'input')).toEqual(['pse', 'dataClass', 'offeringId', 'offering', 'nocs']);
    expect(props(ProcurementAnswer, 'output')).toEqual(['decision', 'query', 'rule', 'reasons', 'noc', 'evaluatedAt']);
  });
});
