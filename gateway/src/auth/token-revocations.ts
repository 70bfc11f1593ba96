import { Injectable } from '@nestjs/common';
import { CredentialsCache } from '../accounts/credentials-cache';
import { TokenSession } from './token.service';
import { RevokedTokenStore } from './used-challenge.store';

/**
 * Bearer tokens ended before they expire (logout, refresh): a row per token id until its expiry,
 * known to every gateway process at once (CredentialsCache hears each revocation), checked from
 * memory on most requests.
 */
@Injectable()
export class TokenRevocations {
  constructor(
    private readonly store: RevokedTokenStore,
    private readonly credentials: CredentialsCache,
  ) {}

  async isRevoked(tokenId: string): Promise<boolean> {
    const cached = this.credentials.tokenRevoked(tokenId);
    if (cached !== undefined) return cached;
    const epoch = this.credentials.begin();
    const revoked = await this.store.has(tokenId);
    this.credentials.rememberToken(epoch, tokenId, revoked);
    return revoked;
  }

  /** Ends the token; false when it was ended already (of two refreshes with one token, one wins). */
  revoke(token: TokenSession): Promise<boolean> {
    return this.credentials.revoking(token.tokenId, async (manager) => {
      const ended = await this.store.markUsed(token.tokenId, new Date(token.expiresAt * 1000), manager);
      await this.store.deleteExpired(new Date(), manager);
      return ended;
    });
  }
}
