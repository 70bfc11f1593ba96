import { Injectable } from '@nestjs/common';
import { AccountStore } from '../accounts/account.store';
import { ChainClient } from '../chain/chain-client';
import type { ChainContract } from '../chain/chain-contract';
import { ConsortiumRegistry } from '../chain/consortium-registry';
import type { ProposalDto } from './consortium.dto';

const ACTIONS = ['none', 'admit', 'suspend', 'reinstate'] as const;

/** The consortium's k-of-n proposals still open for approval, as ConsortiumRegistry holds them. */
@Injectable()
export class OpenProposals {
  private readonly registry: ChainContract;

  constructor(
    private readonly chain: ChainClient,
    private readonly consortium: ConsortiumRegistry,
    private readonly accounts: AccountStore,
  ) {
    this.registry = consortium.contract;
  }

  async list(): Promise<ProposalDto[]> {
    const created = this.registry.events(await this.chain.logs({ address: this.registry.address, topics: [this.registry.eventTopic('ProposalCreated')], fromBlock: this.consortium.deployedAt }));
    const [threshold] = await this.chain.call(this.registry, 'authorityThreshold', []);
    const now = Date.now() / 1000;
    const open: ProposalDto[] = [];
    for (const event of created) {
      const proposalId = Number(event.args.proposalId as bigint);
      const [action, subject, dataHash, proposer, approvals, expiresAt, executed, cancelled] = await this.chain.call(this.registry, 'proposal', [proposalId]);
      if (executed || cancelled || Number(expiresAt) <= now) continue;
      open.push({
        proposalId, action: ACTIONS[Number(action)] as ProposalDto['action'], hospital: subject as string, hospitalName: null, proposer: proposer as string,
        approvals: Number(approvals), threshold: Number(threshold), expiresAt: new Date(Number(expiresAt) * 1000), dataHash: dataHash as string,
      });
    }
    const named = await this.accounts.findByChainAddresses(open.map((p) => p.hospital));
    return open.map((p) => ({ ...p, hospitalName: named.get(p.hospital.toLowerCase()) ?? null })).reverse();
  }
}
