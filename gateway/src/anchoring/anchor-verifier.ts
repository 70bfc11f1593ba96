import { Injectable } from '@nestjs/common';
import { ChainClient } from '../chain/chain-client';
import { RecordAnchors } from '../chain/record-anchors';
import { RecordVersion } from '../chain/record-batch';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

/**
 * The read side of anchoring: whether a version, rebuilt from what the database holds, is a leaf
 * of the root its batch has on chain, under an anchorer this gateway trusts.
 */
@Injectable()
export class AnchorVerifier {
  constructor(
    private readonly anchors: RecordAnchors,
    private readonly chain: ChainClient,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * The anchorers a read trusts: this gateway's sending key and the keys it had before a
   * rotation (CHAIN_FORMER_WRITERS). Anchors are per anchorer on chain, and the row's author is
   * the database's word: any other ANCHORER_ROLE holder's batch proves nothing here.
   */
  trustedAnchorers(): string[] {
    return [this.chain.address, ...this.config.chain.formerWriters];
  }

  /** Whether `version` with `proof` is in the batch `batchId` one of the trusted anchorers anchored (one eth_call per batch, then cached). */
  async inBatch(batchId: string, version: RecordVersion, proof: readonly string[]): Promise<boolean> {
    for (const anchorer of this.trustedAnchorers()) {
      if (await this.anchors.verifyRecord(batchId, version, proof, anchorer)) return true;
    }
    return false;
  }
}
