import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { DEV_AUTHORITIES } from '../../gateway/src/config/app-config';
import { admitHospital, ConsortiumAt, sendToRegistry } from '../../gateway/src/consortium/admission';
import { KeyStore } from '../../gateway/src/keys/key-store';
import { Key, newKey } from '../contracts/support/accounts';
import { randomBytes32 } from '../contracts/support/chain';
import type { TestApp } from './test-app';

export type { ConsortiumAt } from '../../gateway/src/consortium/admission';

/** Practitioner roles as ConsortiumRegistry numbers them. */
export const PractitionerRole = { Doctor: 1, Pharmacist: 2 } as const;

/**
 * A test gateway's consortium as its authorities reach it: on the embedded chain the generated
 * development authorities, on an external chain the keys the test script made (E2E_AUTHORITY_KEYS).
 */
export async function consortiumOf(gw: TestApp): Promise<ConsortiumAt> {
  const external = process.env.E2E_AUTHORITY_KEYS?.split(',');
  return {
    rpcUrl: gw.app.get(ChainClient).rpcUrl,
    registry: gw.app.get(ChainRuntime).addresses.ConsortiumRegistry!,
    authorityKeys: external ?? (await gw.app.get(KeyStore).devAuthorityKeys(DEV_AUTHORITIES.count)),
    threshold: gw.config.consortium.threshold,
  };
}

/** The consortium of an embedded gateway running in another process, from its data directory (keys and deployments). */
export function devConsortium(dataDir: string, rpcUrl: string): ConsortiumAt {
  const deployments = JSON.parse(readFileSync(join(dataDir, 'chain', 'deployments.json'), 'utf8')).contracts;
  const authorityKeys = Array.from({ length: DEV_AUTHORITIES.count }, (_, i) => readFileSync(join(dataDir, 'keys', `dev-authority-${i + 1}.key`), 'utf8').trim());
  return { rpcUrl, registry: deployments.ConsortiumRegistry.address, authorityKeys, threshold: DEV_AUTHORITIES.threshold };
}

/** A hospital key admitted by k of the authorities (one proposes, k - 1 approve), as the registry's governance does it. */
export async function admittedHospital(at: ConsortiumAt): Promise<Key> {
  const hospital = newKey();
  await admitHospital(at, hospital.address, randomBytes32());
  return hospital;
}

/** A hospital key one authority proposed for admission, awaiting the others' approvals; the proposal's id. */
export async function proposedAdmission(at: ConsortiumAt, proposer = at.authorityKeys[0]!): Promise<{ hospital: Key; proposalId: number }> {
  const hospital = newKey();
  const [proposed] = await sendToRegistry(at, proposer, 'proposeAdmission', [hospital.address, randomBytes32()]);
  return { hospital, proposalId: Number(proposed!.args.proposalId as bigint) };
}

/** A practitioner key the hospital registers on chain (a fresh council registration commitment). */
export async function registeredPractitioner(at: ConsortiumAt, hospital: Key, role: number = PractitionerRole.Doctor): Promise<Key> {
  const practitioner = newKey();
  await sendToRegistry(at, hospital.key, 'registerPractitioner', [practitioner.address, role, randomBytes32()]);
  return practitioner;
}
