import { loadArtifact } from '../chain/artifacts';
import { ChainClient } from '../chain/chain-client';
import { ChainContract, ChainEvent } from '../chain/chain-contract';
import { ConsortiumRegistry, HospitalStatus } from '../chain/consortium-registry';

const RECEIPT_MS = 10_000;

/** The consortium on a chain, as its authorities reach it with their own keys (not through the gateway). */
export interface ConsortiumAt {
  rpcUrl: string;
  registry: string;
  /** Private keys of the authorities, at least `threshold` of them. */
  authorityKeys: string[];
  threshold: number;
}

/** A transaction to ConsortiumRegistry from an authority or a hospital, with its own key, mined: its events. */
export async function sendToRegistry(at: ConsortiumAt, privateKey: string, method: string, args: unknown[]): Promise<ChainEvent[]> {
  const client = new ChainClient(at.rpcUrl, privateKey);
  try {
    const registry = new ChainContract(ConsortiumRegistry.artifactName, at.registry, loadArtifact(ConsortiumRegistry.artifactName).abi);
    const { txHash } = await client.send(registry, method, args);
    const receipt = await client.waitForReceipt(txHash, RECEIPT_MS);
    if (!receipt.success) throw new Error(`ConsortiumRegistry.${method} reverted`);
    return client.events(registry, receipt);
  } finally {
    client.close();
  }
}

/** Whether the authorities admitted `hospital`, suspended it, or never admitted it. */
export async function hospitalStatusAt(at: ConsortiumAt, hospital: string): Promise<HospitalStatus> {
  const client = new ChainClient(at.rpcUrl, at.authorityKeys[0]!);
  try {
    return await new ConsortiumRegistry(client, at.registry).hospitalStatus(hospital);
  } finally {
    client.close();
  }
}

/** ConsortiumRegistry's proposals about a hospital. */
export type HospitalProposal = 'proposeAdmission' | 'proposeSuspension' | 'proposeReinstatement';

/**
 * A proposal about `hospital` carried by k of the authorities, as the registry's governance does
 * it: the first proposes (its approval counts), k - 1 others approve, and the last approval
 * executes it. `dataHash` commits to the details or reasons, kept off chain.
 */
export async function carryProposal(at: ConsortiumAt, proposal: HospitalProposal, hospital: string, dataHash: string): Promise<void> {
  const [proposer, ...approvers] = at.authorityKeys.slice(0, at.threshold);
  const [proposed] = await sendToRegistry(at, proposer!, proposal, [hospital, dataHash]);
  for (const approver of approvers) await sendToRegistry(at, approver, 'approve', [proposed!.args.proposalId]);
}

/**
 * `hospital` admitted by k of the authorities (carryProposal). Nothing is sent for a hospital
 * already admitted; a suspended one is reinstated by a proposal of its own, not here.
 */
export async function admitHospital(at: ConsortiumAt, hospital: string, dataHash: string): Promise<'admitted' | 'already admitted'> {
  const status = await hospitalStatusAt(at, hospital);
  if (status === 'admitted') return 'already admitted';
  if (status === 'suspended') throw new Error(`${hospital} is suspended: its reinstatement is a proposal of its own`);
  await carryProposal(at, 'proposeAdmission', hospital, dataHash);
  return 'admitted';
}
