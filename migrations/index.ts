import { Foundation1764072000000 } from './1764072000000-foundation';
import { OutboxBatches1796112000000 } from './1796112000000-outbox-batches';
import { UsedChallenges1796115600000 } from './1796115600000-used-challenges';
import { SecurityEvents1796122800000 } from './1796122800000-security-events';
import { AccountLifeCycle1796126400000 } from './1796126400000-account-life-cycle';
import { CredentialsChangedAt1796130000000 } from './1796130000000-credentials-changed-at';
import { Identity1796133600000 } from './1796133600000-identity';
import { RevokedTokens1796137200000 } from './1796137200000-revoked-tokens';
import { Records1796140800000 } from './1796140800000-records';
import { Access1796144400000 } from './1796144400000-access';
import { GuardianMessages1796148000000 } from './1796148000000-guardian-messages';
import { RecoveryVetoes1796151600000 } from './1796151600000-recovery-vetoes';
import { RecoveryRelay1796155200000 } from './1796155200000-recovery-relay';

/** Every migration, oldest first. Listed explicitly so source (tests) and dist (start) agree. */
export const MIGRATIONS = [Foundation1764072000000, OutboxBatches1796112000000, UsedChallenges1796115600000, SecurityEvents1796122800000, AccountLifeCycle1796126400000,
  CredentialsChangedAt1796130000000, Identity1796133600000, RevokedTokens1796137200000, Records1796140800000, Access1796144400000,
  GuardianMessages1796148000000, RecoveryVetoes1796151600000, RecoveryRelay1796155200000];
