import { z } from 'zod';
import { ADMIN_PREFIX, ADMIN_ROUTES, ERROR_RESPONSE } from './admin-api';

type JsonSchema = Record<string, unknown>;

function schemaOf(type: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const schema: JsonSchema = z.toJSONSchema(type, { io, unrepresentable: 'any' });
  // The document says which JSON Schema it uses once, for all (OpenAPI 3.1: 2020-12).
  delete schema.$schema;
  return schema;
}

const errorContent = { 'application/json': { schema: schemaOf(ERROR_RESPONSE) } };

/** The admin API as an OpenAPI 3.1 document, generated from the route table. */
export function adminOpenApi(version: string, serverUrl: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ADMIN_ROUTES) {
    const parameters = [
      ...Object.entries(route.pathParameters ?? {}).map(([name, schema]) => ({
        name,
        in: 'path',
        required: true,
        schema: schemaOf(schema),
      })),
      ...Object.entries(route.query?.shape ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: false,
        ...((schema as z.ZodType).description && {
          description: (schema as z.ZodType).description,
        }),
        schema: schemaOf(schema as z.ZodType, 'input'),
      })),
    ];
    const responses: Record<string, unknown> = {};
    if (route.response === undefined) responses['204'] = { description: 'Done' };
    else if ('csv' in route.response) {
      responses['200'] = {
        description: 'A file download (Content-Disposition: attachment)',
        content: {
          'text/csv': { schema: { type: 'string' } },
          'application/json': { schema: { type: 'array', items: { type: 'object' } } },
        },
      };
    } else {
      responses['200'] = {
        description: 'OK',
        content: { 'application/json': { schema: schemaOf(route.response) } },
      };
    }
    responses['400'] = { description: 'A parameter is invalid', content: errorContent };
    if (route.authenticated) {
      responses['401'] = {
        description: 'No, or a wrong, admin token or session',
        content: errorContent,
      };
    }
    responses['429'] = {
      description: 'Too many failed sign-ins or wrong tokens from this address; see Retry-After',
      content: errorContent,
    };
    paths[`${ADMIN_PREFIX}${route.path}`] ??= {};
    (paths[`${ADMIN_PREFIX}${route.path}`] as Record<string, unknown>)[route.method] = {
      summary: route.summary,
      ...(parameters.length > 0 && { parameters }),
      ...(route.body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
        },
      }),
      ...(route.authenticated && { security: [{ adminToken: [] }, { session: [] }] }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'LoreChat admin API',
      version,
      description:
        "The conversation log, content gaps, statistics and crawl status that the owner's console at /admin shows.",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
        session: { type: 'apiKey', in: 'cookie', name: 'lorechat_admin' },
      },
    },
    paths,
  };
}
