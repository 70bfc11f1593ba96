import { ChainClient } from '../../gateway/src/chain/chain-client';
import { NodeRpc } from '../../gateway/src/chain/node-rpc';
import type { TestApp } from './test-app';

export const DAY = 86_400;

/**
 * The embedded chain's clock, as tests of the contracts' delays (guardians, recoveries) move it:
 * only a test's own Anvil allows it (`embeddedChain()`), a shared network's clock is not the test's.
 */
export function chainClock(gw: TestApp): { now(): Promise<number>; passDays(days: number): Promise<void> } {
  const node = new NodeRpc(gw.app.get(ChainClient).rpcUrl);
  return {
    /** The latest block's time, in Unix seconds. */
    now: async () => (await node.block(await node.blockNumber()))!.timestamp,
    /** `days` and a minute more pass, and a block is mined after them. */
    passDays: async (days) => {
      await node.call('evm_increaseTime', [days * DAY + 60]);
      await node.call('evm_mine', []);
    },
  };
}
