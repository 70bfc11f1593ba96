import { HttpStatus, Injectable } from '@nestjs/common';
import { utils, eth } from 'web3';
import type { AccountPrincipal } from '../auth/principal';
import { AccountStore } from '../accounts/account.store';
import { ChainClient } from '../chain/chain-client';
import { ChainRuntime } from '../chain/chain.module';
import type { ChainContract } from '../chain/chain-contract';
import { ChainRevertError } from '../chain/chain-errors';
import { ConsortiumRegistry } from '../chain/consortium-registry';
import type { HospitalProposal } from './admission';
import { EmergencyAccess } from '../chain/emergency-access';
import type { UnsignedCall } from '../chain/legacy-transaction';
import { JsonRpcError, NodeRpc } from '../chain/node-rpc';
import { ApiError } from '../common/errors';

export type DecisionTarget = 'proposal' | 'emergency';
export type Decision = 'approve' | 'deny';
export type ProposalAction = 'admit' | 'suspend' | 'reinstate';

/** What an authority may decide, and where: k-of-n proposals are approved; emergency requests approved or denied. */
const DECISIONS: Record<DecisionTarget, readonly Decision[]> = { proposal: ['approve'], emergency: ['approve', 'deny'] };
/** What an authority may propose about a hospital: ConsortiumRegistry's three proposals. */
const PROPOSALS: Record<ProposalAction, HospitalProposal> = { admit: 'proposeAdmission', suspend: 'proposeSuspension', reinstate: 'proposeReinstatement' };
const RECEIPT_TIMEOUT_MS = 30_000;
const ZERO_ADDRESS = `0x${'0'.repeat(40)}`;
const ZERO_WORD = `0x${'0'.repeat(64)}`;

export interface DecisionApplied {
  txHash: string;
  block: number;
  target: DecisionTarget;
  /** `propose`: the transaction opened proposal `id` (its proposer's approval counted). */
  decision: Decision | 'propose';
  id: number;
}

/**
 * Authorities decide with their own keys (trust model: the gateway never holds them). The
 * portal asks for the call to sign (`draft`: target, nonce, gas, chain id), signs it in the
 * authority's browser, and hands the signed transaction back (`relay`). The gateway only
 * forwards transactions that are an authority's decision on a proposal or emergency request,
 * signed by the key of the signed-in authority, and that the chain would apply.
 */
@Injectable()
export class AuthorityDecisions {
  private readonly node: NodeRpc;
  private readonly registry: ChainContract;

  constructor(
    private readonly chain: ChainClient,
    private readonly runtime: ChainRuntime,
    private readonly emergencies: EmergencyAccess,
    private readonly accounts: AccountStore,
    consortium: ConsortiumRegistry,
  ) {
    this.node = new NodeRpc(chain.rpcUrl);
    this.registry = consortium.contract;
  }

  /** The unsigned call of `decision` on `target` `id`, for `from` to sign: checked against the chain first. */
  async draft(principal: AccountPrincipal, target: DecisionTarget, id: number, decision: Decision, from: string): Promise<UnsignedCall> {
    if (!DECISIONS[target].includes(decision)) throw new ApiError(HttpStatus.BAD_REQUEST, 'DECISION_NOT_AVAILABLE', `A ${target} can be: ${DECISIONS[target].join(', ')}`);
    await this.checkSigner(principal, from);
    const contract = this.contractOf(target);
    return this.unsignedCall(contract, from, contract.encodeCall(decision, [id]));
  }

  /** The unsigned call proposing `action` about `hospital`, committing to `dataHash` (the dossier or reason, salted), for `from` to sign: checked against the chain first. */
  async draftProposal(principal: AccountPrincipal, action: ProposalAction, hospital: string, dataHash: string, from: string): Promise<UnsignedCall> {
    await this.checkSigner(principal, from);
    return this.unsignedCall(this.registry, from, this.registry.encodeCall(PROPOSALS[action], [hospital, dataHash]));
  }

  /** `data` on `contract` as a transaction for `from` to sign, once the chain says it would apply it: nonce, gas (30% over the estimate), chain id. */
  private async unsignedCall(contract: ChainContract, from: string, data: string): Promise<UnsignedCall> {
    await this.simulate(contract, from, data);
    const [nonce, estimate] = await Promise.all([
      this.node.call<string>('eth_getTransactionCount', [from, 'pending']),
      this.node.call<string>('eth_estimateGas', [{ from, to: contract.address, data }]),
    ]);
    return { chainId: this.runtime.chainId, nonce: Number(nonce), gasLimit: Math.ceil(Number(estimate) * 1.3), to: contract.address, data };
  }

  /** Forwards a signed decision or proposal to the chain and waits for its block. */
  async relay(principal: AccountPrincipal, rawTransaction: string): Promise<DecisionApplied> {
    const tx = this.parse(rawTransaction);
    const call = this.identify(tx);
    if (!call || tx.value !== 0n) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'TRANSACTION_NOT_A_DECISION', 'Only an approval or denial of a consortium proposal or emergency request, or a proposal about a hospital, is relayed here');
    }
    const { target, decision } = call;
    await this.checkSigner(principal, tx.from);
    const contract = this.contractOf(target);
    await this.simulate(contract, tx.from, tx.data);
    let txHash: string;
    try {
      txHash = await this.node.call<string>('eth_sendRawTransaction', [rawTransaction]);
    } catch (error) {
      if (!(error instanceof JsonRpcError && error.alreadyKnown)) throw error;
      txHash = utils.keccak256(rawTransaction);
    }
    const receipt = await this.chain.waitForReceipt(txHash, RECEIPT_TIMEOUT_MS);
    if (!receipt.success) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'CHAIN_REVERTED', 'The chain included the transaction but reverted it (another decision came first)', { txHash });
    const created = decision === 'propose' ? this.chain.events(this.registry, receipt).find((e) => e.name === 'ProposalCreated') : undefined;
    const id = created ? Number(created.args.proposalId as bigint) : Number(BigInt(`0x${tx.data.slice(10, 74)}`));
    return { txHash, block: Number(receipt.blockNumber), target, decision, id };
  }

  /**
   * Which call the transaction makes, if it is one relayed here: a decision on a proposal or
   * emergency (one uint256 argument) or a proposal about a hospital (an address and a bytes32),
   * by function selector and exact calldata length, on the contract that has it.
   */
  private identify(tx: { to: string; data: string }): { target: DecisionTarget; decision: Decision | 'propose' } | null {
    const selector = tx.data.slice(0, 10);
    const target = (['proposal', 'emergency'] as const).find((t) => this.contractOf(t).address.toLowerCase() === tx.to.toLowerCase());
    if (!target) return null;
    const decision = DECISIONS[target].find((d) => selector === this.contractOf(target).encodeCall(d, [0]).slice(0, 10));
    if (decision) return tx.data.length === 2 + 8 + 64 ? { target, decision } : null;
    const proposes = target === 'proposal' && Object.values(PROPOSALS).some((method) => selector === this.registry.encodeCall(method, [ZERO_ADDRESS, ZERO_WORD]).slice(0, 10));
    return proposes && tx.data.length === 2 + 8 + 128 ? { target, decision: 'propose' } : null;
  }

  private contractOf(target: DecisionTarget): ChainContract {
    return target === 'proposal' ? this.registry : this.emergencies.contract;
  }

  private parse(rawTransaction: string): { from: string; to: string; data: string; value: bigint } {
    let parsed: ReturnType<typeof eth.accounts.TransactionFactory.fromSerializedData>;
    try {
      parsed = eth.accounts.TransactionFactory.fromSerializedData(utils.hexToBytes(rawTransaction));
    } catch {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'TRANSACTION_MALFORMED', 'rawTransaction is not a signed Ethereum transaction');
    }
    if (parsed.common.chainId() !== BigInt(this.runtime.chainId)) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'TRANSACTION_WRONG_CHAIN', `The transaction is signed for chain ${parsed.common.chainId()}, not this consortium's ${this.runtime.chainId}`);
    }
    if (!parsed.to || !parsed.isSigned()) throw new ApiError(HttpStatus.BAD_REQUEST, 'TRANSACTION_MALFORMED', 'rawTransaction is unsigned or creates a contract');
    return { from: parsed.getSenderAddress().toString(), to: parsed.to.toString(), data: utils.bytesToHex(parsed.data), value: parsed.value };
  }

  /** The key must be an authority's on chain and, when the account names its chain address, that one. */
  private async checkSigner(principal: AccountPrincipal, from: string): Promise<void> {
    const account = await this.accounts.findById(principal.accountId);
    if (account?.chainAddress && account.chainAddress.toLowerCase() !== from.toLowerCase()) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'SIGNER_NOT_YOURS', `Your account is registered with ${account.chainAddress}; this key is ${from}`);
    }
    const [isAuthority] = await this.chain.call(this.registry, 'isAuthority', [from]);
    if (isAuthority !== true) throw new ApiError(HttpStatus.FORBIDDEN, 'NOT_AN_AUTHORITY', `${from} is not an authority of the consortium`);
  }

  private async simulate(contract: ChainContract, from: string, data: string): Promise<void> {
    try {
      await this.chain.callAs(from, contract, data);
    } catch (error) {
      if (!(error instanceof ChainRevertError)) throw error;
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'CHAIN_WOULD_REVERT', `The chain would refuse this decision: ${error.errorName}`, { error: error.errorName });
    }
  }
}
