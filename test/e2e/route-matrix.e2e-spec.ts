import { ModulesContainer } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { PSEUDONYM_PERMISSIONS, Role, ROLE_PERMISSIONS } from '../../gateway/src/auth/permissions';
import { controllersOf, listRoutes, RouteAccess } from '../../gateway/src/auth/route-access';
import { AccountFactory } from '../factories/account.factory';
import { PatientFactory } from '../factories/patient.factory';
import { RecordFactory } from '../factories/record.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/** A caller of each kind the gateway knows, and what the permission map says it may do. */
interface Caller {
  name: string;
  headers: Record<string, string>;
  kind: 'account' | 'pseudonym' | 'anonymous';
  role?: Role;
}

/** Routes whose success ends the caller's own session: checked for refusals only, so the matrix keeps its tokens. */
const ENDS_SESSION = new Set(['POST /v1/auth/logout', 'POST /v1/auth/refresh']);
const GUARD_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'PRINCIPAL_NOT_ACCEPTED']);

/**
 * Issue 14, point 1 (DESIGN trust model 9): every route of the running gateway, called by every
 * role, a patient's persona, a pseudonym and nobody, with made-up ids. Each answer must be the
 * one the permission map gives: 401 for nobody, 403 PRINCIPAL_NOT_ACCEPTED for a kind the route
 * does not take, 403 FORBIDDEN for a role without the permission, and past the guard otherwise
 * (made-up ids then get 404 or another object-level answer, never data and never a guard refusal).
 */
describe('every route x every caller, against the permission map (e2e)', () => {
  let gw: TestApp;
  let callers: Caller[];
  let routes: RouteAccess[];

  beforeAll(async () => {
    gw = await createTestApp();
    const adminToken = await AccountFactory.adminToken(gw);
    const person = async (role: Role): Promise<Caller> => ({ name: role, kind: 'account', role, headers: (await AccountFactory.person(gw, adminToken, role)).auth });
    const hospital = await AccountFactory.hospital(gw, adminToken);
    const persona = await PatientFactory.register(gw, PatientFactory.resident(0));
    const pseudonym = await RecordFactory.patient(gw);
    callers = [
      { name: 'admin', kind: 'account', role: Role.Admin, headers: { Authorization: `Bearer ${adminToken}` } },
      { name: 'hospital', kind: 'account', role: Role.Hospital, headers: hospital.auth },
      await person(Role.Doctor), await person(Role.Pharmacist), await person(Role.Researcher), await person(Role.Authority),
      { name: 'patient persona', kind: 'account', role: Role.Patient, headers: persona.auth },
      { name: 'pseudonym', kind: 'pseudonym', headers: pseudonym.auth },
      { name: 'nobody', kind: 'anonymous', headers: {} },
    ];
    routes = listRoutes(controllersOf(gw.app.get(ModulesContainer)));
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  /** What the map says: 401, PRINCIPAL_NOT_ACCEPTED, FORBIDDEN, or allowed. */
  function expected(route: RouteAccess, caller: Caller): 'UNAUTHENTICATED' | 'PRINCIPAL_NOT_ACCEPTED' | 'FORBIDDEN' | 'allowed' {
    const rule = route.rule!;
    if (rule.kind !== 'authenticated') return 'allowed';
    if (caller.kind === 'anonymous') return 'UNAUTHENTICATED';
    if (!rule.principals.includes(caller.kind)) return 'PRINCIPAL_NOT_ACCEPTED';
    const granted = caller.kind === 'account' ? ROLE_PERMISSIONS[caller.role!] : PSEUDONYM_PERMISSIONS;
    return granted.includes(rule.permission) ? 'allowed' : 'FORBIDDEN';
  }

  const call = (route: RouteAccess, caller: Caller) => {
    const [method] = route.route.split(' ');
    const path = route.path.replace(/:version\b/, '1').replace(/:[A-Za-z]+/g, () => randomUUID());
    const request = gw.http[method!.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch'](path).set(caller.headers);
    return method === 'GET' || method === 'DELETE' ? request : request.send({});
  };

  it('answers every authenticated route as the permission map says, for every kind of caller', async () => {
    const guarded = routes.filter(({ rule }) => rule?.kind === 'authenticated');
    expect(guarded.length).toBeGreaterThan(50);
    const mismatches: string[] = [];
    for (const route of guarded) {
      for (const caller of callers) {
        const want = expected(route, caller);
        if (want === 'allowed' && ENDS_SESSION.has(route.route)) continue;
        const res = await call(route, caller);
        const code = String(res.body?.code ?? '');
        const got = res.status === 401 ? 'UNAUTHENTICATED' : res.status === 403 && GUARD_CODES.has(code) ? code : 'allowed';
        if (got !== want) mismatches.push(`${route.route} as ${caller.name}: wanted ${want}, got ${res.status} ${code}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('gives no allowed caller data for an id it made up: object-level checks on every id in a path', async () => {
    const withIds = routes.filter(({ rule, path }) => rule?.kind === 'authenticated' && /:[A-Za-z]+/.test(path.replace(/:version\b/, '')));
    const leaks: string[] = [];
    for (const route of withIds) {
      for (const caller of callers.filter((c) => expected(route, c) === 'allowed')) {
        const res = await call(route, caller);
        if (res.status < 400) leaks.push(`${route.route} as ${caller.name}: ${res.status}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
