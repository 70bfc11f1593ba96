import type { ChainClient } from '../../../gateway/src/chain/chain-client';
import type { ChainContract } from '../../../gateway/src/chain/chain-contract';
import { randomBytes32, TestChain } from './chain';
import { DAY, transact } from './rpc';
import { testbed } from './testbed';

/** Practitioner roles as the registry numbers them. */
export const DOCTOR = 1;
export const PHARMACIST = 2;

/** Deploys a ConsortiumRegistry governed by `authorities`, `threshold` of whom must approve a proposal. */
export async function deployRegistry(deployer: ChainClient, authorities: string[], threshold: number, proposalTtl: number | bigint = DAY): Promise<ChainContract> {
  const { address } = await deployer.deploy('ConsortiumRegistry', [authorities, threshold, proposalTtl]);
  return deployer.contract('ConsortiumRegistry', address);
}

/** `from` proposes `method` (proposeAdmission, proposeSuspension…) for `hospital`; the proposal id and the events. */
export async function propose(from: ChainClient, registry: ChainContract, method: string, hospital: string, hash = randomBytes32()) {
  const { events } = await transact(from, registry, method, [hospital, hash]);
  return { proposalId: events[0].args.proposalId as bigint, events };
}

/** Admits `hospital`: the first of `approvers` proposes, the others approve (together they must reach the threshold). */
export async function admit(registry: ChainContract, approvers: ChainClient[], hospital: string): Promise<void> {
  const [proposer, ...others] = approvers;
  const { proposalId } = await propose(proposer, registry, 'proposeAdmission', hospital);
  for (const authority of others) await transact(authority, registry, 'approve', [proposalId]);
}

/** Registers `practitioner` as `hospital`'s, a doctor unless `role` says otherwise, with a fresh council registration hash. */
export async function registerPractitioner(hospital: ChainClient, registry: ChainContract, practitioner: string, role = DOCTOR): Promise<void> {
  await transact(hospital, registry, 'registerPractitioner', [practitioner, role, randomBytes32()]);
}

export type Consortium = Awaited<ReturnType<typeof deployConsortium>>;

/**
 * A consortium on `chain`: four authority accounts, the first three of which govern `registry`
 * 2-of-3 (the fourth is an authority elsewhere, or of a stricter registry a test deploys).
 */
export async function deployConsortium(chain: TestChain) {
  const deployer = chain.client();
  const authorities = [chain.client(), chain.client(), chain.client(), chain.client()];
  const registry = await deployRegistry(deployer, authorities.slice(0, 3).map((a) => a.address), 2);
  return {
    deployer,
    authorities,
    registry,
    /** A new hospital account, admitted in `registry` by authorities 0 and 1. */
    async admittedHospital(): Promise<ChainClient> {
      const hospital = chain.client();
      await admit(registry, authorities.slice(0, 2), hospital.address);
      return hospital;
    },
    /** Suspends `hospital` in `registry`: authority 2 proposes, authority 0 approves (2 of 3). */
    async suspend(hospital: string): Promise<void> {
      const { proposalId } = await propose(authorities[2], registry, 'proposeSuspension', hospital);
      await transact(authorities[0], registry, 'approve', [proposalId]);
    },
  };
}

/**
 * A 2-of-3 ConsortiumRegistry under test (`sut`, the consortium's `registry`), shared by a file's
 * tests (each uses hospitals of its own), and a `stranger` account that holds no role in it.
 */
export function consortiumTestbed() {
  const bed = testbed(async (chain) => {
    const consortium = await deployConsortium(chain);
    return { ...consortium, sut: consortium.registry, stranger: chain.client() };
  });
  return Object.assign(bed, {
    view: (contract: ChainContract, method: string, args: unknown[]): Promise<unknown[]> => bed.deployer.call(contract, method, args),
  });
}
