import { loadArtifact } from '../../gateway/src/chain/artifacts';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainContract, ChainEvent } from '../../gateway/src/chain/chain-contract';
import { Key, newKey } from '../contracts/support/accounts';
import { randomBytes32 } from '../contracts/support/chain';

/** Practitioner roles as ConsortiumRegistry numbers them. */
export const PractitionerRole = { Doctor: 1, Pharmacist: 2 } as const;

/** The consortium on a chain, as its authorities and hospitals reach it with their own keys (not through the gateway). */
export interface ConsortiumAt {
  rpcUrl: string;
  registry: string;
  /** Private keys of the authorities, at least `threshold` of them. */
  authorityKeys: string[];
  threshold: number;
}

const RECEIPT_MS = 10_000;

async function sendFrom(at: ConsortiumAt, privateKey: string, method: string, args: unknown[]): Promise<ChainEvent[]> {
  const client = new ChainClient(at.rpcUrl, privateKey);
  try {
    const registry = new ChainContract('ConsortiumRegistry', at.registry, loadArtifact('ConsortiumRegistry').abi);
    const { txHash } = await client.send(registry, method, args);
    const receipt = await client.waitForReceipt(txHash, RECEIPT_MS);
    if (!receipt.success) throw new Error(`ConsortiumRegistry.${method} reverted`);
    return client.events(registry, receipt);
  } finally {
    client.close();
  }
}

/** A hospital key admitted by k of the authorities (one proposes, k - 1 approve), as the registry's governance does it. */
export async function admittedHospital(at: ConsortiumAt): Promise<Key> {
  const hospital = newKey();
  const [proposer, ...approvers] = at.authorityKeys.slice(0, at.threshold);
  const [proposed] = await sendFrom(at, proposer!, 'proposeAdmission', [hospital.address, randomBytes32()]);
  for (const approver of approvers) await sendFrom(at, approver, 'approve', [proposed!.args.proposalId]);
  return hospital;
}

/** A hospital key one authority proposed for admission, awaiting the others' approvals; the proposal's id. */
export async function proposedAdmission(at: ConsortiumAt, proposer = at.authorityKeys[0]!): Promise<{ hospital: Key; proposalId: number }> {
  const hospital = newKey();
  const [proposed] = await sendFrom(at, proposer, 'proposeAdmission', [hospital.address, randomBytes32()]);
  return { hospital, proposalId: Number(proposed!.args.proposalId as bigint) };
}

/** A practitioner key the hospital registers on chain (a fresh council registration commitment). */
export async function registeredPractitioner(at: ConsortiumAt, hospital: Key, role: number = PractitionerRole.Doctor): Promise<Key> {
  const practitioner = newKey();
  await sendFrom(at, hospital.key, 'registerPractitioner', [practitioner.address, role, randomBytes32()]);
  return practitioner;
}
