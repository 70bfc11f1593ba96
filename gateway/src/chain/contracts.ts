import { AccessLog } from './access-log';
import { ChainClient } from './chain-client';
import { ConsentManager } from './consent-manager';
import { ConsortiumRegistry } from './consortium-registry';
import { EmergencyAccess } from './emergency-access';
import { RecordAnchors } from './record-anchors';

/** A typed wrapper of one deployed contract, built from its address and deployment block. */
export interface ContractWrapper<T = object> {
  readonly artifactName: string;
  new (chain: ChainClient, address: string, deployedAt: bigint): T;
}

/**
 * The contracts features reach through a typed wrapper; ChainModule provides one instance of
 * each, so a feature injects `RecordAnchors` like any other dependency. Add a wrapper here,
 * not a provider of its own.
 */
export const CONTRACT_WRAPPERS: readonly ContractWrapper[] = [RecordAnchors, AccessLog, ConsentManager, EmergencyAccess, ConsortiumRegistry];
