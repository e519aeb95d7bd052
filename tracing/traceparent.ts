import { z } from 'zod';

/**
 * A W3C trace-context `traceparent` of version 00 (https://www.w3.org/TR/trace-context/#traceparent-header),
 * as an event's metadata carries it: version, trace id, parent span id, flags. An all-zero id is invalid.
 * Apart from the attribute names (tracing/attributes.ts), which the workflow interceptor imports: with
 * reuseV8Context each workflow evaluates that interceptor's modules anew, and zod with them cost every
 * cached workflow about half a megabyte.
 */
export const Traceparent = z
  .string()
  .regex(/^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/, 'a W3C traceparent: 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>');
