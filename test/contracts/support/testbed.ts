import { startTestChain, TestChain } from './chain';

/** What `deploy` made, on the chain it made it on, and the hooks that start and stop that chain. */
export type Testbed<T extends object> = T & {
  chain: TestChain;
  /** For beforeAll: starts an Anvil of this spec file's own and deploys on it. */
  start(): Promise<void>;
  /** For afterAll. */
  stop(): Promise<void>;
};

/**
 * Contracts on a fresh Anvil for one spec file. Make it at describe level (helpers built on it
 * may be destructured there); what `deploy` returns is set on it by `start()`, so read those
 * properties inside hooks and tests only.
 */
export function testbed<T extends object>(deploy: (chain: TestChain) => Promise<T>): Testbed<T> {
  const bed = {
    async start(): Promise<void> {
      const chain = await startTestChain();
      Object.assign(bed, { chain }, await deploy(chain));
    },
    async stop(): Promise<void> {
      await (bed as Partial<Testbed<T>>).chain?.stop();
    },
  } as Testbed<T>;
  return bed;
}
