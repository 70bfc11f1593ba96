import { utils } from 'web3';
import { encodeAccessEntries } from '../../gateway/src/chain/access-log';
import { NodeRpc } from '../../gateway/src/chain/node-rpc';
import { AccessEntryFactory } from '../../test/factories/access-entry.factory';
import { GasRow, GasScenario, perUnit } from './scenario';

/** Issue 3, "Done when": an access-log entry at most 5,000 gas per entry in a batch (e.g. 100). */
export const ACCESS_ENTRY_TARGET = 5_000;
export const ACCESS_BATCH_SIZES = [1, 16, 100] as const;
/** The batch size the target is stated for. */
const TARGET_BATCH_SIZE = 100;

export const accessLogScenario: GasScenario = {
  contract: 'AccessLog',
  artifacts: ['AccessLog'],
  async measure({ chain, deploy, send, key }) {
    // The consortium administers; the deployer (the gateway) is only the logger.
    const contract = await deploy('AccessLog', [0, key('contracts admin').address, chain.address]);
    const { timestamp } = await new NodeRpc(chain.rpcUrl).call<{ timestamp: string }>('eth_getBlockByNumber', ['latest', false]);
    const accessedAt = recentAccessTime(Number(BigInt(timestamp)));
    const measured = new Map<number, number>();
    for (const size of ACCESS_BATCH_SIZES) {
      // Every id distinct: the worst case, nothing in a batch repeats.
      const entries = encodeAccessEntries(AccessEntryFactory.many(size, `gas/logAccesses/${size}`).map((entry) => ({ ...entry, accessedAt })));
      measured.set(size, await send(contract, 'logAccesses', [utils.keccak256(Buffer.from(`gas/logAccesses/${size}`, 'utf8')), entries]));
    }

    // gas(n) = fixed + n * perEntry: from the two largest batches, where the target is met.
    const [a, b] = [ACCESS_BATCH_SIZES.at(-2)!, ACCESS_BATCH_SIZES.at(-1)!];
    const perEntry = (measured.get(b)! - measured.get(a)!) / (b - a);
    const fixed = measured.get(b)! - b * perEntry;
    const breakEven = perEntry < ACCESS_ENTRY_TARGET ? Math.ceil(fixed / (ACCESS_ENTRY_TARGET - perEntry)) : undefined;

    return ACCESS_BATCH_SIZES.map((size): GasRow => {
      const txGas = measured.get(size)!;
      if (size >= TARGET_BATCH_SIZE) {
        return perUnit(`AccessLog.logAccesses[${size}]`, 'entry', size, txGas, { target: ACCESS_ENTRY_TARGET, note: `${Math.round(fixed).toLocaleString('en-US')} per batch + ${Math.round(perEntry).toLocaleString('en-US')} per entry` });
      }
      const note = breakEven === undefined ? 'no target below 100 entries' : `no target below 100 entries; ${ACCESS_ENTRY_TARGET.toLocaleString('en-US')} per entry is met from ${breakEven} entries`;
      return perUnit(`AccessLog.logAccesses[${size}]`, 'entry', size, txGas, { note });
    });
  },
};

/**
 * An access time a day or two before `now` (AccessLog takes none older than 7 days) whose uint40
 * has the same zero bytes on every run: the top one (unix time < 2^32) and no other, so its
 * calldata costs the same whatever the clock says.
 */
function recentAccessTime(now: number): number {
  let time = (Math.floor(now / 0x10000) - 1) * 0x10000 + 0x0101;
  if (((time >>> 16) & 0xff) === 0) time -= 0x10000;
  return time;
}
