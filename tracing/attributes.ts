import { z } from 'zod';

/**
 * The office's own span attributes. The correlation id is the process (workflow) id every event of a
 * case carries in its metadata: with it a trace can be found from an event, and the events from a trace.
 */
export const CORRELATION_ID = 'cloud_office.correlation_id';
export const STREAM = 'cloud_office.stream';
export const EVENT_TYPE = 'cloud_office.event_type';
export const EVENT_COUNT = 'cloud_office.event_count';
export const READ_MODEL = 'cloud_office.read_model';
export const EVENT_POSITION = 'cloud_office.event_position';

/**
 * A W3C trace-context `traceparent` of version 00 (https://www.w3.org/TR/trace-context/#traceparent-header),
 * as an event's metadata carries it: version, trace id, parent span id, flags. An all-zero id is invalid.
 */
export const Traceparent = z
  .string()
  .regex(/^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/, 'a W3C traceparent: 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>');
