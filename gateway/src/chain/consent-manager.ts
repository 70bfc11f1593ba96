import { utils } from 'web3';
import { BYTES32_PATTERN } from '../common/validation';
import { ChainClient } from './chain-client';
import { ChainContract } from './chain-contract';

const ZERO_ADDRESS = /^0x0{40}$/;

/**
 * Typed access to the ConsentManager contract (contracts/ConsentManager.sol), which is also the
 * patient registry (it inherits PatientRegistry). Read-only for now: what the gateway needs to
 * check a pseudonym's signature against the chain.
 */
export class ConsentManager {
  static readonly artifactName = 'ConsentManager';
  readonly contract: ChainContract;

  constructor(
    private readonly chain: ChainClient,
    readonly address: string,
  ) {
    this.contract = chain.contract(ConsentManager.artifactName, address);
  }

  /** The checksummed address `handle` signs with as of the latest block; null when the handle is not registered. */
  async signerOf(handle: string): Promise<string | null> {
    if (!BYTES32_PATTERN.test(handle)) throw new Error(`A patient handle is 0x + 64 hex digits, got "${handle}"`);
    const [signer] = await this.chain.call(this.contract, 'signerOf', [handle]);
    if (typeof signer !== 'string') throw new Error('ConsentManager.signerOf returned an unexpected shape; is the ABI current?');
    return ZERO_ADDRESS.test(signer) ? null : utils.toChecksumAddress(signer);
  }
}
