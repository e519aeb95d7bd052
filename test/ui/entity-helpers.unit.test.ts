import { chooseOffering, searchOfferings } from '../../ui/routes/entity/offerings';
import { nocDeadlines } from '../../ui/routes/entity/nocs';
import { daysFrom } from '../../ui/routes/entity/scope';
import { OFFERING } from './entity-world';

const STRATUS = { ...OFFERING, offeringId: 'off-stratus', offeringName: 'Stratus Storage', cspId: 'csp-stratus', cspName: 'Stratus Pakistan' };
const TWIN = { ...OFFERING, offeringId: 'off-gov-2', cspId: 'csp-other', cspName: 'Other Cloud' };
const NOW = '2026-12-06T08:00:00.000Z';

describe('choosing an offering from the accredited list', () => {
  it('finds offerings by every word typed, in the offering or the provider name, whatever the case', () => {
    expect(searchOfferings([OFFERING, STRATUS], 'nimbus GOV').map((r) => r.offeringId)).toEqual(['off-gov']);
    expect(searchOfferings([OFFERING, STRATUS], 'pakistan').map((r) => r.offeringId)).toEqual(['off-stratus']);
    expect(searchOfferings([OFFERING, STRATUS], 'nimbus stratus')).toEqual([]);
  });

  it('takes an id on the list, or a name only one offering has, and names the field otherwise', () => {
    expect(chooseOffering([OFFERING, STRATUS], ' off-stratus ', 'Offering')).toEqual({ ok: true, offeringId: 'off-stratus' });
    expect(chooseOffering([OFFERING, STRATUS], 'stratus storage', 'Offering')).toEqual({ ok: true, offeringId: 'off-stratus' });
    expect(chooseOffering([OFFERING, TWIN], 'Nimbus Government Cloud', 'Offering')).toEqual({ ok: false, message: expect.stringMatching(/^Offering: several offerings are called/) });
    expect(chooseOffering([OFFERING], 'off-none', 'Offering')).toEqual({ ok: false, message: expect.stringMatching(/^Offering: "off-none" is not an offering on the accredited list/) });
    expect(chooseOffering([OFFERING], '', 'Offering')).toEqual({ ok: false, message: 'Offering: choose an offering from the accredited list' });
  });
});

describe("a NOC's deadlines as the entity reads them", () => {
  it('counts whole days either way', () => {
    expect(daysFrom(NOW, '2026-12-09T09:00:00.000Z')).toBe('in 3 days');
    expect(daysFrom(NOW, '2026-12-06T20:00:00.000Z')).toBe('within a day');
    expect(daysFrom(NOW, '2026-12-06T07:00:00.000Z')).toBe('less than a day ago');
    expect(daysFrom(NOW, '2026-12-04T07:00:00.000Z')).toBe('2 days ago');
  });

  it('names the answer owed while information is requested, and the expiry and a pending extension while in force', () => {
    const text = (d: ReturnType<typeof nocDeadlines>) => d.map((h) => h.value.replace(/<[^>]+>/g, ''));
    expect(text(nocDeadlines({ status: 'awaiting-pse', informationDueBy: '2026-12-20T08:00:00.000Z' }, NOW))).toEqual([
      'Information requested: answer by 2026-12-20 08:00 UTC (in 14 days)',
    ]);
    expect(text(nocDeadlines({ status: 'extension-requested', validUntil: '2027-01-05T08:00:00.000Z', pendingExtensionMonths: 3 }, NOW))).toEqual([
      'Expires in 30 days, at 2027-01-05 08:00 UTC',
      'Extension of 3 months awaits a decision',
    ]);
    expect(nocDeadlines({ status: 'rejected', validUntil: '2027-01-05T08:00:00.000Z' }, NOW)).toEqual([]);
  });
});
