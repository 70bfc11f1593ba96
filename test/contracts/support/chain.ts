import { randomBytes } from 'node:crypto';
import { AnvilProcess } from '../../../gateway/src/chain/anvil-process';
import { ChainClient } from '../../../gateway/src/chain/chain-client';
import { ChainRevertError } from '../../../gateway/src/chain/chain-errors';
import { NodeRpc } from '../../../gateway/src/chain/node-rpc';
import { EMBEDDED_CHAIN_ID } from '../../../gateway/src/config/app-config';

export const randomKey = (): string => `0x${randomBytes(32).toString('hex')}`;
export const randomBytes32 = (): string => `0x${randomBytes(32).toString('hex')}`;

/**
 * A fresh automine Anvil for one contract test file, and clients with fresh, never-funded keys
 * (the free-gas chain must accept their transactions as they are). `stop()` closes them all.
 */
export async function startTestChain() {
  const anvil = await AnvilProcess.start({ port: 0, chainId: EMBEDDED_CHAIN_ID, blockTimeSeconds: 0 });
  const clients: ChainClient[] = [];
  return {
    anvil,
    /** A client signing with `privateKey` (a new random key when omitted). */
    client(privateKey: string = randomKey()): ChainClient {
      const client = new ChainClient(anvil.rpcUrl, privateKey);
      clients.push(client);
      return client;
    },
    /** Moves the chain's clock (expiry, deadlines, time-boxed access) and mines a block. */
    async increaseTime(seconds: number): Promise<void> {
      const node = new NodeRpc(anvil.rpcUrl);
      await node.call('evm_increaseTime', [seconds]);
      await node.call('evm_mine', []);
    },
    async stop(): Promise<void> {
      for (const client of clients) client.close();
      await anvil.stop();
    },
  };
}

export type TestChain = Awaited<ReturnType<typeof startTestChain>>;

/** The custom error a transaction or call reverted with; fails the test if it did not revert. */
export async function revertOf(promise: Promise<unknown>): Promise<ChainRevertError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ChainRevertError)) throw new Error(`expected a ChainRevertError, got ${String(error)}`);
  return error;
}
