import { ConfigError, loadConfig } from '../../config/config';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';

describe('configuration', () => {
  it('runs the embedded system on one machine when nothing is set', () => {
    const config = loadConfig({});
    expect(config.eventStore).toMatchObject({ kind: 'sqlite', synchronous: 'FULL' });
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'cloud-office' });
    expect(config.api).toEqual({ host: '127.0.0.1', port: 3000, publicUrl: 'http://127.0.0.1:3000', https: false, trustProxy: false });
    expect(config.passwordHashConcurrency).toBe(8);
    expect(config.nocPolicy.reminderDaysBeforeExpiry).toEqual([30, 7]);
  });

  it('reads NOC durations from the environment rather than from code', () => {
    const config = loadConfig({ NOC_MAX_MONTHS: '9', NOC_REMINDER_DAYS: '60,14,1', NOC_INFORMATION_DAYS: '21' });
    expect(config.nocPolicy).toMatchObject({ maxMonths: 9, reminderDaysBeforeExpiry: [60, 14, 1], informationResponseDays: 21 });
  });

  it('names the variable and the rule when a value is wrong', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(/API_PORT/);
    expect(() => loadConfig({ NOC_REMINDER_DAYS: '30;7' })).toThrow(/NOC_REMINDER_DAYS: a comma-separated list/);
    expect(() => loadConfig({ EVENTSTORE: 'eventstoredb' })).toThrow(/EVENTSTORE_URL: required/);
  });
});

describe('the metrics settings', () => {
  it('leave every /metrics listener off, bound to the loopback address when turned on, unless set', () => {
    expect(loadConfig({}).metrics).toEqual({ host: '127.0.0.1', apiPort: 0, workerPort: 0, projectorPort: 0 });
    const config = loadConfig({ METRICS_HOST: '10.0.5.2', API_METRICS_PORT: '9461', WORKER_METRICS_PORT: '9462', PROJECTOR_METRICS_PORT: '9463', TEMPORAL_METRICS_BIND: '127.0.0.1:9464' });
    expect(config.metrics).toEqual({ host: '10.0.5.2', apiPort: 9461, workerPort: 9462, projectorPort: 9463, temporalBind: '127.0.0.1:9464' });
  });

  it('refuse a port out of range and a Temporal address without a port', () => {
    expect(() => loadConfig({ API_METRICS_PORT: '70000' })).toThrow(/API_METRICS_PORT/);
    expect(() => loadConfig({ TEMPORAL_METRICS_BIND: '127.0.0.1' })).toThrow(/TEMPORAL_METRICS_BIND: host:port/);
  });

  it("sample the operators' page every minute unless OPERATIONS_SAMPLE_SECONDS says otherwise, from a second to an hour", () => {
    expect(loadConfig({}).operations).toEqual({ sampleSeconds: 60 });
    expect(loadConfig({ OPERATIONS_SAMPLE_SECONDS: '5' }).operations).toEqual({ sampleSeconds: 5 });
    expect(() => loadConfig({ OPERATIONS_SAMPLE_SECONDS: '0' })).toThrow(/OPERATIONS_SAMPLE_SECONDS/);
    expect(() => loadConfig({ OPERATIONS_SAMPLE_SECONDS: '3601' })).toThrow(/OPERATIONS_SAMPLE_SECONDS/);
  });

  it('has the projector snapshot the read models every 10,000 events, looked at every 5 minutes, unless told otherwise or 0 for off', () => {
    expect(loadConfig({}).asOfSnapshots).toEqual({ everyEvents: 10_000, checkSeconds: 300 });
    expect(loadConfig({ AS_OF_SNAPSHOT_EVERY: '0', AS_OF_SNAPSHOT_CHECK_SECONDS: '30' }).asOfSnapshots).toEqual({ everyEvents: 0, checkSeconds: 30 });
    expect(() => loadConfig({ AS_OF_SNAPSHOT_EVERY: '-1' })).toThrow(/AS_OF_SNAPSHOT_EVERY/);
    expect(() => loadConfig({ AS_OF_SNAPSHOT_CHECK_SECONDS: '0' })).toThrow(/AS_OF_SNAPSHOT_CHECK_SECONDS/);
  });
});

describe('the MFA encryption key', () => {
  it("is read from MFA_ENCRYPTION_KEY when set, else from a file in the operator's configuration folder, not the data folder", () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ MFA_ENCRYPTION_KEY: key.toString('base64') }).mfa.encryptionKey).toEqual(key);
    const unset = loadConfig({ DATA_DIR: '/srv/office', XDG_CONFIG_HOME: '/home/op/.config' }).mfa;
    expect(unset).toEqual({ encryptionKey: undefined, encryptionKeyFile: '/home/op/.config/cloud-office/mfa-key' });
  });

  it('refuses a key that is not 32 bytes, naming the variable', () => {
    expect(() => loadConfig({ MFA_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/MFA_ENCRYPTION_KEY: 32 bytes in base64 or base64url/);
  });
});

describe('how people reach the office', () => {
  it('serves over https when PUBLIC_URL says so, believing the proxies TRUST_PROXY names', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://office.example.gov.pk', TRUST_PROXY: '10.0.0.0/8, loopback' }).api).toMatchObject({
      publicUrl: 'https://office.example.gov.pk',
      https: true,
      trustProxy: '10.0.0.0/8, loopback',
    });
    expect(loadConfig({ TRUST_PROXY: 'true' }).api.trustProxy).toBe(true);
  });

  it('refuses a PUBLIC_URL that is not http(s) and a TRUST_PROXY that names no proxy', () => {
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://office.example.gov.pk' })).toThrow(/PUBLIC_URL: an http:\/\/ or https:\/\/ URL/);
    expect(() => loadConfig({ PUBLIC_URL: 'office.example.gov.pk' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY: true, false, or a comma-separated list/);
    expect(() => loadConfig({ TRUST_PROXY: '2' })).toThrow(/TRUST_PROXY/);
  });
});

describe('the compliance policy from the environment', () => {
  it('defaults to the policy the code ships with', () => {
    expect(loadConfig({}).compliancePolicy).toEqual(DEFAULT_COMPLIANCE_POLICY);
  });

  it('reads every compliance duration and count from its own variable', () => {
    const config = loadConfig({
      COMPLIANCE_POLICY_VERSION: 'office-2027/compliance-2',
      COMPLIANCE_REPORT_DUE_DAY: '10',
      COMPLIANCE_REPORT_REMINDER_DAYS: '5',
      COMPLIANCE_MISSES_FOR_REVIEW: '3',
      COMPLIANCE_EVIDENCE_DAYS: '21',
      COMPLIANCE_REMEDIATION_DAYS_HIGH: '14',
      COMPLIANCE_REMEDIATION_DAYS_MODERATE: '60',
      COMPLIANCE_REMEDIATION_DAYS_LOW: '120',
      COMPLIANCE_MODERATE_OVERDUE_TO_ESCALATE: '4',
      COMPLIANCE_CHANGE_NOTICE_DAYS: '0',
      COMPLIANCE_MAX_EXTENSION_DAYS: '45',
    });
    expect(config.compliancePolicy).toEqual({
      version: 'office-2027/compliance-2',
      monthlyReportDueDay: 10,
      monthlyReportReminderDays: 5,
      consecutiveMissesForReview: 3,
      evidenceResponseDays: 21,
      remediationDays: { high: 14, moderate: 60, low: 120 },
      overdueModerateFindingsToEscalate: 4,
      significantChangeNoticeDays: 0,
      maxDeadlineExtensionDays: 45,
    });
  });

  it('names the variable and the rule when a compliance value is wrong', () => {
    expect(() => loadConfig({ COMPLIANCE_REPORT_DUE_DAY: '31' })).toThrow(/COMPLIANCE_REPORT_DUE_DAY: .*28/);
    expect(() => loadConfig({ COMPLIANCE_REPORT_REMINDER_DAYS: '0' })).toThrow(/COMPLIANCE_REPORT_REMINDER_DAYS/);
    expect(() => loadConfig({ COMPLIANCE_EVIDENCE_DAYS: '0' })).toThrow(/COMPLIANCE_EVIDENCE_DAYS: .*>0/);
    expect(() => loadConfig({ COMPLIANCE_MISSES_FOR_REVIEW: 'two' })).toThrow(/COMPLIANCE_MISSES_FOR_REVIEW/);
    expect(() => loadConfig({ COMPLIANCE_CHANGE_NOTICE_DAYS: '-1' })).toThrow(/COMPLIANCE_CHANGE_NOTICE_DAYS/);
    expect(() => loadConfig({ COMPLIANCE_MAX_EXTENSION_DAYS: '0' })).toThrow(/COMPLIANCE_MAX_EXTENSION_DAYS/);
    expect(() => loadConfig({ COMPLIANCE_POLICY_VERSION: '' })).toThrow(/COMPLIANCE_POLICY_VERSION/);
    expect(() => loadConfig({ COMPLIANCE_REMEDIATION_DAYS_HIGH: '100' })).toThrow(
      /COMPLIANCE_REMEDIATION_DAYS_MODERATE: must be at least COMPLIANCE_REMEDIATION_DAYS_HIGH \(100\)/,
    );
    expect(() => loadConfig({ COMPLIANCE_REMEDIATION_DAYS_HIGH: '1' })).not.toThrow();
  });
});
