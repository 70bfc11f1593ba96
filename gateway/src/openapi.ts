import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_HEADER, API_KEY_SCHEME } from './auth/authenticated.decorator';

/** The Swagger UI's sections, in the order an administrator meets them. */
export const OPENAPI_TAGS: ReadonlyArray<readonly [string, string]> = [
  ['auth', 'Signing in: people with a password, patients as their persona (a one-time code) or their pseudonym; your own session and password'],
  ['patients', 'Patients: registering with Aadhaar eKYC, and their own persona (identity matters)'],
  ['records', "Hospital systems and doctors: FHIR records filed for a patient who gave a filing token; patients (as their pseudonym): their records, proven against the chain"],
  ['consents', "Patients (as their pseudonym): relationships, grants and revocations their software signed, relayed to the chain; their consents as the chain says them"],
  ['access', 'Hospitals, doctors and pharmacists: patients who granted them access, and reading records under consent (each read logged on chain); patients: who read what'],
  ['webhooks', 'Hospital systems: signed, retried webhooks for the consents, requests and anchors that concern them'],
  ['research', 'Researchers: de-identified datasets of the patients who consented to research, with a k-anonymity floor'],
  ['emergencies', 'Doctors: break-glass requests, approved k-of-n by the authorities on chain; patients: the requests for their records; authorities: the review list'],
  ['accounts', 'Administrators: the accounts of people and hospital systems'],
  ['API keys', "Administrators: hospital systems' API keys"],
  ['security events', 'Administrators: the security audit trail'],
  ['network', 'Administrators: the consortium chain and its validators'],
  ['consortium', "Authorities: hospitals proposed for admission, suspension or reinstatement, and decisions signed with the authority's own key, relayed"],
  ['health', 'Operators: whether the gateway and what it depends on answer'],
];

const ERROR = { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } } };
type Responses = Record<string, { description: string } & Record<string, unknown>>;

/** Adds `codes` to the operation's `status` answer, creating it if the operation did not document it. */
function document(responses: Responses, status: string, description: string): void {
  const existing = responses[status];
  if (!existing) responses[status] = { description, ...ERROR };
  else if (!existing.description.includes(description)) existing.description = `${existing.description}; ${description}`;
}

/**
 * What every route may answer besides its own responses (the gateway's layers: rate limits, body
 * parsing, validation), written into each operation so an integrator sees every code in one place.
 * Public routes get `security: []`: they take no credential, which OpenAPI says explicitly.
 */
export function completeOperations(doc: OpenAPIObject): void {
  for (const item of Object.values(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      operation.security ??= [];
      const responses = operation.responses as Responses;
      document(responses, '429', 'Too many requests from this address or by this caller (RATE_LIMITED), with Retry-After');
      const hasBody = operation.requestBody !== undefined;
      const hasParameters = (operation.parameters ?? []).length > 0;
      if (hasBody || hasParameters) document(responses, '400', 'A malformed field, path or query parameter (VALIDATION_FAILED, BAD_REQUEST)');
      if (hasBody) {
        document(responses, '400', 'A body that is not JSON (MALFORMED_JSON), nests deeper than 32 levels (JSON_TOO_DEEP) or holds a NUL character (NUL_CHARACTER)');
        document(responses, '413', 'The body is over the limit (PAYLOAD_TOO_LARGE)');
        document(responses, '415', 'Another content type than the route takes (UNSUPPORTED_MEDIA_TYPE)');
      }
    }
  }
}

/** OpenAPI for hospital integrators (`/docs-json`) and the Swagger UI for administrators (`/docs`). */
export function setupOpenApi(app: INestApplication): void {
  const builder = new DocumentBuilder()
    .setTitle('EHRChain gateway')
    .setDescription(
      'Patient-controlled health-record exchange. People sign in (`POST /v1/auth/login`) and send ' +
        '`Authorization: Bearer <token>`; hospital systems send `X-API-Key`. Patients act on records, ' +
        'consents and audit as their pseudonym: they sign a challenge (`POST /v1/auth/pseudonym/challenge`, ' +
        'then `/token`) and send that token. Each route lists the kinds of caller it accepts (`x-principals`). ' +
        'Errors always have the shape `{ statusCode, code, message, requestId }`; 429 and 503 answers carry `Retry-After`.',
    )
    .setVersion('0.1.0')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'This gateway')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, API_KEY_SCHEME);
  for (const [name, description] of OPENAPI_TAGS) builder.addTag(name, description);
  const doc = SwaggerModule.createDocument(app, builder.build());
  completeOperations(doc);
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs-json' });
}
