import { GatewayClient } from '../../../sdk/gateway-client';
import type { LedgerKeys } from '../../../sdk/consents';
import { deriveRelationship, LedgerScope } from '../../../src/chain/relationships';
import type { Counterpart, UnlockedWallet, Wallet } from '../../../sdk/wallet-format';

/**
 * A signed-in, unlocked patient: the persona (identity) client and the ledger keys derived from
 * the patient secret, in this page's memory only. A sign-in as a relationship's pseudonym is
 * reused for ten minutes of its token's fifteen.
 */
/** Pseudonym tokens last 15 minutes (PSEUDONYM_TOKEN_TTL_SECONDS): signed in again well before. */
const PSEUDONYM_REUSE_MS = 10 * 60_000;

export class PatientSession implements LedgerKeys {
  private readonly pseudonyms = new Map<string, { client: Promise<GatewayClient>; at: number }>();

  constructor(
    readonly client: GatewayClient,
    readonly persona: GatewayClient,
    readonly scope: LedgerScope,
    private readonly unlocked: UnlockedWallet,
    public wallet: Wallet,
  ) {}

  /** The patient secret, for keys derived from it here (a guardian's address): never sent anywhere. */
  get secret(): Uint8Array {
    return this.unlocked.secret;
  }

  relationshipWith(counterpart: string) {
    return deriveRelationship(this.unlocked.secret, this.scope, counterpart);
  }

  /** The gateway, as the patient's pseudonym with `counterpart` (a hospital: its records; a doctor: its requests). */
  as(counterpart: string): Promise<GatewayClient> {
    const key = counterpart.toLowerCase();
    const cached = this.pseudonyms.get(key);
    if (cached && Date.now() - cached.at < PSEUDONYM_REUSE_MS) return cached.client;
    const client = this.client.asPseudonym(this.relationshipWith(counterpart));
    client.catch(() => this.pseudonyms.delete(key));
    this.pseudonyms.set(key, { client, at: Date.now() });
    return client;
  }

  get hospitals(): Counterpart[] {
    return (this.wallet.counterparts ?? []).filter((c) => c.kind === 'hospital');
  }

  get doctors(): Counterpart[] {
    return (this.wallet.counterparts ?? []).filter((c) => c.kind === 'doctor');
  }

  nameOf(address: string): string | undefined {
    return this.wallet.counterparts?.find((c) => c.address.toLowerCase() === address.toLowerCase())?.name;
  }
}
