import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consensus, encodeBftExtraData, genesisExtraData, sortAddresses } from './extra-data';
import { readEvmVersion } from './genesis';
import { generateNetwork } from './network';

// An RLP decoder written for this test alone (not @ethereumjs/rlp, which the generator encodes
// with), strict about canonical form, so the encoder is checked against the spec, not itself.
type RlpItem = Uint8Array | RlpItem[];

function decodeAt(b: Uint8Array, pos: number): [RlpItem, number] {
  const prefix = b[pos];
  if (prefix === undefined) throw new Error(`truncated at ${pos}`);
  if (prefix < 0x80) return [b.subarray(pos, pos + 1), pos + 1];
  const isList = prefix >= 0xc0;
  const short = prefix - (isList ? 0xc0 : 0x80);
  let start = pos + 1;
  let length = short;
  if (short > 55) {
    const lengthOfLength = short - 55;
    if (b[start] === 0) throw new Error('length with leading zero');
    length = Number.parseInt(Buffer.from(b.subarray(start, start + lengthOfLength)).toString('hex'), 16);
    if (length <= 55) throw new Error('long form for a short length');
    start += lengthOfLength;
  }
  const end = start + length;
  if (end > b.length) throw new Error(`item at ${pos} runs past the input`);
  if (!isList) {
    if (length === 1 && b[start]! < 0x80) throw new Error('single byte below 0x80 must encode itself');
    return [b.subarray(start, end), end];
  }
  const items: RlpItem[] = [];
  for (let at = start; at < end; ) {
    const [item, next] = decodeAt(b, at);
    if (next > end) throw new Error('list item runs past its list');
    items.push(item);
    at = next;
  }
  return [items, end];
}

function rlpDecode(hex: string): RlpItem {
  const bytes = Uint8Array.from(Buffer.from(hex.replace(/^0x/, ''), 'hex'));
  const [item, end] = decodeAt(bytes, 0);
  if (end !== bytes.length) throw new Error('trailing bytes');
  return item;
}

const isBytes = (item: RlpItem | undefined): item is Uint8Array => item instanceof Uint8Array;
const hexOf = (item: RlpItem | undefined): string => {
  if (!isBytes(item)) throw new Error('expected a byte string, got a list');
  return Buffer.from(item).toString('hex');
};

interface DecodedExtraData {
  vanity: string;
  validators: string[];
  vote: RlpItem;
  round: RlpItem;
  seals: RlpItem;
}

function decodeExtraData(extraData: string): DecodedExtraData {
  const top = rlpDecode(extraData);
  if (isBytes(top) || top.length !== 5) throw new Error('extraData is not a 5-item list');
  const [vanity, validators, vote, round, seals] = top as [RlpItem, RlpItem, RlpItem, RlpItem, RlpItem];
  if (isBytes(validators)) throw new Error('validators is not a list');
  return { vanity: hexOf(vanity), validators: validators.map((v) => `0x${hexOf(v)}`), vote, round, seals };
}

/** What Besu's codecs read for "no vote, round 0, no seals" (IbftExtraDataCodec / QbftExtraDataCodec.decodeRaw). */
function expectGenesisFields(decoded: DecodedExtraData, consensus: Consensus): void {
  expect(decoded.vanity).toBe('00'.repeat(32));
  if (consensus === 'ibft2') {
    expect(isBytes(decoded.vote) && decoded.vote.length === 0).toBe(true); // nextIsNull(): 0x80
    expect(hexOf(decoded.round)).toBe('00000000'); // readInt(): exactly 4 bytes
  } else {
    expect(decoded.vote).toEqual([]); // nextIsList() && nextSize() == 0: 0xc0
    expect(isBytes(decoded.round) && decoded.round.length === 0).toBe(true); // readIntScalar(): 0 is empty
  }
  expect(decoded.seals).toEqual([]);
}

/**
 * Known answers from Besu's own material: exact strings `besu rlp encode` produced or Besu's
 * docs publish, each with validators in the order they were given to the encoder.
 */
const VECTORS: Array<{ source: string; consensus: Consensus; validators: string[]; extraData: string }> = [
  {
    source: 'besu-docs, private-networks/how-to/configure/consensus/ibft.md (example IBFT 2.0 genesis)',
    consensus: 'ibft2',
    validators: ['0xc2ab482b506de561668e07f04547232a72897daf'],
    extraData:
      '0xf83ea00000000000000000000000000000000000000000000000000000000000000000d594c2ab482b506de561668e07f04547232a72897daf808400000000c0',
  },
  {
    source: 'alastria/alastria-node-besu-directory README (output of `besu rlp encode --type=IBFT_EXTRA_DATA`)',
    consensus: 'ibft2',
    validators: [
      '0x2d1d60dd4fdb77bc71cdeb62bade4a3606929ced',
      '0x4b3cc96cc615ab4d46ac0bc8fff5cb4fa77cac92',
      '0x283c714b9d58173e5f89c2f0d9476a92cf9ac9f4',
      '0x7303144c5f64cee173569f2b884a22fdae835155',
    ],
    extraData:
      '0xf87ea00000000000000000000000000000000000000000000000000000000000000000f854942d1d60dd4fdb77bc71cdeb62bade4a3606929ced944b3cc96cc615ab4d46ac0bc8fff5cb4fa77cac9294283c714b9d58173e5f89c2f0d9476a92cf9ac9f4947303144c5f64cee173569f2b884a22fdae835155808400000000c0',
  },
  {
    source: 'besu-docs, private-networks/how-to/configure/consensus/qbft.md (block header validator selection)',
    consensus: 'qbft',
    validators: [
      '0x64a702e6263b7297a96638cac6ae65e6541f4169',
      '0x3923390ad55e90c237593b3b0e401f3b08a03185',
      '0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692',
      '0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78',
    ],
    extraData:
      '0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e6263b7297a96638cac6ae65e6541f4169943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f433e5b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0',
  },
  {
    source: 'Consensys/quorum-dev-quickstart, files/besu/config/besu/QBFTgenesis.json',
    consensus: 'qbft',
    validators: [
      '0x93917cadbace5dfce132b991732c6cda9bcc5b8a',
      '0x27a97c9aaf04f18f3014c32e036dd0ac76da5f18',
      '0xce412f988377e31f4d0ff12d74df73b51c42d0ca',
      '0x98c1334496614aed49d2e81526d089f7264fed9c',
    ],
    extraData:
      '0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549493917cadbace5dfce132b991732c6cda9bcc5b8a9427a97c9aaf04f18f3014c32e036dd0ac76da5f1894ce412f988377e31f4d0ff12d74df73b51c42d0ca9498c1334496614aed49d2e81526d089f7264fed9cc080c0',
  },
  {
    source: 'besu-docs, private-networks/how-to/configure/consensus/qbft.md (contract validator selection: no validators)',
    consensus: 'qbft',
    validators: [],
    extraData: '0xe5a00000000000000000000000000000000000000000000000000000000000000000c0c080c0',
  },
];

describe('BFT extraData', () => {
  describe.each(VECTORS)('known answer: $source', ({ consensus, validators, extraData }) => {
    it('encodes exactly as Besu', () => {
      expect(encodeBftExtraData(consensus, validators)).toBe(extraData);
    });

    it('decodes with the independent decoder to the same validators and empty genesis fields', () => {
      const decoded = decodeExtraData(extraData);
      expect(decoded.validators).toEqual(validators);
      expectGenesisFields(decoded, consensus);
    });
  });

  it('differs between IBFT 2.0 and QBFT only in the vote and round fields', () => {
    const validators = VECTORS[1]!.validators;
    const ibft = decodeExtraData(encodeBftExtraData('ibft2', validators));
    const qbft = decodeExtraData(encodeBftExtraData('qbft', validators));
    expect(ibft.vanity).toEqual(qbft.vanity);
    expect(ibft.validators).toEqual(qbft.validators);
    expect(ibft.seals).toEqual(qbft.seals);
    expect(ibft.vote).not.toEqual(qbft.vote);
    expect(ibft.round).not.toEqual(qbft.round);
  });

  it('puts genesis validators in ascending order and rejects duplicates and malformed addresses', () => {
    const unsorted = VECTORS[1]!.validators;
    const decoded = decodeExtraData(genesisExtraData('ibft2', unsorted));
    expect(decoded.validators).toEqual([...unsorted].sort());
    expect(decoded.validators).not.toEqual(unsorted);
    expect(sortAddresses(['0xAB00000000000000000000000000000000000000', '0x0a00000000000000000000000000000000000000'])).toEqual([
      '0x0a00000000000000000000000000000000000000',
      '0xab00000000000000000000000000000000000000',
    ]);
    expect(() => genesisExtraData('qbft', [unsorted[0]!, unsorted[0]!.toUpperCase().replace('0X', '0x')])).toThrow(/Duplicate/);
    expect(() => genesisExtraData('qbft', ['0x1234'])).toThrow(/20-byte/);
    expect(() => genesisExtraData('qbft', [])).toThrow(/at least one validator/);
  });

  describe.each<[Consensus, number]>([
    ['ibft2', 4],
    ['qbft', 7],
  ])('in a generated %s network of %i validators', (consensus, validators) => {
    let dir: string;
    let extraData: string;
    let generated: string[];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ehr-net-extra-'));
      const summary = await generateNetwork(
        { validators, rpcNodes: 1, consensus, chainId: 202611, blockPeriodSeconds: 2, evmVersion: readEvmVersion(), out: dir, force: false },
        () => undefined,
      );
      extraData = (JSON.parse(await readFile(join(dir, 'genesis.json'), 'utf8')) as { extraData: string }).extraData;
      // The addresses the generator wrote next to each validator's key, not what it reports.
      generated = await Promise.all(summary.validators.map((v) => readFile(join(dir, v.name, 'address'), 'utf8')));
    });

    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('holds exactly the generated validator addresses, sorted ascending', () => {
      const decoded = decodeExtraData(extraData);
      expect(decoded.validators).toHaveLength(validators);
      expect(new Set(decoded.validators)).toEqual(new Set(generated));
      expect(decoded.validators).toEqual([...generated].sort());
    });

    it(`carries the zero vanity, no vote, round 0 and no seals as Besu's ${consensus} codec reads them`, () => {
      expectGenesisFields(decodeExtraData(extraData), consensus);
    });

    it('leaves the RPC node out of the validator set', async () => {
      const rpcAddress = await readFile(join(dir, 'rpcnode1', 'address'), 'utf8');
      expect(decodeExtraData(extraData).validators).not.toContain(rpcAddress);
    });
  });
});
