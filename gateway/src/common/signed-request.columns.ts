import { Column, CreateDateColumn, PrimaryColumn } from 'typeorm';

/** draft: typed data handed to the doctor to sign; queued: signed, in the outbox; requested: on chain; failed: the chain refused it. */
export type SignedRequestStatus = 'draft' | 'queued' | 'requested' | 'failed';

/**
 * The columns of a request a doctor signs and the gateway relays (a consent request, an emergency):
 * who signed it, the nonce and deadline its typed data was made with, and what became of it on
 * chain. Each table adds what its request is about.
 */
export abstract class SignedRequestColumns {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** The doctor's chain address (checksummed). */
  @Column({ type: 'varchar', length: 42 })
  doctor!: string;

  @Column({ name: 'doctor_account', type: 'uuid' })
  doctorAccount!: string;

  /** The doctor's nonce and the signature deadline the typed data was made with. */
  @Column({ type: 'bigint' })
  nonce!: string;

  @Column({ type: 'bigint' })
  deadline!: string;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status!: SignedRequestStatus;

  /** The contract's id for the request once it is on chain. */
  @Column({ name: 'chain_request_id', type: 'bigint', nullable: true })
  chainRequestId!: string | null;

  @Column({ name: 'tx_hash', type: 'varchar', length: 66, nullable: true })
  txHash!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
