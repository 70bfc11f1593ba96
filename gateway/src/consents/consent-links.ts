import { EntityManager } from 'typeorm';
import { GrantMessage } from '../chain/patient-messages';
import { ConsentLinkEntity } from './consent.entities';

/** The pair nonce a grant consumes: a relationship's first grant is at 0. */
export const grantNonceOf = (message: GrantMessage): number => (message.type === 'RelationshipGrant' ? 0 : message.nonce);

/**
 * Which records a relationship's consent covers (`consent_links`), kept in step with the chain:
 * a link is proposed when its grant is queued, becomes active only when that grant is applied,
 * and a revocation applied at nonce r marks revoked every link whose grant came before it. So a
 * grant cancelled by a revocation never covers anything, and after a revocation only links of
 * later grants cover records. Order-independent: the nonces say what came first, whatever order
 * confirmations are processed in.
 */
export const ConsentLinks = {
  /** In the grant's transaction: the link waits for `messageId` (an active link stays active meanwhile). */
  async propose(manager: EntityManager, link: { relationshipHandle: string; recordHandle: string; grantee: string }, messageId: string, nonce: number): Promise<void> {
    await manager.query(
      `INSERT INTO consent_links (relationship_handle, record_handle, grantee, status, pending_message_id, pending_nonce) VALUES ($1, $2, $3, 'pending', $4, $5)
       ON CONFLICT (relationship_handle, record_handle) DO UPDATE SET pending_message_id = EXCLUDED.pending_message_id, pending_nonce = EXCLUDED.pending_nonce`,
      [link.relationshipHandle, link.recordHandle, link.grantee, messageId, nonce],
    );
  },

  /** The grant `messageId` was applied: its links are active, unless a revocation applied already came after it. */
  async granted(manager: EntityManager, messageId: string): Promise<void> {
    await manager.query(
      `UPDATE consent_links l SET status = 'active', grant_nonce = l.pending_nonce, pending_message_id = NULL, pending_nonce = NULL
       WHERE l.pending_message_id = $1
         AND l.pending_nonce >= COALESCE((SELECT r.nonce FROM consent_revocations r WHERE r.relationship_handle = l.relationship_handle), 0)`,
      [messageId],
    );
    await ConsentLinks.abandoned(manager, messageId);
  },

  /** The grant `messageId` failed (or came before a revocation): it makes nothing active. */
  async abandoned(manager: EntityManager, messageId: string): Promise<void> {
    await manager.query(`UPDATE consent_links SET pending_message_id = NULL, pending_nonce = NULL WHERE pending_message_id = $1`, [messageId]);
    await manager.query(`DELETE FROM consent_links WHERE status = 'pending' AND pending_message_id IS NULL`);
  },

  /** A revocation at `nonce` was applied on `relationshipHandle`: every earlier grant's link stops covering records. */
  async revoked(manager: EntityManager, relationshipHandle: string, nonce: number): Promise<void> {
    await manager.query(
      `INSERT INTO consent_revocations (relationship_handle, nonce) VALUES ($1, $2)
       ON CONFLICT (relationship_handle) DO UPDATE SET nonce = GREATEST(consent_revocations.nonce, EXCLUDED.nonce)`,
      [relationshipHandle, nonce],
    );
    // Kept as revoked (not deleted), so a refused reader is told the consent was revoked.
    await manager.query(`UPDATE consent_links SET status = 'revoked' WHERE relationship_handle = $1 AND status = 'active' AND grant_nonce < $2`, [relationshipHandle, nonce]);
  },

  /** Whether `where` had links that a revocation ended (to tell a reader why they are refused). */
  wasRevoked(manager: EntityManager, where: Partial<Pick<ConsentLinkEntity, 'grantee' | 'recordHandle'>>): Promise<boolean> {
    return manager.existsBy(ConsentLinkEntity, { ...where, status: 'revoked' });
  },

  /** The active links of `where` (grantee, records' handle, relationship). */
  active(manager: EntityManager, where: Partial<Pick<ConsentLinkEntity, 'grantee' | 'recordHandle' | 'relationshipHandle'>>): Promise<ConsentLinkEntity[]> {
    return manager.find(ConsentLinkEntity, { where: { ...where, status: 'active' }, order: { createdAt: 'ASC' } });
  },

  /** The nonce of the latest applied grant of a relationship this gateway relayed: its consent id's. */
  async grantNonce(manager: EntityManager, relationshipHandle: string): Promise<bigint | null> {
    const [row] = (await manager.query(`SELECT max(grant_nonce) AS nonce FROM consent_links WHERE relationship_handle = $1 AND status = 'active'`, [relationshipHandle])) as { nonce: string | null }[];
    return row?.nonce === null || row?.nonce === undefined ? null : BigInt(row.nonce);
  },
};
