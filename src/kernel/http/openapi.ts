import { z } from 'zod';
import type { RouteDefinition } from '../types/http.js';
import { describe } from './access.js';

/** The OpenAPI 3.1 document, generated from the routes' own zod schemas. */
export function openApiDocument(mounted: { prefix: string; tag: string; routes: readonly RouteDefinition[] }[]): object {
  const schema = (s: z.ZodType, io: 'input' | 'output') => {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    return rest;
  };
  const parameters = (s: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!s) return [];
    const json = schema(s, 'input') as { properties?: Record<string, object>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, property]) => ({
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      schema: property,
    }));
  };
  const paths: Record<string, Record<string, object>> = {};
  for (const { prefix, tag, routes } of mounted) {
    for (const r of routes) {
      const path = `${prefix}${r.path}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}') || '/';
      const headers = [
        { name: 'Min-Position', in: 'header', required: false, schema: { type: 'integer', minimum: 0 }, description: 'wait (up to 5 s) until the module has processed this global position' },
      ];
      const responses: Record<string, object> = {};
      for (const [status, body] of Object.entries(r.responses)) {
        responses[status] = body ? { description: `${status}`, content: { 'application/json': { schema: schema(body, 'output') } } } : { description: `${status}` };
      }
      responses.default = { description: 'problem details (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
      paths[path] ??= {};
      paths[path][r.method] = {
        tags: [tag],
        summary: r.summary,
        // Who may call it, as the kernel enforces it: `x-access` lists the grants (see docs/API.md, "Who may do what").
        description: `Who may call it: ${describe(r.access)}.`,
        'x-access': r.access,
        ...(r.access !== 'anyone' ? { security: [{ bearer: [] }] } : {}),
        parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query'), ...headers],
        ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body, 'input') } } } } : {}),
        responses,
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'seams', version: '0.1.0', description: 'HTTP API of the seams reference application (see docs/API.md).' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a member\'s session token, a service token, or the admin credential (SEAMS_ADMIN_TOKEN)' } },
      schemas: {
        Problem: schema(
          z.object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(), errors: z.array(z.object({ path: z.string(), message: z.string() })).optional() }),
          'output',
        ),
      },
    },
  };
}
