import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_ACCREDITATION_POLICY } from '../domain/accreditation/policy';
import { DEFAULT_COMPLIANCE_POLICY } from '../domain/compliance/policy';
import { DEFAULT_NOC_POLICY } from '../domain/noc/policy';
import { ServiceLevelOverrides } from '../domain/shared/service-levels';
import { EvidenceStoreEnv } from './evidence-store';

/**
 * The environment the processes read, as zod checks it: each variable's rule and default. Turned into
 * the processes' settings by loadConfig (config.ts); the README's table lists them.
 */
const intFrom = (def: number) => z.coerce.number().int().nonnegative().default(def);
const portOrOff = z.coerce.number().int().min(0).max(65535, 'a port number (1–65535), or 0 for off').default(0);
const intList = (def: number[]) =>
  z
    .string()
    .regex(/^\d+(,\d+)*$/, 'a comma-separated list of whole numbers')
    .transform((s) => s.split(',').map(Number))
    // prefault: zod 4's default() would hand back the raw string without running the transform.
    .prefault(def.join(','));

/** A whole number from 1 up to `max`, with a default. */
const positiveFrom = (def: number, max?: number) => {
  const n = z.coerce.number().int().positive();
  return (max === undefined ? n : n.max(max)).default(def);
};

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY. */
const PROXY_PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

export const SmtpUrl = z.url({ protocol: /^smtps?$/, error: 'an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.gov.pk:587' });

export const EnvSchema = z.object({
  DATA_DIR: z.string().default('data'),
  EVENTSTORE: z.enum(['sqlite', 'eventstoredb']).default('sqlite'),
  EVENTSTORE_URL: z.string().optional(),
  /** The connection string from a file (a secret): it carries the store user's password. */
  EVENTSTORE_URL_FILE: z.string().optional(),
  SQLITE_SYNCHRONOUS: z.enum(['OFF', 'NORMAL', 'FULL', 'EXTRA']).default('FULL'),
  /** Room the embedded store keeps for running processes: below it the API refuses new writes (503). */
  EVENTSTORE_RESERVE_BYTES: intFrom(16 * 1024 * 1024),
  /**
   * Workflows the worker keeps in memory (about 0.3–0.45 MB of RSS each); one evicted replays its history on its next
   * task. 0 keeps none; the SDK takes no 1.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .refine((n) => n === 0 || n >= 2, { error: '0 (no cache: every workflow task replays its history) or at least 2' })
    .default(400),
  /**
   * Workflows whose state the dev server `npm start` runs keeps in memory (Temporal's
   * `history.hostLevelCacheMaxSize`); one not cached is read back from temporal.db on its next task.
   */
  TEMPORAL_DEV_CACHED_WORKFLOWS: z.coerce.number().int().min(1, { error: 'at least 1 (Temporal keeps the workflow it works on in the cache)' }).default(2048),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('cloud-office'),
  TEMPORAL_TASK_QUEUE: z.string().default('cloud-office'),
  TEMPORAL_UI_PORT: intFrom(8233),
  /** How long the API keeps retrying a Temporal it cannot reach before it answers 503. */
  TEMPORAL_WRITE_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: intFrom(3000),
  /** Where people reach the office; https makes every cookie Secure and __Host- prefixed. */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL, e.g. https://office.example.gov.pk' }).optional(),
  TRUST_PROXY: z
    .string()
    .refine(
      (v) => v === 'true' || v === 'false' || v.split(',').every((a) => PROXY_PRESETS.has(a.trim()) || isIP(a.trim().split('/')[0] ?? '') !== 0),
      'true, false, or a comma-separated list of proxy addresses, CIDR ranges or loopback / linklocal / uniquelocal',
    )
    .default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PROJECTION_POLL_MS: intFrom(50),
  /** Where the processes' /metrics listeners bind: an operator network's address, never the public one. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Each process's /metrics port; 0 leaves it off. */
  API_METRICS_PORT: portOrOff,
  WORKER_METRICS_PORT: portOrOff,
  PROJECTOR_METRICS_PORT: portOrOff,
  /** host:port where the Temporal Core runtime of the worker serves its own Prometheus metrics. */
  TEMPORAL_METRICS_BIND: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464')
    .optional(),
  /** How often the worker and the projector write their figures for the operators' page (/ui/operations). */
  OPERATIONS_SAMPLE_SECONDS: positiveFrom(60, 3600),
  /** The projector snapshots each read model every this many events, for the as-of views; 0 leaves it to `npm run snapshot:as-of`. */
  AS_OF_SNAPSHOT_EVERY: intFrom(10_000),
  /** How often the projector looks whether a read model is due its next as-of snapshot. */
  AS_OF_SNAPSHOT_CHECK_SECONDS: positiveFrom(300, 86_400),
  /**
   * Where traces are sent over OTLP/HTTP (a collector's base URL, e.g. http://otel-collector:4318; the
   * exporter posts to its /v1/traces). Unset or empty (as docker-compose passes it): no tracing at all.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL, e.g. http://otel-collector:4318' }).optional(),
  ),
  /** Largest evidence file accepted, in bytes (20 MiB). */
  EVIDENCE_MAX_BYTES: positiveFrom(20 * 1024 * 1024, 1024 * 1024 * 1024),
  /** Evidence files one account may upload an hour, through the API and the forms together. */
  EVIDENCE_UPLOADS_PER_HOUR: positiveFrom(60, 100_000),
  ...EvidenceStoreEnv.shape,
  /** Where notices are mailed: smtp:// or smtps://, with credentials when the server needs them. */
  SMTP_URL: SmtpUrl.optional(),
  /** A file holding SMTP_URL (a secret: the URL carries the mailer's password); an empty file means no SMTP, as when unset. */
  SMTP_URL_FILE: z.string().optional(),
  MAIL_FROM: z.string().trim().min(3).default('Cloud Office <noreply@cloud-office.localhost>'),
  SESSION_TTL_HOURS: intFrom(12),
  /** How long the API answers a resend (same person, same Idempotency-Key) with its first answer (api/idempotency-store.ts). */
  IDEMPOTENCY_RETENTION_DAYS: positiveFrom(30, 3650),
  ONE_TIME_PASSWORD_TTL_HOURS: positiveFrom(72),
  PASSWORD_HASH_CONCURRENCY: positiveFrom(8),
  NOC_MAX_MONTHS: intFrom(DEFAULT_NOC_POLICY.maxMonths),
  NOC_MAX_EXTENSION_MONTHS: intFrom(DEFAULT_NOC_POLICY.maxExtensionMonths),
  NOC_INFORMATION_DAYS: intFrom(DEFAULT_NOC_POLICY.informationResponseDays),
  NOC_REMINDER_DAYS: intList(DEFAULT_NOC_POLICY.reminderDaysBeforeExpiry),
  NOC_POLICY_VERSION: z.string().default(DEFAULT_NOC_POLICY.version),
  ACCREDITATION_POLICY_VERSION: z.string().default(DEFAULT_ACCREDITATION_POLICY.version),
  ACCREDITATION_INFORMATION_DAYS: intFrom(DEFAULT_ACCREDITATION_POLICY.informationResponseDays),
  ACCREDITATION_VALIDITY_YEARS: intFrom(DEFAULT_ACCREDITATION_POLICY.validityYears),
  ACCREDITATION_RENEWAL_WINDOW_DAYS: intFrom(DEFAULT_ACCREDITATION_POLICY.renewalWindowDays),
  ACCREDITATION_COOLING_OFF_DAYS: intFrom(DEFAULT_ACCREDITATION_POLICY.coolingOffDays),
  ACCREDITATION_REVOCATION_TRANSITION_DAYS: intFrom(DEFAULT_ACCREDITATION_POLICY.revocationTransitionDays),
  ACCREDITATION_END_TRANSITION_DAYS: intFrom(DEFAULT_ACCREDITATION_POLICY.endTransitionDays ?? 180),
  COMPLIANCE_POLICY_VERSION: z.string().min(1).default(DEFAULT_COMPLIANCE_POLICY.version),
  COMPLIANCE_REPORT_DUE_DAY: positiveFrom(DEFAULT_COMPLIANCE_POLICY.monthlyReportDueDay, 28),
  COMPLIANCE_REPORT_REMINDER_DAYS: positiveFrom(DEFAULT_COMPLIANCE_POLICY.monthlyReportReminderDays ?? 7, 28),
  COMPLIANCE_MISSES_FOR_REVIEW: positiveFrom(DEFAULT_COMPLIANCE_POLICY.consecutiveMissesForReview),
  COMPLIANCE_EVIDENCE_DAYS: positiveFrom(DEFAULT_COMPLIANCE_POLICY.evidenceResponseDays),
  COMPLIANCE_REMEDIATION_DAYS_HIGH: positiveFrom(DEFAULT_COMPLIANCE_POLICY.remediationDays.high),
  COMPLIANCE_REMEDIATION_DAYS_MODERATE: positiveFrom(DEFAULT_COMPLIANCE_POLICY.remediationDays.moderate),
  COMPLIANCE_REMEDIATION_DAYS_LOW: positiveFrom(DEFAULT_COMPLIANCE_POLICY.remediationDays.low),
  COMPLIANCE_MODERATE_OVERDUE_TO_ESCALATE: positiveFrom(DEFAULT_COMPLIANCE_POLICY.overdueModerateFindingsToEscalate),
  COMPLIANCE_CHANGE_NOTICE_DAYS: intFrom(DEFAULT_COMPLIANCE_POLICY.significantChangeNoticeDays),
  COMPLIANCE_MAX_EXTENSION_DAYS: positiveFrom(DEFAULT_COMPLIANCE_POLICY.maxDeadlineExtensionDays ?? 90),
  /** Working days per staff task, as JSON, e.g. {"noc.review":3,"accreditation.decide":10}; the rest keep their defaults. */
  SERVICE_LEVELS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'a JSON object of working days by task, e.g. {"noc.review":3}' });
        return z.NEVER;
      }
    })
    .pipe(ServiceLevelOverrides)
    .prefault('{}'),
  /** The benchmark framework version new applications are assessed under (a file under framework/). */
  FRAMEWORK_VERSION: z.string().regex(/^\d+\.\d+$/, 'major.minor, e.g. 1.0').default('1.0'),
  FRAMEWORK_DIR: z.string().optional(),
  AUDIT_SIGNING_KEY: z.string().includes('PRIVATE KEY', { message: 'a PEM-encoded Ed25519 private key' }).optional(),
  AUDIT_SIGNING_KEY_FILE: z.string().optional(),
  /** Tests only: let the key file lie inside DATA_DIR. */
  AUDIT_KEY_IN_DATA_DIR: z.enum(['refuse', 'allow']).default('refuse'),
  XDG_CONFIG_HOME: z.string().optional(),
  AUDIT_CHECKPOINT_MINUTES: intFrom(60),
  COMMAND_SIGNING_KEY: z.string().includes('PRIVATE KEY', { message: 'a PEM-encoded Ed25519 private key' }).optional(),
  COMMAND_SIGNING_KEY_FILE: z.string().optional(),
  COMMAND_TRUSTED_KEYS: z.string().includes('PUBLIC KEY', { message: 'one or more PEM-encoded Ed25519 public keys' }).optional(),
  COMMAND_TRUSTED_KEYS_FILE: z.string().optional(),
  /** AES-256 key (32 bytes, base64 or base64url) that TOTP secrets are encrypted with in the identity database. */
  MFA_ENCRYPTION_KEY: z
    .string()
    .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v.trim()) && Buffer.from(v.trim(), 'base64').length === 32, '32 bytes in base64 or base64url')
    .optional(),
  MFA_ENCRYPTION_KEY_FILE: z.string().optional(),
});
export type Env = z.infer<typeof EnvSchema>;
