import { crashPointsFrom } from '../../worker/crash-points';

describe('CRASH_AT, the crash tests’ fault injection', () => {
  it('is inert when unset or empty, so a worker without it never kills itself', () => {
    expect(crashPointsFrom(undefined)).toBeUndefined();
    expect(crashPointsFrom('  ')).toBeUndefined();
  });

  it('kills at a listed point with probability 1 and never at an unlisted one or with probability 0', () => {
    const killed: string[] = [];
    const points = crashPointsFrom('before-append:1,after-append:0', (point) => killed.push(point));
    expect(points?.armed).toEqual({ 'before-append': 1, 'after-append': 0 });
    for (let i = 0; i < 20; i++) {
      points?.maybeCrash('before-append');
      points?.maybeCrash('after-append');
      points?.maybeCrash('continue-as-new');
    }
    expect(killed).toEqual(Array.from({ length: 20 }, () => 'before-append'));
  });

  it('refuses an unknown point or a probability outside 0..1, naming the entry', () => {
    expect(() => crashPointsFrom('during-lunch:0.5')).toThrow('Invalid CRASH_AT entry "during-lunch:0.5"');
    expect(() => crashPointsFrom('before-append:2')).toThrow('Invalid CRASH_AT entry "before-append:2"');
    expect(() => crashPointsFrom('before-append')).toThrow('Invalid CRASH_AT entry "before-append"');
  });
});
