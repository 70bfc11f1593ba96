import type { ChainClient } from '../../../gateway/src/chain/chain-client';
import type { ChainContract } from '../../../gateway/src/chain/chain-contract';
import type { TestChain } from './chain';
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
