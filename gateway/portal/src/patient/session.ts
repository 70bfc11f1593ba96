import { GatewayClient } from '../../../sdk/gateway-client';
import type { LedgerKeys } from '../../../sdk/consents';
import { deriveRelationship, LedgerScope } from '../../../src/chain/relationships';
import type { Counterpart, UnlockedWallet, Wallet } from '../../../sdk/wallet-format';

/**
 * A signed-in, unlocked patient: the persona (identity) client and the ledger keys derived from
 * the patient secret, in this page's memory only. Signing in as a relationship's pseudonym is
 * cached for the page's life, as a pseudonym token lasts.
 */
export class PatientSession implements LedgerKeys {
  private readonly pseudonyms = new Map<string, Promise<GatewayClient>>();

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
    let signedIn = this.pseudonyms.get(key);
    if (!signedIn) {
      signedIn = this.client.asPseudonym(this.relationshipWith(counterpart));
      signedIn.catch(() => this.pseudonyms.delete(key));
      this.pseudonyms.set(key, signedIn);
    }
    return signedIn;
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
