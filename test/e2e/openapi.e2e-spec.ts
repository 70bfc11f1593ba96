import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { OPENAPI_TAGS } from '../../gateway/src/openapi';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
}
interface Schema {
  $ref?: string;
  properties?: Record<string, { example?: unknown; enum?: unknown; default?: unknown; $ref?: string }>;
  example?: unknown;
}
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> }; tags: Array<{ name: string }> };

/**
 * Issue 10: the OpenAPI document is the hospital integrator's contract and the Swagger UI the
 * administrators' console. It must pass Redocly's recommended rules, describe every operation,
 * give examples for every request body, and produce a client that compiles.
 */
describe('the OpenAPI document (e2e)', () => {
  let gw: TestApp;
  let doc: Document;
  let raw: string;

  beforeAll(async () => {
    gw = await createTestApp();
    const res = await gw.http.get('/docs-json').expect(200);
    doc = res.body as Document;
    raw = res.text;
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const operations = (): Array<[string, Operation]> =>
    Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]));

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const { createConfig, lintFromString } = await import('@redocly/openapi-core');
    const config = await createConfig({ extends: ['recommended'] });

    const problems = await lintFromString({ source: raw, absoluteRef: 'openapi.json', config });

    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} (${p.location[0]?.pointer})`)).toEqual([]);
  });

  it('gives every operation a summary, a description and one of the console sections, in their order', () => {
    const missing = operations().filter(([, op]) => !op.summary || !op.description || op.tags?.length !== 1 || !OPENAPI_TAGS.some(([tag]) => tag === op.tags![0]));

    expect(missing.map(([name]) => name)).toEqual([]);
    expect(doc.tags.map((t) => t.name)).toEqual(OPENAPI_TAGS.map(([name]) => name));
  });

  it('documents the answers every route may give besides its own: 429 everywhere, 400/413/415 where there is a body', () => {
    for (const [name, op] of operations()) {
      expect({ name, has429: '429' in op.responses }).toEqual({ name, has429: true });
      if (op.requestBody) expect({ name, codes: ['400', '413', '415'].every((code) => code in op.responses) }).toEqual({ name, codes: true });
    }
  });

  it('shows an example for every field of every JSON request body', () => {
    const withoutExample: string[] = [];
    for (const [name, op] of operations()) {
      const schema = op.requestBody?.content['application/json']?.schema;
      if (!schema) continue;
      const resolved = schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!]! : schema;
      for (const [field, property] of Object.entries(resolved.properties ?? {})) {
        if (property.example === undefined && property.enum === undefined && property.default === undefined && property.$ref === undefined) withoutExample.push(`${name} ${field}`);
      }
    }

    expect(withoutExample).toEqual([]);
  });

  it('generates a typed client (openapi-typescript) that compiles, and whose types say what the routes take', async () => {
    const { default: openapiTS, astToString } = await import('openapi-typescript');
    const dir = await mkdtemp(join(tmpdir(), 'ehr-openapi-'));
    try {
      // A .ts file, not .d.ts: checked in full while the standard library's .d.ts files are skipped.
      await writeFile(join(dir, 'api.ts'), astToString(await openapiTS(JSON.parse(raw))));
      // A hospital integrator's code against the generated types: it must type-check, and a wrong field must not.
      await writeFile(join(dir, 'client.ts'), [
        "import type { paths } from './api';",
        "type Login = paths['/v1/auth/login']['post']['requestBody']['content']['application/json'];",
        "export const login: Login = { username: 'dr.meera', password: 'a long passphrase' };",
        "type Account = paths['/v1/accounts/{id}']['get']['responses'][200]['content']['application/json'];",
        "export const role = (a: Account): string => a.role;",
        "// @ts-expect-error the login takes no `user` field",
        "export const wrong: Login = { user: 'x', password: 'y' };",
      ].join('\n'));
      const program = ts.createProgram([join(dir, 'client.ts')], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true });

      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));

      expect(diagnostics).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
