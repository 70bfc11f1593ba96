import type { ChainClient } from '../../../gateway/src/chain/chain-client';
import type { ChainContract } from '../../../gateway/src/chain/chain-contract';
import type { TestChain } from './chain';
import { deployConsortium } from './consortium';
import { transact } from './rpc';

/** A short admin-transfer delay, so a test can wait it out with increaseTime. */
export const ADMIN_DELAY = 3_600;

/**
 * RecordAnchors or AccessLog as the gateway deploys them: `admin` (the consortium) holds
 * DEFAULT_ADMIN_ROLE, `gateway` deploys and is only the writer (ANCHORER_ROLE / LOGGER_ROLE).
 */
export async function deployWriterContract(chain: TestChain, name: 'RecordAnchors' | 'AccessLog') {
  const admin = chain.client();
  const gateway = chain.client();
  const { address } = await gateway.deploy(name, [ADMIN_DELAY, admin.address, gateway.address]);
  return { admin, gateway, address, contract: gateway.contract(name, address), asAdmin: admin.contract(name, address) };
}

/** The admin grants `role` (by its constant's name, e.g. 'ANCHORER_ROLE') to `account`. */
export async function grantRole(admin: ChainClient, contract: ChainContract, roleName: string, account: string): Promise<string> {
  const [role] = await admin.call(contract, roleName, []);
  await transact(admin, contract, 'grantRole', [role, account]);
  return role as string;
}

/** `from` calls a ConsortiumRoleAdmin `propose*` method; the new proposal's id and the events. */
export async function proposeRoleAction(from: ChainClient, governor: ChainContract, method: string, args: unknown[]) {
  const { events } = await transact(from, governor, method, args);
  return { proposalId: events[0]!.args.proposalId as bigint, events };
}

/**
 * RecordAnchors and AccessLog as the gateway deploys them (contract-suite.ts): a 2-of-3
 * ConsortiumRegistry (deployConsortium: `authorities[0..2]`, the fourth governs nothing here), a
 * ConsortiumRoleAdmin over it (`governor`) holding DEFAULT_ADMIN_ROLE of both, and `gateway`,
 * which deploys them all and is only their writer.
 */
export async function deployGovernedWriters(chain: TestChain) {
  const consortium = await deployConsortium(chain);
  const gateway = chain.client();
  const { address: governorAddress } = await gateway.deploy('ConsortiumRoleAdmin', [consortium.registry.address]);
  const anchors = await gateway.deploy('RecordAnchors', [ADMIN_DELAY, governorAddress, gateway.address]);
  const log = await gateway.deploy('AccessLog', [ADMIN_DELAY, governorAddress, gateway.address]);
  return {
    ...consortium,
    gateway,
    governor: gateway.contract('ConsortiumRoleAdmin', governorAddress),
    anchors: gateway.contract('RecordAnchors', anchors.address),
    log: gateway.contract('AccessLog', log.address),
  };
}
