import { html, escapeHtml, trusted } from '../../ui/html';
import { csvCell } from '../../ui/routes/register';
import { parseAction, ACTION_FORMS, availableActions } from '../../ui/case-actions';
import { DEFAULT_NOC_POLICY, type NocState } from '../../domain/noc';
import { director, pse, reviewer } from '../support/actors';

describe('the html template', () => {
  it('escapes interpolated text, including quotes in attributes', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
  });

  it('nests markup made by the template without escaping it twice, and renders lists and absent values', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
    expect(html`${trusted('<br>')}`.value).toBe('<br>');
    expect(escapeHtml('"&')).toBe('&quot;&amp;');
  });
});

describe('the register CSV', () => {
  it('quotes cells with commas, quotes or line breaks, and defuses spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });
});

describe('case actions', () => {
  const requested: NocState = {
    status: 'requested',
    request: {
      nocId: 'NOC-1',
      pseId: 'pse-moitt',
      jurisdiction: 'federal',
      deviation: 'other',
      description: 'd',
      justification: 'j',
      dataClass: 'restricted',
      systems: ['s'],
      requestedMonths: 6,
    },
    requestedBy: 'u-pse',
    requestedAt: '2026-11-01T00:00:00.000Z',
    conditions: [],
    extensionsGranted: 0,
    remindersSent: [],
  };
  const now = '2026-11-02T00:00:00.000Z';
  const commands = (state: NocState, actor: Parameters<typeof availableActions>[1]) =>
    availableActions(state, actor, DEFAULT_NOC_POLICY, now).map((f) => f.command);

  it('offers exactly what the decider would accept from this person in this state', () => {
    expect(commands(requested, reviewer)).toEqual(['StartReview']);
    expect(commands(requested, director)).toEqual([]);
    expect(commands(requested, pse())).toEqual(['Withdraw']);
    expect(commands(requested, pse('pse-other'))).toEqual([]);
    const reviewing: NocState = { ...requested, status: 'under-review', reviewerId: reviewer.userId, reviewerName: reviewer.name };
    expect(commands(reviewing, reviewer)).toEqual(['RequestInformation', 'Recommend']);
    const awaiting: NocState = {
      ...reviewing,
      status: 'awaiting-decision',
      recommendation: { recommendation: 'approve', reasons: 'r', conditions: [], by: director.userId, byName: director.name },
    };
    // Four eyes: the director who recommended may not decide.
    expect(commands(awaiting, director)).toEqual([]);
  });

  it('turns form fields into the payload and names each missing or wrong field', () => {
    const decide = ACTION_FORMS.find((f) => f.command === 'Decide');
    if (!decide) throw new Error('no Decide form');
    expect(parseAction(decide, { decision: 'approve', reasons: ' ok ', conditions: 'one\n\n two ', validUntil: '2027-01-31' })).toEqual({
      ok: true,
      data: { decision: 'approve', reasons: 'ok', conditions: ['one', 'two'], validUntil: '2027-01-31T00:00:00.000Z' },
    });
    expect(parseAction(decide, { reasons: '', validUntil: '31/01/2027' })).toEqual({
      ok: false,
      errors: { decision: 'Choose the decision', reasons: 'Enter the reasons', validUntil: 'Valid until: enter a date as YYYY-MM-DD' },
    });
  });
});
