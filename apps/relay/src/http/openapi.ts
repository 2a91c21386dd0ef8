// The OpenAPI 3.1 document of the HTTP server API, generated from the zod schemas api.ts validates
// with (api-schemas.ts). Served at /api/v1/openapi.json and committed as docs/openapi.json (a test
// keeps the committed copy equal to this output: regenerate with `pnpm --filter @roomcast/relay openapi`).
import { z } from 'zod';
import { API_ERROR_CODES, API_PREFIX, ApiError, OPERATIONS, type Operation } from './api-schemas.js';

type Json = Record<string, unknown>;

function schema(type: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

function parameters(object: z.ZodObject | undefined, where: 'path' | 'query'): Json[] {
  if (object === undefined) return [];
  const json = schema(object, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || (json.required ?? []).includes(name), description, schema: rest };
  });
}

function operation(op: Operation): Json {
  const responses: Json = {
    200: { description: 'OK', content: { 'application/json': { schema: schema(op.response, 'output') } } },
    401: { description: 'No API key, or not one of RELAY_API_KEYS (`unauthorized`).', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    429: {
      description: 'This key made more than RELAY_API_RATE_PER_SEC requests per second (after a burst of RELAY_API_BURST): `rate_limited`.',
      headers: { 'Retry-After': { description: 'Seconds until the key may make its next request (rounded up; `error.retryAfterMs` has the milliseconds).', schema: { type: 'integer', minimum: 1 } } },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    },
  };
  for (const code of op.errors) {
    const status = API_ERROR_CODES[code];
    const previous = (responses[status] as { description?: string } | undefined)?.description;
    responses[status] = {
      description: previous === undefined ? `\`${code}\`` : `${previous}, \`${code}\``,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  const body = op.body === undefined ? undefined
    : op.body === 'binary'
      ? { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }
      : { required: false, content: { 'application/json': { schema: schema(op.body, 'input') } } };
  return {
    operationId: op.id,
    summary: op.summary,
    parameters: [...parameters(op.params, 'path'), ...parameters(op.query, 'query')],
    ...(body === undefined ? {} : { requestBody: body }),
    responses,
  };
}

/** `info.version` is the API's version (the path prefix), not the relay's, so the committed copy only changes with the API. */
export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS as readonly Operation[]) {
    const path = API_PREFIX + op.path;
    paths[path] = { ...paths[path], [op.method]: operation(op) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Roomcast relay server API',
      version: '1',
      description: 'Steer rooms from the application\'s server. Enabled by RELAY_API_KEYS; see docs/server-api.md.',
    },
    servers: [{ url: 'http://127.0.0.1:8080' }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'One of the keys in RELAY_API_KEYS.' } },
      schemas: { Error: schema(ApiError, 'output') },
    },
  };
}
