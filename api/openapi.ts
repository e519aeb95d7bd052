import { z } from 'zod';
import { ActorSchema, NocCaseSchema, NocDetail, NocHistoryEntry, NocNotificationRowSchema, NocRegisterRowSchema, NocTaskRowSchema, NocTimelineRowSchema, NocViewSchema } from './schemas/noc';
import { AccountView } from '../identity/schemas';
import { ErrorBody } from './errors';
import { HealthReport } from './health';
import type { AnyRoute } from './route';
import { SessionSchema } from './schemas/identity';
import { AccreditationDetail, AccreditationViewSchema, CaseHistoryEntry } from './schemas/accreditation';
import { CspViewSchema } from './schemas/csp';

/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas. Request bodies are
 * described as clients send them (defaults optional), responses as the server returns them.
 */
type JsonSchema = Record<string, unknown>;
type Registry = z.core.$ZodRegistry<{ id: string }>;

const COMPONENT_PREFIX = '#/components/schemas/';
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `field` names the first offending field',
  401: 'No valid bearer token',
  403: 'Your role, organisation or jurisdiction may not do this',
  404: 'No such resource, or not one you may see',
  409: "Conflicts with the resource's current state",
  422: 'Breaks a policy rule (durations, validity), or reuses an Idempotency-Key for another request',
  429: 'Too many attempts; see Retry-After',
  500: 'Internal error',
  503: 'The process engine or the event store did not answer',
};

/** Schemas named in the document because several routes return them, or they nest in others. */
const NAMED_RESPONSES: Record<string, z.ZodType> = {
  Error: ErrorBody,
  Actor: ActorSchema,
  Session: SessionSchema,
  Account: AccountView,
  NocCase: NocCaseSchema,
  NocView: NocViewSchema,
  NocRegisterRow: NocRegisterRowSchema,
  NocTask: NocTaskRowSchema,
  NocNotification: NocNotificationRowSchema,
  NocHistoryEntry: NocHistoryEntry,
  NocTimelineEntry: NocTimelineRowSchema,
  NocDetail: NocDetail,
  HealthReport: HealthReport,
  CspView: CspViewSchema,
  AccreditationView: AccreditationViewSchema,
  AccreditationDetail: AccreditationDetail,
  CaseHistoryEntry: CaseHistoryEntry,
};

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const ref = (id: string): JsonSchema => ({ $ref: `${COMPONENT_PREFIX}${id}` });

/** A JSON Schema for use inside the document: the dialect and id are the document's, not the schema's. */
function clean(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

function nameIn(registry: Registry, schema: z.ZodType, fallback: string): string {
  const existing = registry.get(schema)?.id;
  if (existing !== undefined) return existing;
  registry.add(schema, { id: fallback });
  return fallback;
}

function componentsOf(registry: Registry, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `${COMPONENT_PREFIX}${id}`, unrepresentable: 'any' });
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, clean(s as JsonSchema)]));
}

/** Path and query parameters, one per property of their object schema. */
function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (schema === undefined) return [];
  const shape = (schema as z.ZodObject).shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || !prop.safeParse(undefined).success,
    schema: clean(z.toJSONSchema(prop, { io: 'input', unrepresentable: 'any' }) as JsonSchema),
  }));
}

const toOpenApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function errorStatuses(route: AnyRoute): number[] {
  const statuses = new Set<number>(route.errors ?? []);
  if (route.params || route.query || route.body || route.rawBody || route.idempotent) statuses.add(400);
  // IDEMPOTENCY_KEY_REUSED: the key already names another request of the person's; IDEMPOTENCY_OUTCOME_UNKNOWN:
  // its first sending was never answered and is older than the seal window.
  if (route.idempotent) {
    statuses.add(422);
    statuses.add(409);
  }
  if (route.auth === 'bearer') statuses.add(401);
  if (route.roles) statuses.add(403);
  if (route.params) statuses.add(404);
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}

export function buildOpenApiDocument(routes: readonly AnyRoute[], info: { title: string; version: string; description?: string }): JsonSchema {
  const requests: Registry = z.registry<{ id: string }>();
  const responses: Registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(NAMED_RESPONSES)) responses.add(schema, { id });

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security: route.auth === 'bearer' ? [{ bearer: [] }] : [],
    };
    const description = [route.description, route.roles ? `Roles: ${route.roles.join(', ')}.` : undefined].filter(Boolean).join('\n\n');
    if (description) operation.description = description;

    const parameters = [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')];
    if (route.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Your id for this request. Sent again with the same key and the same request (method, path, body), it is answered with the first success answer, ' +
          'however late (IDEMPOTENCY_RETENTION_DAYS), with the header `Idempotent-Replayed: true`, and nothing is done again. ' +
          'The same key with another request is refused `422 IDEMPOTENCY_KEY_REUSED`. A refusal or a 5xx is not recorded: a retry with the key does the work then. ' +
          'A resend more than 5 minutes after a first sending whose answer was never recorded (the API stopped while answering) is refused `409 IDEMPOTENCY_OUTCOME_UNKNOWN`: look at the case.',
        schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' },
      });
    }
    if (parameters.length > 0) operation.parameters = parameters;

    if (route.body) {
      const id = nameIn(requests, route.body, route.bodyName ?? `${capitalise(route.operationId)}Body`);
      operation.requestBody = { required: true, content: { 'application/json': { schema: ref(id) } } };
    }
    if (route.rawBody) {
      const file = { type: 'string', format: 'binary', maxLength: route.rawBody.maxBytes };
      operation.requestBody = { required: true, content: Object.fromEntries(route.rawBody.mediaTypes.map((type) => [type, { schema: file }])) };
    }

    const answers: Record<string, JsonSchema> = {};
    const success: JsonSchema = route.response
      ? {
          description: 'Success',
          content: {
            'application/json': { schema: ref(nameIn(responses, route.response, `${capitalise(route.operationId)}Response`)) },
            ...Object.fromEntries((route.alsoAs ?? []).map((type) => [type, { schema: { type: 'string' } }])),
          },
        }
      : route.fileResponse
        ? { description: 'The file', content: Object.fromEntries(route.fileResponse.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])) }
        : { description: 'Success, no content' };
    answers[String(route.status)] = route.idempotent
      ? { ...success, headers: { 'Idempotent-Replayed': { description: 'Present (`true`) when this is the recorded first answer to the same request under the same Idempotency-Key', schema: { type: 'string', enum: ['true'] } } } }
      : success;
    for (const [status, other] of Object.entries(route.otherResponses ?? {})) {
      answers[status] = {
        description: other.description,
        content: { 'application/json': { schema: ref(nameIn(responses, other.schema, `${capitalise(route.operationId)}Response${status}`)) } },
      };
    }
    for (const status of errorStatuses(route)) {
      answers[String(status)] ??= {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/json': { schema: ref('Error') } },
      };
    }
    operation.responses = answers;

    const path = toOpenApiPath(route.url);
    paths[path] ??= {};
    (paths[path] as Record<string, JsonSchema>)[route.method.toLowerCase()] = operation;
  }

  const requestComponents = componentsOf(requests, 'input');
  const responseComponents = componentsOf(responses, 'output');
  for (const id of Object.keys(requestComponents)) {
    if (id in responseComponents) throw new Error(`OpenAPI component ${id} is both a request and a response schema`);
  }

  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    tags: [
      { name: 'auth', description: 'Logging in and out' },
      { name: 'accounts', description: 'Accounts (administrators)' },
      { name: 'nocs', description: 'No Objection Certificates: time-based exemptions from the cloud-first policy' },
      { name: 'csps', description: 'The CSP register: providers and their offerings' },
      { name: 'accreditations', description: 'Accreditation of CSP offerings against the benchmark framework' },
      { name: 'pses', description: 'The PSE register: public service entities and the procurements they record' },
      { name: 'inbox', description: "Every person's notices, as mailed to them" },
      { name: 'evidence', description: 'Evidence files, stored by their SHA-256 hash and named in applications and reviews' },
      { name: 'system', description: 'Health and this document' },
    ],
    paths,
    components: {
      schemas: { ...responseComponents, ...requestComponents },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token from POST /api/auth/login' } },
    },
  };
}
