import { EntityManager } from 'typeorm';
import { GrantMessage, isHandleMessage, isRecoveryMessage, PatientMessage } from '../chain/patient-messages';
import { ConsentLinkEntity, ConsentPairEntity } from './consent.entities';

/** The pair nonce a grant consumes: a relationship's first grant is at 0. */
export const grantNonceOf = (message: GrantMessage): number => (message.type === 'RelationshipGrant' ? 0 : message.nonce);

/** The pair nonce a message consumes (checked against the chain before it is sent); null for a registration, a guardian set or a veto (the handle's own nonce, which the relay checks against patientNonces). */
export function messageNonce(message: PatientMessage): number | null {
  if (message.type === 'Registration' || isHandleMessage(message) || isRecoveryMessage(message)) return null;
  return message.type === 'RelationshipGrant' ? 0 : message.nonce;
}

/**
 * Which records a relationship's consent covers (`consent_links`), kept in step with the chain.
 *
 * - A grant queued with a link leaves a proposal, one per message. When the chain applies the
 *   grant, its proposal becomes an active link. A grant that fails, or is withdrawn, leaves
 *   nothing.
 * - A revocation applied at pair nonce r marks revoked every link of that pair whose grant came
 *   before it (nonce below r). A later grant links again only the records it names, so grants
 *   from several pseudonyms add up until a revocation clears them.
 * - For each pair the gateway records the nonce after the last message it saw applied
 *   (`consent_pairs`). Reads compare it with the chain's, so a change relayed elsewhere is never
 *   mistaken for one whose records this gateway knows.
 *
 * The nonces decide what came first, whatever order confirmations are processed in. Every step
 * starts by upserting the pair's row, which locks it, so two confirmations for one pair never
 * interleave.
 */
export const ConsentLinks = {
  /** In the grant's transaction: what the grant links once applied. */
  async propose(manager: EntityManager, link: { relationshipHandle: string; recordHandle: string; grantee: string }, messageId: string, nonce: number): Promise<void> {
    await manager.query(
      `INSERT INTO consent_link_proposals (message_id, relationship_handle, record_handle, grantee, nonce) VALUES ($1, $2, $3, $4, $5)`,
      [messageId, link.relationshipHandle, link.recordHandle, link.grantee, nonce],
    );
  },

  /** In the transaction that confirms `message` (sent as `messageId`): the pair, and the links, say what the chain now holds. */
  async applied(manager: EntityManager, messageId: string, message: PatientMessage, grantee: string): Promise<void> {
    const nonce = messageNonce(message);
    if (nonce === null || message.type === 'Registration' || isHandleMessage(message) || isRecoveryMessage(message)) return;
    const relationship = message.patient;
    const isGrant = message.type === 'RelationshipGrant' || message.type === 'ConsentGrant' || message.type === 'ConsentApproval';
    const isRevocation = message.type === 'ConsentRevocation';
    await manager.query(
      `INSERT INTO consent_pairs (relationship_handle, grantee, nonce, last_grant_nonce, revoked_below) VALUES ($1, $2, $3 + 1, $4, $5)
       ON CONFLICT (relationship_handle, grantee) DO UPDATE SET
         nonce = GREATEST(consent_pairs.nonce, EXCLUDED.nonce),
         last_grant_nonce = CASE WHEN EXCLUDED.last_grant_nonce IS NULL THEN consent_pairs.last_grant_nonce
                                 ELSE GREATEST(COALESCE(consent_pairs.last_grant_nonce, -1), EXCLUDED.last_grant_nonce) END,
         revoked_below = GREATEST(consent_pairs.revoked_below, EXCLUDED.revoked_below)`,
      [relationship, grantee, nonce, isGrant ? nonce : null, isRevocation ? nonce : 0],
    );
    if (isRevocation) {
      await manager.query(`UPDATE consent_links SET status = 'revoked' WHERE relationship_handle = $1 AND grantee = $2 AND status = 'active' AND grant_nonce < $3`, [relationship, grantee, nonce]);
    }
    if (isGrant) {
      await manager.query(
        `INSERT INTO consent_links (relationship_handle, record_handle, grantee, status, grant_nonce)
         SELECT p.relationship_handle, p.record_handle, p.grantee, 'active', p.nonce FROM consent_link_proposals p
         JOIN consent_pairs c ON c.relationship_handle = p.relationship_handle AND c.grantee = p.grantee
         WHERE p.message_id = $1 AND p.nonce >= c.revoked_below
         ON CONFLICT (relationship_handle, record_handle, grantee) DO UPDATE SET
           status = CASE WHEN EXCLUDED.grant_nonce >= consent_links.grant_nonce THEN 'active' ELSE consent_links.status END,
           grant_nonce = GREATEST(consent_links.grant_nonce, EXCLUDED.grant_nonce)`,
        [messageId],
      );
    }
    await ConsentLinks.abandoned(manager, messageId);
  },

  /** The message `messageId` failed, or was withdrawn, or is done with: its proposal goes. */
  async abandoned(manager: EntityManager, messageId: string): Promise<void> {
    await manager.query(`DELETE FROM consent_link_proposals WHERE message_id = $1`, [messageId]);
  },

  /** Whether `where` had links that a revocation ended (to tell a reader why they are refused). */
  wasRevoked(manager: EntityManager, where: Partial<Pick<ConsentLinkEntity, 'grantee' | 'recordHandle'>>): Promise<boolean> {
    return manager.existsBy(ConsentLinkEntity, { ...where, status: 'revoked' });
  },

  /** The active links of `where` (grantee, records' handle, relationship). */
  active(manager: EntityManager, where: Partial<Pick<ConsentLinkEntity, 'grantee' | 'recordHandle' | 'relationshipHandle'>>): Promise<ConsentLinkEntity[]> {
    return manager.find(ConsentLinkEntity, { where: { ...where, status: 'active' }, order: { createdAt: 'ASC' } });
  },

  /** What this gateway saw applied on the pair, or null when it relayed nothing that was. */
  pair(manager: EntityManager, relationshipHandle: string, grantee: string): Promise<ConsentPairEntity | null> {
    return manager.findOneBy(ConsentPairEntity, { relationshipHandle, grantee });
  },
};
