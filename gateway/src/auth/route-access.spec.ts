import { Controller, Get, Post } from '@nestjs/common';
import { Authenticated, Public } from './authenticated.decorator';
import { Permission, Role, ROLE_PERMISSIONS } from './permissions';
import { listRoutes, personaExposures } from './route-access';

// Permissions the consent and audit issues will add; here, for the fixtures only.
const { RecordRead } = Permission;
const ConsentGrant = 'consent.grant' as Permission;
const AuditRead = 'audit.read' as Permission;
/** The real map, plus the patient role (the persona face) wrongly holding the new permissions. */
const BAD_ROLE_MAP = { ...ROLE_PERMISSIONS, [Role.Patient]: [...ROLE_PERMISSIONS[Role.Patient], RecordRead, ConsentGrant, AuditRead] };

/** Deliberately wrong: each route lets a patient's persona account in. */
@Controller({ path: 'records', version: '1' })
class PersonaRecordsController {
  @Get(':id')
  @Authenticated({ permission: RecordRead })
  read() {}

  @Get()
  @Authenticated({ permission: Permission.SessionRead, principals: ['account', 'pseudonym'] })
  mine() {}
}

@Controller({ path: 'sharing', version: '1' })
class PersonaConsentController {
  @Post()
  @Authenticated({ permission: ConsentGrant })
  grant() {}
}

/** Right: the same areas, but for pseudonyms, for roles other than patient, or public. */
@Controller({ path: 'records', version: '1' })
class PseudonymRecordsController {
  @Get(':id/content')
  @Authenticated({ permission: RecordRead, principals: ['pseudonym'] })
  read() {}

  @Post()
  @Authenticated({ permission: Permission.RecordWrite })
  upload() {}

  @Get('schema')
  @Public('Fixture: the record format is no secret')
  schema() {}
}

@Controller({ path: 'auth', version: '1' })
class PersonaOutsideTheAreasController {
  @Get('me')
  @Authenticated({ permission: Permission.SessionRead })
  me() {}
}

describe(personaExposures.name, () => {
  it('lists every route with its path, handler and rule', () => {
    expect(listRoutes([PersonaRecordsController, PseudonymRecordsController])).toEqual([
      { route: 'GET /v1/records/:id', handler: 'PersonaRecordsController.read', path: '/v1/records/:id', rule: { kind: 'authenticated', permission: RecordRead, principals: ['account'] } },
      { route: 'GET /v1/records', handler: 'PersonaRecordsController.mine', path: '/v1/records', rule: { kind: 'authenticated', permission: Permission.SessionRead, principals: ['account', 'pseudonym'] } },
      { route: 'GET /v1/records/:id/content', handler: 'PseudonymRecordsController.read', path: '/v1/records/:id/content', rule: { kind: 'authenticated', permission: RecordRead, principals: ['pseudonym'] } },
      { route: 'POST /v1/records', handler: 'PseudonymRecordsController.upload', path: '/v1/records', rule: { kind: 'authenticated', permission: Permission.RecordWrite, principals: ['account'] } },
      { route: 'GET /v1/records/schema', handler: 'PseudonymRecordsController.schema', path: '/v1/records/schema', rule: { kind: 'public', reason: 'Fixture: the record format is no secret' } },
    ]);
  });

  it('reports each route in the records, consent or audit areas that a persona account could call', () => {
    const routes = listRoutes([PersonaRecordsController, PersonaConsentController, PseudonymRecordsController, PersonaOutsideTheAreasController]);
    expect(personaExposures(routes, BAD_ROLE_MAP)).toEqual([
      'GET /v1/records/:id (PersonaRecordsController.read)', // by path and by permission area
      'GET /v1/records (PersonaRecordsController.mine)', // by path: accounts with session.read include patients
      'POST /v1/sharing (PersonaConsentController.grant)', // by permission area, whatever the path
    ]);
  });

  it('reports nothing once the patient role no longer holds those permissions', () => {
    const routes = listRoutes([PersonaConsentController, PseudonymRecordsController, PersonaOutsideTheAreasController]);
    expect(personaExposures(routes, ROLE_PERMISSIONS)).toEqual([]);
  });
});
