import { evidenceFileLinks, withFileEvidence } from '../../ui/evidence-files';

const file = { sha256: 'ab'.repeat(32), filename: 'soc2 <report>.pdf', size: 2_500_000, contentType: 'application/pdf' };

describe('evidence files in the pages', () => {
  it('adds each file sent with an answer as its own evidence of kind other, after the evidence typed', () => {
    const answer = { answer: 'See the report', evidence: [{ kind: 'iso-27001', reference: 'IS 1' }] };
    expect(withFileEvidence(answer, [file])).toEqual({
      answer: 'See the report',
      evidence: [{ kind: 'iso-27001', reference: 'IS 1' }, { kind: 'other', reference: 'soc2 <report>.pdf', files: [file] }],
    });
  });

  it('links each file to its download with its size and the start of its hash, escaping the name', () => {
    const markup = evidenceFileLinks([file]).value;
    expect(markup).toContain(`<a href="/ui/evidence/${file.sha256}" download>soc2 &lt;report&gt;.pdf</a>`);
    expect(markup).toContain('2.4 MB');
    expect(markup).toContain(`<code title="${file.sha256}">${file.sha256.slice(0, 12)}…</code>`);
    expect(evidenceFileLinks(undefined).value).toBe('');
  });
});
