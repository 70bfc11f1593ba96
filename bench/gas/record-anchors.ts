import { utils } from 'web3';
import { buildRecordBatch, toContractVersion } from '../../gateway/src/chain/record-batch';
import { RecordVersionFactory } from '../../test/factories/record-version.factory';
import { GasRow, GasScenario, perUnit } from './scenario';

/** Issue 3, "Done when": a batched anchor at most 15,000 gas per record. */
export const BATCHED_ANCHOR_TARGET = 15_000;
export const ANCHOR_BATCH_SIZES = [1, 16, 100, 256] as const;

const id = (label: string): string => utils.keccak256(Buffer.from(`gas/${label}`, 'utf8'));

export const recordAnchorsScenario: GasScenario = {
  contract: 'RecordAnchors',
  artifacts: ['RecordAnchors'],
  async measure({ chain, deploy, send, estimate, key }) {
    // The consortium administers; the deployer (the gateway) is only the anchorer.
    const contract = await deploy('RecordAnchors', [0, key('contracts admin').address, chain.address]);
    const rows: GasRow[] = [];

    const single = RecordVersionFactory.create({}, 'gas/anchor');
    const anchorGas = await send(contract, 'anchor', [single.recordId, single.cid, `0x${single.sha512Digest.toString('hex')}`]);
    rows.push(perUnit('RecordAnchors.anchor', 'record', 1, anchorGas, { note: 'one record, digest and 59-character CID in storage' }));

    let largest: { batchId: string; batch: ReturnType<typeof buildRecordBatch> } | undefined;
    for (const size of ANCHOR_BATCH_SIZES) {
      const batch = buildRecordBatch(RecordVersionFactory.many(size, `gas/anchorBatch/${size}`));
      const batchId = id(`anchorBatch/${size}`);
      const txGas = await send(contract, 'anchorBatch', [batchId, batch.root, batch.count]);
      // A batch of one is the single-record case: the per-record target is for batches.
      const breakEven = Math.ceil(txGas / BATCHED_ANCHOR_TARGET);
      rows.push(
        size === 1
          ? perUnit('RecordAnchors.anchorBatch[1]', 'record', 1, txGas, { note: `no target for one record; a batch meets ${BATCHED_ANCHOR_TARGET.toLocaleString('en-US')} per record from ${breakEven} records` })
          : perUnit(`RecordAnchors.anchorBatch[${size}]`, 'record', size, txGas, { target: BATCHED_ANCHOR_TARGET }),
      );
      largest = { batchId, batch };
    }

    if (largest) {
      const { batchId, batch } = largest;
      const { version, proof } = batch.proofs[0]!;
      const txGas = await estimate(contract, 'verifyRecord', [chain.address, batchId, toContractVersion(version), proof]);
      rows.push(perUnit(`RecordAnchors.verifyRecord[${batch.count}]`, 'transaction', 1, txGas, { note: `a view; what a transaction calling it would cost (${proof.length}-hash proof)` }));
    }
    return rows;
  },
};
