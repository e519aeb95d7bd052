import { allCriteria, diffFrameworks, foldFrameworkRegister, frameworkInForce } from '../../domain/framework';
import { FRAMEWORK_1_0 } from './framework-fixtures';
import { NOW, approved, ctxAt, directorA, directorB, given, nextFramework, proposed, reviewer } from './framework-fixtures-register';

const V1_1 = nextFramework('1.1', '2026-03-01T00:00:00.000Z');
const V1_2 = nextFramework('1.2', '2026-06-01T00:00:00.000Z');

describe('proposing a framework version', () => {
  it('records the whole document, its effectiveFrom and what changed, by the proposing director', () => {
    given([])
      .when({ type: 'ProposeVersion', actor: directorA, data: { framework: V1_1, changes: 'Stronger keys' } }, ctxAt())
      .then([proposed(V1_1)]);
  });

  it('is a director’s decision only', () => {
    given([]).when({ type: 'ProposeVersion', actor: reviewer, data: { framework: V1_1, changes: 'x' } }, ctxAt()).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses a version number that already exists, including the built-in genesis version', () => {
    given([proposed(V1_1)])
      .when({ type: 'ProposeVersion', actor: directorB, data: { framework: V1_1, changes: 'again' } }, ctxAt())
      .thenRefuses('FRAMEWORK_VERSION_EXISTS', 'framework.version');
    given([])
      .when({ type: 'ProposeVersion', actor: directorA, data: { framework: nextFramework('1.0', '2026-03-01T00:00:00.000Z'), changes: 'x' } }, ctxAt())
      .thenRefuses('FRAMEWORK_VERSION_EXISTS', 'framework.version');
  });

  it('refuses a version numbered before the latest published one', () => {
    given([proposed(V1_2), approved(V1_2)])
      .when({ type: 'ProposeVersion', actor: directorA, data: { framework: V1_1, changes: 'late' } }, ctxAt())
      .thenRefuses('FRAMEWORK_VERSION_NOT_NEWER', 'framework.version');
  });

  it('refuses an effectiveFrom that is not in the future', () => {
    given([])
      .when({ type: 'ProposeVersion', actor: directorA, data: { framework: nextFramework('1.1', NOW), changes: 'x' } }, ctxAt())
      .thenRefuses('FRAMEWORK_EFFECTIVE_FROM_INVALID', 'framework.effectiveFrom');
  });

  it('refuses an effectiveFrom before the latest published version’s', () => {
    given([proposed(V1_2), approved(V1_2)])
      .when({ type: 'ProposeVersion', actor: directorA, data: { framework: nextFramework('1.3', '2026-04-01T00:00:00.000Z'), changes: 'x' } }, ctxAt())
      .thenRefuses('FRAMEWORK_EFFECTIVE_FROM_INVALID', 'framework.effectiveFrom');
  });
});

describe('approving or rejecting a proposed version (four eyes)', () => {
  it('approves when another director approves before effectiveFrom', () => {
    const { state } = given([proposed(V1_1)]).when({ type: 'ApproveVersion', actor: directorB, data: { version: '1.1' } }, ctxAt()).then([approved(V1_1)]);
    expect(state.versions[0]?.status).toBe('approved');
  });

  it('refuses the proposer approving or rejecting their own proposal', () => {
    given([proposed(V1_1)]).when({ type: 'ApproveVersion', actor: directorA, data: { version: '1.1' } }, ctxAt()).thenRefuses('FRAMEWORK_SELF_APPROVAL');
    given([proposed(V1_1)])
      .when({ type: 'RejectVersion', actor: directorA, data: { version: '1.1', reasons: 'mine' } }, ctxAt())
      .thenRefuses('FRAMEWORK_SELF_APPROVAL');
  });

  it('refuses an approval once effectiveFrom has passed: the version would take effect in the past', () => {
    given([proposed(V1_1)])
      .when({ type: 'ApproveVersion', actor: directorB, data: { version: '1.1' } }, ctxAt('2026-03-01T00:00:00.000Z'))
      .thenRefuses('FRAMEWORK_EFFECTIVE_FROM_INVALID');
  });

  it('refuses approving an older proposal after a newer version was approved', () => {
    given([proposed(V1_1), proposed(V1_2), approved(V1_2)])
      .when({ type: 'ApproveVersion', actor: directorB, data: { version: '1.1' } }, ctxAt())
      .thenRefuses('FRAMEWORK_VERSION_NOT_NEWER');
  });

  it('records a rejection by another director, after which the version takes no approval', () => {
    const rejected = { type: 'FrameworkVersionRejected' as const, data: { version: '1.1', reasons: 'Too soon', rejectedBy: directorB.userId } };
    given([proposed(V1_1)]).when({ type: 'RejectVersion', actor: directorB, data: { version: '1.1', reasons: 'Too soon' } }, ctxAt()).then([rejected]);
    given([proposed(V1_1), rejected])
      .when({ type: 'ApproveVersion', actor: directorB, data: { version: '1.1' } }, ctxAt())
      .thenRefuses('FRAMEWORK_WRONG_STATE');
  });

  it('refuses a version that was never proposed', () => {
    given([]).when({ type: 'ApproveVersion', actor: directorB, data: { version: '9.9' } }, ctxAt()).thenRefuses('NOT_FOUND', 'version');
  });
});

describe('the version in force', () => {
  const register = foldFrameworkRegister([proposed(V1_1), approved(V1_1), proposed(V1_2)]);

  it('is the genesis version before any approved version takes effect', () => {
    expect(frameworkInForce(register, FRAMEWORK_1_0, '2026-02-28T23:59:59.999Z').version).toBe('1.0');
  });

  it('is the approved version from its effectiveFrom on', () => {
    expect(frameworkInForce(register, FRAMEWORK_1_0, '2026-03-01T00:00:00.000Z').version).toBe('1.1');
  });

  it('ignores a version that is only proposed, even after its effectiveFrom', () => {
    expect(frameworkInForce(register, FRAMEWORK_1_0, '2026-07-01T00:00:00.000Z').version).toBe('1.1');
  });

  it('is the approved version with the latest effectiveFrom not after the instant', () => {
    const both = foldFrameworkRegister([proposed(V1_1), approved(V1_1), proposed(V1_2), approved(V1_2)]);
    expect(frameworkInForce(both, FRAMEWORK_1_0, '2026-05-31T00:00:00.000Z').version).toBe('1.1');
    expect(frameworkInForce(both, FRAMEWORK_1_0, '2026-06-01T00:00:00.000Z').version).toBe('1.2');
  });
});

describe('what a version changes', () => {
  it('lists criteria added, removed and with a changed weight', () => {
    const sec01Weight = allCriteria(FRAMEWORK_1_0).find((c) => c.id === 'SEC-01')?.weight ?? 0;
    const diff = diffFrameworks(FRAMEWORK_1_0, V1_1);
    expect(diff.added.map((c) => c.id)).toEqual(['SEC-09']);
    expect(diff.removed).toHaveLength(1);
    expect(diff.changed).toEqual([expect.objectContaining({ id: 'SEC-01', weight: { from: sec01Weight, to: sec01Weight + 1 } })]);
  });
});
