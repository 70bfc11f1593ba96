import { RLP } from '@ethereumjs/rlp';

export type Consensus = 'ibft2' | 'qbft';

export const CONSENSUS_PROTOCOLS: readonly Consensus[] = ['ibft2', 'qbft'];

/** Besu's BftExtraDataCodec.EXTRA_VANITY_LENGTH. */
export const VANITY_LENGTH = 32;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function addressBytes(address: string): Uint8Array {
  if (!ADDRESS.test(address)) throw new Error(`Not a 20-byte hex address: ${address}`);
  return Uint8Array.from(Buffer.from(address.slice(2), 'hex'));
}

/**
 * The genesis `extraData` exactly as Besu encodes it, for validators in the order given
 * (what `besu rlp encode --type=IBFT_EXTRA_DATA|QBFT_EXTRA_DATA` does with its input file):
 *
 *   IBFT 2.0  RLP([vanity, [validators], 0x80 (no vote: writeNull), 0x8400000000 (round: writeInt, 4 bytes), []])
 *   QBFT      RLP([vanity, [validators], [] (no vote: empty list),  0x80 (round: writeIntScalar(0)),      []])
 *
 * Source: Besu's IbftExtraDataCodec.encode and QbftExtraDataCodec.encode (consensus/ibft,
 * consensus/qbft); RLPOutput.writeNull = empty bytes, writeInt = 4 bytes, writeIntScalar = minimal.
 * The two codecs differ only in those two fields, and each node rejects the other's encoding.
 */
export function encodeBftExtraData(consensus: Consensus, validators: readonly string[]): string {
  const vanity = new Uint8Array(VANITY_LENGTH);
  const list = validators.map(addressBytes);
  const noSeals: Uint8Array[] = [];
  const fields =
    consensus === 'ibft2'
      ? [vanity, list, new Uint8Array(0), new Uint8Array(4), noSeals]
      : [vanity, list, [], new Uint8Array(0), noSeals];
  return `0x${Buffer.from(RLP.encode(fields)).toString('hex')}`;
}

/** Addresses lower-cased and sorted ascending (byte order), the order Besu keeps validators in. */
export function sortAddresses(addresses: readonly string[]): string[] {
  for (const address of addresses) addressBytes(address);
  const sorted = addresses.map((a) => a.toLowerCase()).sort();
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new Error(`Duplicate validator address ${sorted[i]}`);
  }
  return sorted;
}

/**
 * Genesis extraData for a validator set: ascending order, as Besu's docs require of the
 * `rlp encode` input ("a list of the initial validators, in ascending order").
 */
export function genesisExtraData(consensus: Consensus, validators: readonly string[]): string {
  if (validators.length === 0) throw new Error('A BFT genesis needs at least one validator');
  return encodeBftExtraData(consensus, sortAddresses(validators));
}
