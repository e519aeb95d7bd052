import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { DEFAULT_NOC_POLICY, NocPolicy } from '../domain/noc/policy';
import { AccreditationPolicy } from '../domain/accreditation/policy';
import { CompliancePolicy } from '../domain/compliance/policy';
import { serviceLevelsWith, type ServiceLevels } from '../domain/shared/service-levels';
import { DEFAULT_COMMAND_KEY_FILE, type CommandKeySettings } from './command-keys';
import { EvidenceStoreConfigError, evidenceStoreSettings, type EvidenceStoreSettings } from './evidence-store';
import { EnvSchema, SmtpUrl, type Env } from './env-schema';

/**
 * All configuration comes from the environment (its rules in env-schema.ts), validated here once.
 * Every setting has a default that runs the embedded system on one machine; the README's table lists them.
 */

/** TLS to the Temporal frontend; with a client certificate, mutual TLS. Files, read at connect time. */
export interface TemporalTls {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  serverName?: string;
}

export interface AppConfig {
  dataDir: string;
  eventStore: { kind: 'sqlite'; path: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA' } | { kind: 'eventstoredb'; url: string };
  /** EVENTSTORE_RESERVE_BYTES: below this much room in the embedded store, the API refuses new writes. */
  eventStoreReserveBytes: number;
  readModelPath: string;
  identityPath: string;
  /** The worker's own limits: WORKER_MAX_CACHED_WORKFLOWS bounds its memory (see the README's configuration table). */
  worker: { maxCachedWorkflows: number };
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    uiPort: number;
    tls?: TemporalTls;
    /** How long a call of the API's keeps retrying a Temporal frontend it cannot reach (TEMPORAL_WRITE_TIMEOUT_MS). */
    unreachableTimeoutMs: number;
    /** TEMPORAL_DEV_CACHED_WORKFLOWS: the history cache of the dev server `npm start` runs, in workflows. */
    devServerCachedWorkflows: number;
  };
  api: {
    host: string;
    port: number;
    /** The address people use (PUBLIC_URL, or the listening address). */
    publicUrl: string;
    /** Whether people reach the office over https: cookies are then Secure and __Host- prefixed. */
    https: boolean;
    /** Fastify's trustProxy: which X-Forwarded-* headers to believe (for the client address and protocol). */
    trustProxy: boolean | string;
  };
  logLevel: string;
  projectionPollMs: number;
  /** The /metrics listeners (a port of 0 is off) and the Temporal SDK's own (off without temporalBind). */
  metrics: { host: string; apiPort: number; workerPort: number; projectorPort: number; temporalBind?: string };
  /** The operators' page's last day of figures, sampled every sampleSeconds (metrics/samples.ts). */
  operations: { sampleSeconds: number };
  /** The projector's as-of snapshots (projections/as-of-snapshotter.ts): every `everyEvents` (0: off), looked at every `checkSeconds`. */
  asOfSnapshots: { everyEvents: number; checkSeconds: number };
  /** OpenTelemetry traces, exported over OTLP/HTTP to `otlpEndpoint`; off without it. */
  tracing: { otlpEndpoint?: string };
  /** Evidence files: under `<dataDir>/evidence/` or in an S3-compatible bucket, none larger than maxBytes. */
  evidence: { maxBytes: number; uploadsPerHour: number; store: EvidenceStoreSettings };
  /** Notices by email: through SMTP when smtpUrl is set, else into the maildir folder under the data dir. */
  mail: { smtpUrl?: string; from: string; maildir: string };
  sessionTtlHours: number;
  /** The API's record of requests sent with an Idempotency-Key: `<dataDir>/idempotency.db`, kept retentionDays. */
  idempotency: { path: string; retentionDays: number };
  /** How long a password an administrator sets (account creation, password or second-factor reset) serves, once. */
  oneTimePasswordTtlHours: number;
  /** Password hashes (argon2id) in flight at once; more sign-ins at that moment are refused with Retry-After. */
  passwordHashConcurrency: number;
  nocPolicy: NocPolicy;
  accreditationPolicy: AccreditationPolicy;
  /** Continuous monitoring, compliance reviews and significant changes; pinned on each case when it starts. */
  compliancePolicy: CompliancePolicy;
  /** Working days each staff task may take before it is overdue (domain/shared/service-levels.ts). */
  serviceLevels: ServiceLevels;
  /** Where the framework files live and which version new applications use. */
  framework: { dir: string; currentVersion: string };
  audit: { signingKeyPem?: string; signingKeyFile: string; checkpointMinutes: number };
  /** The keys of people's signed commands: the API signs, workers and the audit verify. */
  commandKeys: CommandKeySettings;
  /** The key TOTP secrets are encrypted with: given, or read from (created in) the file. */
  mfa: { encryptionKey?: Buffer; encryptionKeyFile: string };
}

/** The repository's framework/ folder, whether this runs from source (config/) or from the build (dist/config/). */
function defaultFrameworkDir(): string {
  const fromSource = resolve(__dirname, '..', 'framework');
  return existsSync(fromSource) ? fromSource : resolve(__dirname, '..', '..', 'framework');
}

function trustProxyOf(value: string): boolean | string {
  return value === 'true' || value === 'false' ? value === 'true' : value;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function readSecret(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: cannot read ${file} (${(err as Error).message})`);
  }
}

/** SMTP_URL from its secret file, checked as SMTP_URL is; the message names the file's variable, never its content. */
function smtpUrlFrom(file: string): string | undefined {
  const value = readSecret('SMTP_URL_FILE', file);
  if (value === '') return undefined;
  if (!SmtpUrl.safeParse(value).success) {
    throw new ConfigError(`Invalid configuration:\n  SMTP_URL_FILE: ${file} does not hold an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.gov.pk:587`);
  }
  return value;
}

/** The path with its longest existing prefix resolved through symlinks, so that a link cannot hide where it lies. */
function realPath(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realPath(parent), path.slice(parent.length + 1));
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(realPath(dir), realPath(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The operator's own configuration folder for the office's keys, apart from the data folder. */
function operatorConfigDir(e: Env): string {
  return join(e.XDG_CONFIG_HOME ? resolve(e.XDG_CONFIG_HOME) : join(homedir(), '.config'), 'cloud-office');
}

/**
 * The audit signing key's file. Not in the data folder: whoever holds a copy of the data (a backup, a
 * volume) must not also hold the key that re-signs its history. By default the operator's own
 * configuration folder; the file is created there on first use, with a warning.
 */
function auditKeyFile(e: Env, dataDir: string): string {
  const file = e.AUDIT_SIGNING_KEY_FILE ? resolve(e.AUDIT_SIGNING_KEY_FILE) : join(operatorConfigDir(e), 'audit-signing-key.pem');
  if (!e.AUDIT_SIGNING_KEY && e.AUDIT_KEY_IN_DATA_DIR === 'refuse' && isInside(file, dataDir)) {
    throw new ConfigError(
      `Invalid configuration:\n  AUDIT_SIGNING_KEY_FILE: ${file} lies inside DATA_DIR (${dataDir}); keep the audit signing key outside the data folder (AUDIT_KEY_IN_DATA_DIR=allow permits it, for tests only)`,
    );
  }
  return file;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  // A graver finding never gets longer to fix than a lighter one.
  const atLeast = (lighter: 'MODERATE' | 'LOW', graver: 'HIGH' | 'MODERATE'): void => {
    const graverDays = e[`COMPLIANCE_REMEDIATION_DAYS_${graver}`];
    if (graverDays > e[`COMPLIANCE_REMEDIATION_DAYS_${lighter}`]) {
      throw new ConfigError(`Invalid configuration:\n  COMPLIANCE_REMEDIATION_DAYS_${lighter}: must be at least COMPLIANCE_REMEDIATION_DAYS_${graver} (${graverDays})`);
    }
  };
  atLeast('MODERATE', 'HIGH');
  atLeast('LOW', 'MODERATE');
  const dataDir = resolve(e.DATA_DIR);
  const eventStoreUrl = e.EVENTSTORE_URL ?? (e.EVENTSTORE_URL_FILE ? readSecret('EVENTSTORE_URL_FILE', e.EVENTSTORE_URL_FILE) : undefined);
  if (e.EVENTSTORE === 'eventstoredb' && !eventStoreUrl) {
    throw new ConfigError('Invalid configuration:\n  EVENTSTORE_URL: required when EVENTSTORE=eventstoredb (or EVENTSTORE_URL_FILE)');
  }
  const smtpUrl = e.SMTP_URL ?? (e.SMTP_URL_FILE ? smtpUrlFrom(e.SMTP_URL_FILE) : undefined);
  const publicUrl = e.PUBLIC_URL ?? `http://${e.API_HOST}:${e.API_PORT}`;
  let evidenceStore: EvidenceStoreSettings;
  try {
    evidenceStore = evidenceStoreSettings(e);
  } catch (err) {
    if (err instanceof EvidenceStoreConfigError) throw new ConfigError(`Invalid configuration:\n  ${err.message}`);
    throw err;
  }
  if (Boolean(e.TEMPORAL_TLS_CERT_FILE) !== Boolean(e.TEMPORAL_TLS_KEY_FILE)) {
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS_KEY_FILE: TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE go together (the client certificate and its key)');
  }
  const tlsSet = [e.TEMPORAL_TLS_CERT_FILE, e.TEMPORAL_TLS_CA_FILE, e.TEMPORAL_TLS_SERVER_NAME].some(Boolean);
  const temporalTls: TemporalTls | undefined = tlsSet
    ? {
        ...(e.TEMPORAL_TLS_CERT_FILE ? { certFile: resolve(e.TEMPORAL_TLS_CERT_FILE) } : {}),
        ...(e.TEMPORAL_TLS_KEY_FILE ? { keyFile: resolve(e.TEMPORAL_TLS_KEY_FILE) } : {}),
        ...(e.TEMPORAL_TLS_CA_FILE ? { caFile: resolve(e.TEMPORAL_TLS_CA_FILE) } : {}),
        ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
      }
    : undefined;
  return {
    dataDir,
    eventStore:
      e.EVENTSTORE === 'eventstoredb'
        ? { kind: 'eventstoredb', url: eventStoreUrl as string }
        : { kind: 'sqlite', path: join(dataDir, 'events.db'), synchronous: e.SQLITE_SYNCHRONOUS },
    eventStoreReserveBytes: e.EVENTSTORE_RESERVE_BYTES,
    readModelPath: join(dataDir, 'readmodels.db'),
    identityPath: join(dataDir, 'identity.db'),
    worker: { maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiPort: e.TEMPORAL_UI_PORT,
      unreachableTimeoutMs: e.TEMPORAL_WRITE_TIMEOUT_MS,
      devServerCachedWorkflows: e.TEMPORAL_DEV_CACHED_WORKFLOWS,
      ...(temporalTls ? { tls: temporalTls } : {}),
    },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      publicUrl,
      https: publicUrl.startsWith('https:'),
      trustProxy: trustProxyOf(e.TRUST_PROXY),
    },
    logLevel: e.LOG_LEVEL,
    projectionPollMs: e.PROJECTION_POLL_MS,
    metrics: {
      host: e.METRICS_HOST,
      apiPort: e.API_METRICS_PORT,
      workerPort: e.WORKER_METRICS_PORT,
      projectorPort: e.PROJECTOR_METRICS_PORT,
      ...(e.TEMPORAL_METRICS_BIND ? { temporalBind: e.TEMPORAL_METRICS_BIND } : {}),
    },
    operations: { sampleSeconds: e.OPERATIONS_SAMPLE_SECONDS },
    asOfSnapshots: { everyEvents: e.AS_OF_SNAPSHOT_EVERY, checkSeconds: e.AS_OF_SNAPSHOT_CHECK_SECONDS },
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT } : {},
    evidence: { maxBytes: e.EVIDENCE_MAX_BYTES, uploadsPerHour: e.EVIDENCE_UPLOADS_PER_HOUR, store: evidenceStore },
    mail: { ...(smtpUrl ? { smtpUrl } : {}), from: e.MAIL_FROM, maildir: join(dataDir, 'maildir') },
    sessionTtlHours: e.SESSION_TTL_HOURS,
    idempotency: { path: join(dataDir, 'idempotency.db'), retentionDays: e.IDEMPOTENCY_RETENTION_DAYS },
    oneTimePasswordTtlHours: e.ONE_TIME_PASSWORD_TTL_HOURS,
    passwordHashConcurrency: e.PASSWORD_HASH_CONCURRENCY,
    audit: {
      signingKeyPem: e.AUDIT_SIGNING_KEY,
      signingKeyFile: auditKeyFile(e, dataDir),
      checkpointMinutes: e.AUDIT_CHECKPOINT_MINUTES,
    },
    commandKeys: {
      ...(e.COMMAND_SIGNING_KEY ? { signingKeyPem: e.COMMAND_SIGNING_KEY } : {}),
      signingKeyFile: e.COMMAND_SIGNING_KEY_FILE ? resolve(e.COMMAND_SIGNING_KEY_FILE) : DEFAULT_COMMAND_KEY_FILE,
      ...(e.COMMAND_TRUSTED_KEYS ? { trustedKeysPem: e.COMMAND_TRUSTED_KEYS } : {}),
      ...(e.COMMAND_TRUSTED_KEYS_FILE ? { trustedKeysFile: resolve(e.COMMAND_TRUSTED_KEYS_FILE) } : {}),
    },
    mfa: {
      encryptionKey: e.MFA_ENCRYPTION_KEY === undefined ? undefined : Buffer.from(e.MFA_ENCRYPTION_KEY.trim(), 'base64'),
      // Apart from the identity database it protects: a copy of the data alone must not decrypt the secrets.
      encryptionKeyFile: e.MFA_ENCRYPTION_KEY_FILE ? resolve(e.MFA_ENCRYPTION_KEY_FILE) : join(operatorConfigDir(e), 'mfa-key'),
    },
    nocPolicy: NocPolicy.parse({
      version: e.NOC_POLICY_VERSION,
      maxMonths: e.NOC_MAX_MONTHS,
      maxExtensionMonths: e.NOC_MAX_EXTENSION_MONTHS,
      maxExtensions: DEFAULT_NOC_POLICY.maxExtensions,
      informationResponseDays: e.NOC_INFORMATION_DAYS,
      reminderDaysBeforeExpiry: e.NOC_REMINDER_DAYS,
    }),
    accreditationPolicy: AccreditationPolicy.parse({
      version: e.ACCREDITATION_POLICY_VERSION,
      informationResponseDays: e.ACCREDITATION_INFORMATION_DAYS,
      validityYears: e.ACCREDITATION_VALIDITY_YEARS,
      renewalWindowDays: e.ACCREDITATION_RENEWAL_WINDOW_DAYS,
      coolingOffDays: e.ACCREDITATION_COOLING_OFF_DAYS,
      revocationTransitionDays: e.ACCREDITATION_REVOCATION_TRANSITION_DAYS,
      endTransitionDays: e.ACCREDITATION_END_TRANSITION_DAYS,
    }),
    compliancePolicy: CompliancePolicy.parse({
      version: e.COMPLIANCE_POLICY_VERSION,
      monthlyReportDueDay: e.COMPLIANCE_REPORT_DUE_DAY,
      monthlyReportReminderDays: e.COMPLIANCE_REPORT_REMINDER_DAYS,
      consecutiveMissesForReview: e.COMPLIANCE_MISSES_FOR_REVIEW,
      evidenceResponseDays: e.COMPLIANCE_EVIDENCE_DAYS,
      remediationDays: {
        high: e.COMPLIANCE_REMEDIATION_DAYS_HIGH,
        moderate: e.COMPLIANCE_REMEDIATION_DAYS_MODERATE,
        low: e.COMPLIANCE_REMEDIATION_DAYS_LOW,
      },
      overdueModerateFindingsToEscalate: e.COMPLIANCE_MODERATE_OVERDUE_TO_ESCALATE,
      significantChangeNoticeDays: e.COMPLIANCE_CHANGE_NOTICE_DAYS,
      maxDeadlineExtensionDays: e.COMPLIANCE_MAX_EXTENSION_DAYS,
    }),
    serviceLevels: serviceLevelsWith(e.SERVICE_LEVELS),
    framework: {
      dir: e.FRAMEWORK_DIR ? resolve(e.FRAMEWORK_DIR) : defaultFrameworkDir(),
      currentVersion: e.FRAMEWORK_VERSION,
    },
  };
}
