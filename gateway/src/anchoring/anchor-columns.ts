import { EntityManager } from 'typeorm';

/** What a confirmed anchor batch records on the row of each of its versions. */
export interface VersionAnchor {
  /** The outbox row's ref: the domain row's key. */
  ref: string;
  batchId: string;
  proof: string[];
  author: string;
  txHash: string;
  blockNumber: bigint;
}

/**
 * The anchor columns every anchored table has (anchor_status, anchor_batch_id, anchor_proof,
 * anchor_author, anchor_tx_hash, anchored_block, anchor_error), set for a whole batch in one
 * statement: a batch holds hundreds of versions. `keyOf` is the SQL that matches a row to an
 * outbox ref (`$ref`): the table's key expression.
 */
export async function markRowsAnchored(manager: EntityManager, table: string, keyOf: string, anchors: readonly VersionAnchor[]): Promise<void> {
  if (anchors.length === 0) return;
  const rows = anchors.map((a) => ({ ref: a.ref, batch_id: a.batchId, proof: a.proof, author: a.author, tx_hash: a.txHash, block: a.blockNumber.toString() }));
  await manager.query(
    `UPDATE ${table} AS t
        SET anchor_status = 'anchored', anchor_batch_id = v.batch_id, anchor_proof = v.proof, anchor_author = v.author,
            anchor_tx_hash = v.tx_hash, anchored_block = v.block::bigint, anchor_error = NULL
       FROM jsonb_to_recordset($1::jsonb) AS v(ref text, batch_id text, proof jsonb, author text, tx_hash text, block text)
      WHERE ${keyOf.replaceAll('$ref', 'v.ref')}`,
    [JSON.stringify(rows)],
  );
}

export async function markRowsFailed(manager: EntityManager, table: string, keyOf: string, refs: readonly string[], reason: string): Promise<void> {
  if (refs.length === 0) return;
  await manager.query(
    `UPDATE ${table} AS t SET anchor_status = 'failed', anchor_error = $2
       FROM unnest($1::text[]) AS v(ref) WHERE ${keyOf.replaceAll('$ref', 'v.ref')}`,
    [refs, reason],
  );
}
