import { DomainError } from '../../domain/shared/errors';
import type { RecordedEvent } from '../port';
import { decode } from '../registry';
import { schemaVersionOf } from '../upcasting';

/** An event the current code cannot read: its type unknown, its version newer, or its data not what its schema and upcasters take. */
export interface DecodeFinding {
  stream: string;
  revision: number;
  type: string;
  /** The version the event says it was written with, as recorded (undefined when its metadata names none). */
  schemaVersion: unknown;
  code: 'EVENT_SCHEMA_UNKNOWN' | 'EVENT_SCHEMA_INVALID' | 'INTERNAL_ERROR';
  /** What refused it, with each zod issue as `path: message`, on one line. */
  problem: string;
}

export interface DecodeCheck {
  checked: number;
  findings: DecodeFinding[];
}

/**
 * Reads every event as the running code does — metadata, type, schema version, the upcasters to the
 * current version and the current schema (eventstore/registry.ts) — so that an event a reader would
 * refuse is found by the audit, not by the first projection or workflow to meet it. A hash chain that
 * recomputes says the bytes are what was written; this says the code can still read them.
 */
export class DecodeChecker {
  private checked = 0;
  private readonly findings: DecodeFinding[] = [];

  check(event: RecordedEvent): void {
    this.checked += 1;
    try {
      decode(event);
    } catch (err) {
      const where = `${event.stream}@${event.revision}: `;
      const message = err instanceof Error ? err.message : String(err);
      this.findings.push({
        stream: event.stream,
        revision: event.revision,
        type: event.type,
        schemaVersion: (event.metadata as { schemaVersion?: unknown } | undefined)?.schemaVersion,
        code: err instanceof DomainError && (err.code === 'EVENT_SCHEMA_UNKNOWN' || err.code === 'EVENT_SCHEMA_INVALID') ? err.code : 'INTERNAL_ERROR',
        problem: readable(message.startsWith(where) ? message.slice(where.length) : message),
      });
    }
  }

  finish(): DecodeCheck {
    return { checked: this.checked, findings: this.findings };
  }
}

/**
 * The reader's message with the zod issues it carries (a JSON array, patterns and all) put as
 * `path: message` pairs, e.g. "ReviewEvidenceRequested v1: dueBy: Invalid ISO datetime".
 */
function readable(message: string): string {
  const at = message.indexOf('[');
  if (at >= 0) {
    try {
      const issues = JSON.parse(message.slice(at)) as { path?: unknown; message?: unknown }[];
      if (Array.isArray(issues) && issues.every((i) => Array.isArray(i.path) && typeof i.message === 'string')) {
        const listed = issues.map((i) => `${(i.path as unknown[]).map(String).join('.') || '(the whole event)'}: ${String(i.message)}`);
        return `${message.slice(0, at).trim()} ${listed.join('; ')}`;
      }
    } catch {
      // Not the issues' JSON: the message as it is.
    }
  }
  return message.replace(/\s+/g, ' ').trim();
}

/** The version as the finding prints it: what the event says, or 1 when it says nothing (written before versions were recorded). */
export function writtenVersion(finding: DecodeFinding): string {
  try {
    return `v${schemaVersionOf({ schemaVersion: finding.schemaVersion })}`;
  } catch {
    return `version ${JSON.stringify(finding.schemaVersion)}`;
  }
}
