import { openVerificationProgress, type VerifiedMark } from '../../eventstore/integrity/verification-progress';

const hash = (c: string) => c.repeat(64);
const mark = (sequence: number): VerifiedMark => ({
  version: 2,
  sequence,
  entryHash: hash('a'),
  logPosition: `${sequence * 10}/${sequence * 10}`,
  frontier: [{ size: 1, hash: hash('b') }],
  verifiedAt: '2026-12-07T10:00:00.000Z',
});

describe('the verification progress record', () => {
  let progress: ReturnType<typeof openVerificationProgress>;
  beforeEach(() => {
    progress = openVerificationProgress(':memory:');
  });
  afterEach(() => progress.close());

  it('keeps, beside the newest mark, each stream’s signed head and whether it kept signed commands', () => {
    progress.record(mark(1), { from: 'start', heads: [['noc-A', { revision: 2, hash: hash('1') }]], signedStreams: ['noc-A'] });
    progress.record(mark(3), { from: 1, heads: [['noc-B', { revision: 0, hash: hash('2') }]], signedStreams: [] });
    expect(progress.last()).toEqual(mark(3));
    expect(progress.head('noc-A')).toEqual({ revision: 2, hash: hash('1') });
    expect(progress.head('noc-B')).toEqual({ revision: 0, hash: hash('2') });
    expect(progress.head('noc-C')).toBeUndefined();
    expect([progress.keepsSignedCommands('noc-A'), progress.keepsSignedCommands('noc-B')]).toEqual([true, false]);
  });

  it('leaves the record as it is when a run finishes after another recorded a later mark, or after the mark it went on from was replaced', () => {
    progress.record(mark(1), { from: 'start', heads: [['noc-A', { revision: 2, hash: hash('1') }]], signedStreams: [] });
    progress.record(mark(5), { from: 1, heads: [['noc-A', { revision: 6, hash: hash('5') }]], signedStreams: [] });
    progress.record(mark(4), { from: 1, heads: [['noc-A', { revision: 4, hash: hash('4') }]], signedStreams: ['noc-A'] });
    expect(progress.last()).toEqual(mark(5));
    expect(progress.head('noc-A')).toEqual({ revision: 6, hash: hash('5') });
    expect(progress.keepsSignedCommands('noc-A')).toBe(false);

    // A run from the start (after a restore to an older history, say) replaces everything, rows included.
    progress.record(mark(2), { from: 'start', heads: [['noc-B', { revision: 1, hash: hash('3') }]], signedStreams: [] });
    expect(progress.last()).toEqual(mark(2));
    expect(progress.head('noc-A')).toBeUndefined();
    // A run that went on from mark 5 no longer finds its rows: it records nothing.
    progress.record(mark(7), { from: 5, heads: [['noc-A', { revision: 8, hash: hash('7') }]], signedStreams: [] });
    expect(progress.last()).toEqual(mark(2));
    expect(progress.head('noc-A')).toBeUndefined();
  });

  it('takes a mark of the first version, which kept no heads, for none', () => {
    const { version: _version, ...older } = mark(3);
    progress.record({ ...older, signedStreams: [] } as unknown as VerifiedMark, { from: 'start', heads: [], signedStreams: [] });
    expect(progress.last()).toBeUndefined();
    expect(progress.whyNoMark()).toBe('the mark recorded at checkpoint 3 is of an earlier version (1), without the stream heads a run going on from it needs');
  });

  it('says when no mark is recorded at all', () => {
    expect(progress.whyNoMark()).toBe('no verified checkpoint is recorded yet');
  });
});
