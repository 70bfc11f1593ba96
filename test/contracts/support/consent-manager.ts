import type { ChainContract } from '../../../gateway/src/chain/chain-contract';
import { buildTypedData, Eip712Field, signTypedData } from '../../../gateway/src/chain/eip712';
import { CONSENT_MANAGER_DOMAIN } from '../../../gateway/src/chain/typed-messages';
import { Key, newKey } from './accounts';
import { Consortium, deployConsortium } from './consortium';
import { blockTimestamp, deadlineIn, gasUsed, transact } from './rpc';
import { testbed } from './testbed';

/**
 * A ConsentManager (which is also the patient registry: PatientRegistry is its abstract base)
 * consulting a ConsortiumDirectoryMock, or with `directory: 'registry'` a real 2-of-3
 * ConsortiumRegistry (`consortium`: its authorities govern it, as in deployConsortium), and the
 * gateway that relays to it: `relayer` sends with the gateway's own chain key and holds no patient
 * or doctor key. With GAS_REPORT set, `stop()` prints under `label` the gas of the first call of
 * each method and what tests put in `gas`.
 */
export function consentManagerTestbed(label: string, options: { directory?: 'mock' | 'registry' } = {}) {
  /** The gateway's own chain key, the one it signs its transactions with. */
  const gatewayKey = newKey();
  const gas: Record<string, bigint> = {};
  const bed = testbed(async (chain) => {
    const relayer = chain.client(gatewayKey.key);
    const consortium: Consortium | undefined = options.directory === 'registry' ? await deployConsortium(chain) : undefined;
    const directoryAddress = consortium?.registry.address ?? (await relayer.deploy('ConsortiumDirectoryMock')).address;
    const { address } = await relayer.deploy('ConsentManager', [directoryAddress]);
    return {
      relayer,
      consortium,
      /** The mock, unless the testbed runs on the registry (then `consortium.registry`). */
      directory: relayer.contract(consortium ? 'ConsortiumRegistry' : 'ConsortiumDirectoryMock', directoryAddress),
      sut: relayer.contract('ConsentManager', address),
      domain: { ...CONSENT_MANAGER_DOMAIN, chainId: await relayer.chainId(), verifyingContract: address },
    };
  });
  const stopChain = bed.stop;

  return Object.assign(bed, {
    gatewayKey,
    gas,

    async stop(): Promise<void> {
      if (process.env.GAS_REPORT) process.stdout.write(`${label} gas: ${JSON.stringify(gas, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n`);
      await stopChain();
    },

    /** `key`'s EIP-712 signature of a `primaryType` message (made of `fields`), under the ConsentManager's domain unless `domain` is given. */
    sign: (primaryType: string, fields: readonly Eip712Field[], key: Key, message: Record<string, unknown>, domain = bed.domain): string =>
      signTypedData(key.key, buildTypedData(domain, primaryType, { [primaryType]: fields }, message)),

    /** The latest block's timestamp. */
    chainTime: async (): Promise<number> => Number(await blockTimestamp(bed.chain)),
    /** A signature deadline `seconds` (an hour by default) from now on the chain's clock. */
    deadline: (seconds?: number): Promise<bigint> => deadlineIn(bed.chain, seconds),

    /** Relays a call of `contract` (the ConsentManager or the directory), requires success; its gas, block and decoded events. */
    transact: async (contract: ChainContract, method: string, args: unknown[]) => {
      const { receipt, events } = await transact(bed.relayer, contract, method, args);
      const used = await gasUsed(bed.chain, receipt.txHash);
      if (process.env.GAS_REPORT && !(method in gas)) gas[method] = used;
      return { gasUsed: used, blockNumber: receipt.blockNumber, events };
    },

    /** A read-only call of the ConsentManager. */
    view: (method: string, args: unknown[]): Promise<unknown[]> => bed.relayer.call(bed.sut, method, args),
  });
}

export type ConsentManagerTestbed = ReturnType<typeof consentManagerTestbed>;
