import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { AccessRule, readAccessRule } from './authenticated.decorator';
import { Permission, Role, ROLE_PERMISSIONS } from './permissions';

/** One route of the application and what it requires. */
export interface RouteAccess {
  /** `GET /v1/auth/me` */
  route: string;
  /** `AuthController.me` */
  handler: string;
  path: string;
  /** Undefined when the route decided nothing (the guard refuses it). */
  rule: AccessRule | undefined;
}

/** Every controller of a running application. */
export function controllersOf(modules: ModulesContainer): Type[] {
  return [...modules.values()].flatMap((module) => [...module.controllers.values()].map(({ metatype }) => metatype as Type));
}

/** Every route the controllers declare, with its access rule, as the guard reads it. */
export function listRoutes(controllers: Iterable<Type>): RouteAccess[] {
  const routes: RouteAccess[] = [];
  for (const controller of controllers) {
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      for (const path of pathsOf(controller, handler)) {
        routes.push({ route: `${method} ${path}`, handler: `${controller.name}.${name}`, path, rule: readAccessRule(handler, controller) });
      }
    }
  }
  return routes;
}

/** URI versioning (`/v1/...`), as app.factory.ts enables it. */
function pathsOf(controller: Type, handler: object): string[] {
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [value === undefined ? '' : String(value)]);
  const version = Reflect.getMetadata(VERSION_METADATA, handler) ?? Reflect.getMetadata(VERSION_METADATA, controller);
  const prefixes = version === undefined || typeof version === 'symbol' ? [''] : list(version).map((v) => `v${v}`);
  return prefixes.flatMap((prefix) =>
    list(Reflect.getMetadata(PATH_METADATA, controller)).flatMap((base) =>
      list(Reflect.getMetadata(PATH_METADATA, handler)).map((own) => `/${[prefix, base, own].flatMap((part) => part.split('/')).filter(Boolean).join('/')}`),
    ),
  );
}

/** Records, consents and audit: where a patient acts as their pseudonym, never as their persona. */
const PSEUDONYM_AREAS = ['record.', 'consent.', 'audit.'];
const PSEUDONYM_PATHS = ['/v1/records', '/v1/consents', '/v1/audit'];

const inPseudonymArea = (route: RouteAccess, permission: Permission): boolean =>
  PSEUDONYM_AREAS.some((area) => permission.startsWith(area)) || PSEUDONYM_PATHS.some((path) => route.path === path || route.path.startsWith(`${path}/`));

/**
 * The routes in the records, consent and audit areas (by permission or by path) that a
 * patient's persona account could call, i.e. that accept accounts with a permission the
 * patient role holds. Each would let a persona id reach a records, consent or audit route,
 * which trust model 1 forbids. `rolePermissions` is the real map unless a test gives another.
 */
export function personaExposures(routes: readonly RouteAccess[], rolePermissions: Readonly<Record<Role, readonly Permission[]>> = ROLE_PERMISSIONS): string[] {
  return routes.flatMap((route) => {
    const { rule } = route;
    const exposed =
      rule?.kind === 'authenticated' &&
      inPseudonymArea(route, rule.permission) &&
      rule.principals.includes('account') &&
      rolePermissions[Role.Patient].includes(rule.permission);
    return exposed ? [`${route.route} (${route.handler})`] : [];
  });
}
