import { z } from 'zod';
import {
  AnalyzeResponseSchema,
  ErrorSchema,
  HealthSchema,
  NoteRequestSchema,
  ReadySchema,
  RedactResponseSchema,
} from './requests.js';

/**
 * The OpenAPI 3.1 document served at /openapi.json, generated from the zod schemas the handlers
 * validate with (OpenAPI 3.1 schemas are JSON Schema 2020-12, what zod emits). A test checks
 * that its paths are exactly the server's routes.
 */

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({
  'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) },
});
const error = (description: string) => ({ description, content: json(ErrorSchema) });
const ERRORS = {
  '400': error('E132 not JSON or not the request schema; E133 a server-only config field; E010/E012/E113 the merged config is invalid'),
  '401': error('E134 missing or wrong bearer token'),
  '413': error('E135 body larger than serve.maxBodyBytes'),
  '415': error('E132 not application/json'),
  '422': error('E137 the note ran past serve.noteSeconds'),
  '500': error('E046 a detector failed (fail closed: no partial output); E139 unexpected'),
  '503': error('E136 loading, busy (serve.maxInFlight) or shutting down; see Retry-After'),
};

const noteRoute = (summary: string, response: z.ZodType) => ({
  post: {
    summary,
    security: [{ bearer: [] }],
    requestBody: { required: true, content: json(NoteRequestSchema, 'input') },
    responses: { '200': { description: 'One note in, one result; `notes` in, `notes` out (a failed note carries `error`).', content: json(response) }, ...ERRORS },
  },
});

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'phi-redact',
      version,
      description: 'Find and replace PHI in clinical notes. Bodies and note text are never logged; errors never quote note text.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/v1/redact': noteRoute('Redact one note or a batch: redacted text and spans (input and output offsets).', RedactResponseSchema),
      '/v1/analyze': noteRoute('Detect PHI in one note or a batch: spans only.', AnalyzeResponseSchema),
      '/healthz': { get: { summary: 'The process is alive (no token needed).', security: [], responses: { '200': { description: 'alive', content: json(HealthSchema) } } } },
      '/readyz': {
        get: {
          summary: 'Ready: the pipeline (model checksum checked) has loaded (no token needed).',
          security: [],
          responses: {
            '200': { description: 'ready', content: json(ReadySchema) },
            '503': { description: 'loading or stopping', content: json(ReadySchema) },
          },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document.', security: [{ bearer: [] }], responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } }, '401': ERRORS['401'] } },
      },
    },
  };
}
