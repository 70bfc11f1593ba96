import { chainSnapshot } from './chain-snapshot';
import { embeddedChain } from './test-app';

/** Jest globalSetup: deploys the contract suite once for the whole run (see chain-snapshot.ts). */
export default async function globalSetup(): Promise<void> {
  if (embeddedChain()) await chainSnapshot();
}
