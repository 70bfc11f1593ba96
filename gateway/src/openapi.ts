import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_HEADER, API_KEY_SCHEME } from './auth/authenticated.decorator';

/** OpenAPI for hospital integrators (`/docs-json`) and the Swagger UI for administrators (`/docs`). */
export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('EHRChain gateway')
      .setDescription(
        'Patient-controlled health-record exchange. People sign in (`POST /v1/auth/login`) and send ' +
          '`Authorization: Bearer <token>`; hospital systems send `X-API-Key`. Patients act on records, ' +
          'consents and audit as their pseudonym: they sign a challenge (`POST /v1/auth/pseudonym/challenge`, ' +
          'then `/token`) and send that token. Each route lists the kinds of caller it accepts (`x-principals`). ' +
          'Errors always have the shape `{ statusCode, code, message, requestId }`.',
      )
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, API_KEY_SCHEME)
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
