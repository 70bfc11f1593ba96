import { createHash, randomBytes } from 'node:crypto';
import { AnvilProcess } from '../../gateway/src/chain/anvil-process';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainContract } from '../../gateway/src/chain/chain-contract';
import { ChainRevertError } from '../../gateway/src/chain/chain-errors';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { ADMIN_DELAY } from './support/writers';

const CHAIN_ID = 2026_11;

function randomKey(): string {
  return `0x${randomBytes(32).toString('hex')}`;
}

function recordId(): string {
  return `0x${randomBytes(32).toString('hex')}`;
}

function sha512(text: string): Buffer {
  return createHash('sha512').update(text).digest();
}

async function revertOf(promise: Promise<unknown>): Promise<ChainRevertError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ChainRevertError)) throw new Error(`expected a ChainRevertError, got ${String(error)}`);
  return error;
}

describe('RecordAnchors (contract)', () => {
  let anvil: AnvilProcess;
  let admin: ChainClient;
  let gateway: ChainClient;
  let stranger: ChainClient;
  let contract: ChainContract;
  let sut: RecordAnchors;

  beforeAll(async () => {
    anvil = await AnvilProcess.start({ port: 0, chainId: CHAIN_ID, blockTimeSeconds: 0 });
    // Fresh keys, never funded: the free-gas chain must accept their transactions as they are.
    admin = new ChainClient(anvil.rpcUrl, randomKey());
    gateway = new ChainClient(anvil.rpcUrl, randomKey());
    stranger = new ChainClient(anvil.rpcUrl, randomKey());
    const { address } = await gateway.deploy('RecordAnchors', [ADMIN_DELAY, admin.address, gateway.address]);
    contract = gateway.contract('RecordAnchors', address);
    sut = new RecordAnchors(gateway, address);
  });

  afterAll(async () => {
    admin?.close();
    gateway?.close();
    stranger?.close();
    await anvil?.stop();
  });

  async function grantAnchorer(account: string): Promise<void> {
    const [role] = await admin.call(contract, 'ANCHORER_ROLE', []);
    await admin.waitForReceipt((await admin.send(admin.contract('RecordAnchors', contract.address), 'grantRole', [role, account])).txHash, 10_000);
  }

  it('anchors a digest and CID and emits RecordAnchored with them', async () => {
    const id = recordId();
    const digest = sha512('record one');
    const { txHash } = await gateway.send(contract, 'anchor', [id, 'bafy-one', `0x${digest.toString('hex')}`]);
    const receipt = await gateway.waitForReceipt(txHash, 10_000);

    expect(receipt.success).toBe(true);
    expect(gateway.events(contract, receipt)).toEqual([
      {
        name: 'RecordAnchored',
        address: expect.stringMatching(new RegExp(`^${contract.address}$`, 'i')),
        args: { recordId: id, cid: 'bafy-one', sha512Digest: `0x${digest.toString('hex')}`, anchorer: gateway.address },
      },
    ]);
  });

  it('returns the stored anchor, and null for a record never anchored', async () => {
    const id = recordId();
    const digest = sha512('record two');
    const before = Math.floor(Date.now() / 1000);
    const receipt = await gateway.waitForReceipt(await sut.anchor(id, 'bafy-two', digest), 10_000);

    const anchor = await sut.anchorOf(id);
    expect(anchor).not.toBeNull();
    expect(anchor?.digest.equals(digest)).toBe(true);
    expect(anchor?.cid).toBe('bafy-two');
    expect(anchor?.blockNumber).toBe(receipt.blockNumber);
    expect(anchor?.anchoredAt.getTime()).toBeGreaterThanOrEqual((before - 5) * 1000);
    expect(await sut.anchorOf(recordId())).toBeNull();
  });

  it('treats re-anchoring identical data as a no-op: no revert, no event, anchor unchanged', async () => {
    const id = recordId();
    const digest = sha512('record three');
    const first = await gateway.waitForReceipt(await sut.anchor(id, 'bafy-three', digest), 10_000);

    const again = await gateway.waitForReceipt(await sut.anchor(id, 'bafy-three', digest), 10_000);

    expect(again.success).toBe(true);
    expect(again.logs).toEqual([]);
    expect((await sut.anchorOf(id))?.blockNumber).toBe(first.blockNumber);
  });

  it('refuses to overwrite an anchor with a different digest or CID', async () => {
    const id = recordId();
    const digest = sha512('record four');
    await gateway.waitForReceipt(await sut.anchor(id, 'bafy-four', digest), 10_000);

    for (const attempt of [sut.anchor(id, 'bafy-four', sha512('tampered')), sut.anchor(id, 'bafy-other', digest)]) {
      const error = await revertOf(attempt);
      expect(error.errorName).toBe('RecordAnchorsAlreadyAnchored');
      expect(error.args).toEqual([id]);
    }
    expect((await sut.anchorOf(id))?.cid).toBe('bafy-four');
  });

  it('rejects a digest that is not 64 bytes, naming its length', async () => {
    const error = await revertOf(gateway.send(contract, 'anchor', [recordId(), 'bafy-short', `0x${'ab'.repeat(63)}`]));

    expect(error.errorName).toBe('RecordAnchorsBadDigestLength');
    expect(error.args).toEqual([63n]);
  });

  it('rejects an account without ANCHORER_ROLE', async () => {
    const [role] = await gateway.call(contract, 'ANCHORER_ROLE', []);
    const strangers = stranger.contract('RecordAnchors', contract.address);
    const id = recordId();

    const error = await revertOf(stranger.send(strangers, 'anchor', [id, 'bafy-x', `0x${sha512('x').toString('hex')}`]));

    expect(error.errorName).toBe('AccessControlUnauthorizedAccount');
    expect(error.args).toEqual([stranger.address, role]);
    expect(await sut.anchorOf(id)).toBeNull();
  });

  it('ATTACK: a second anchorer squats the id of a record the gateway is about to anchor; the gateway still anchors it, and reads under the gateway never see the squatter', async () => {
    const squatter = new ChainClient(anvil.rpcUrl, randomKey());
    try {
      await grantAnchorer(squatter.address);
      const squat = new RecordAnchors(squatter, contract.address);
      const id = recordId();
      const digest = sha512('the genuine record');
      await squatter.waitForReceipt(await squat.anchor(id, 'bafy-squatted', sha512('what the squatter wants read')), 10_000);

      const receipt = await gateway.waitForReceipt(await sut.anchor(id, 'bafy-genuine', digest), 10_000);

      expect(receipt.success).toBe(true);
      expect(await sut.anchorOf(id)).toMatchObject({ cid: 'bafy-genuine' });
      expect((await sut.anchorOf(id))?.digest.equals(digest)).toBe(true);
      // The squatter's anchor is a record of its own, under its own address.
      expect(await sut.anchorOf(id, squatter.address)).toMatchObject({ cid: 'bafy-squatted' });
      // Nor can the squatter overwrite the gateway's: its writes only ever land under itself.
      await squatter.waitForReceipt(await squat.anchor(recordId(), 'bafy-other', digest), 10_000);
      const again = await revertOf(squat.anchor(id, 'bafy-genuine', sha512('tampered')));
      expect(again.errorName).toBe('RecordAnchorsAlreadyAnchored');
      expect(await sut.anchorOf(id)).toMatchObject({ cid: 'bafy-genuine' });
    } finally {
      squatter.close();
    }
  });

  describe('administration (AccessControlDefaultAdminRules)', () => {
    it('makes the named admin the only admin and the gateway only an anchorer', async () => {
      const [adminRole] = await gateway.call(contract, 'DEFAULT_ADMIN_ROLE', []);
      const [anchorerRole] = await gateway.call(contract, 'ANCHORER_ROLE', []);

      expect((await gateway.call(contract, 'defaultAdmin', []))[0]).toBe(admin.address);
      expect((await gateway.call(contract, 'defaultAdminDelay', []))[0]).toBe(BigInt(ADMIN_DELAY));
      expect((await gateway.call(contract, 'hasRole', [adminRole, gateway.address]))[0]).toBe(false);
      expect((await gateway.call(contract, 'hasRole', [anchorerRole, gateway.address]))[0]).toBe(true);
      expect((await gateway.call(contract, 'hasRole', [anchorerRole, admin.address]))[0]).toBe(false);
    });

    it('refuses the gateway key granting a role or starting an admin transfer', async () => {
      const [adminRole] = await gateway.call(contract, 'DEFAULT_ADMIN_ROLE', []);
      const [anchorerRole] = await gateway.call(contract, 'ANCHORER_ROLE', []);

      for (const [method, args] of [['grantRole', [anchorerRole, stranger.address]], ['beginDefaultAdminTransfer', [gateway.address]]] as const) {
        const error = await revertOf(gateway.send(contract, method, [...args]));
        expect(error.errorName).toBe('AccessControlUnauthorizedAccount');
        expect(error.args).toEqual([gateway.address, adminRole]);
      }
    });

    it('rotates the gateway key through the admin: the new key anchors, the revoked one cannot, and its anchors stay readable', async () => {
      const oldKey = new ChainClient(anvil.rpcUrl, randomKey());
      const newKey = new ChainClient(anvil.rpcUrl, randomKey());
      try {
        await grantAnchorer(oldKey.address);
        const id = recordId();
        await oldKey.waitForReceipt(await new RecordAnchors(oldKey, contract.address).anchor(id, 'bafy-before-rotation', sha512('old')), 10_000);

        await grantAnchorer(newKey.address);
        const [role] = await admin.call(contract, 'ANCHORER_ROLE', []);
        await admin.waitForReceipt((await admin.send(admin.contract('RecordAnchors', contract.address), 'revokeRole', [role, oldKey.address])).txHash, 10_000);

        const refused = await revertOf(new RecordAnchors(oldKey, contract.address).anchor(recordId(), 'bafy-late', sha512('late')));
        expect(refused.errorName).toBe('AccessControlUnauthorizedAccount');
        const receipt = await newKey.waitForReceipt(await new RecordAnchors(newKey, contract.address).anchor(recordId(), 'bafy-after', sha512('new')), 10_000);
        expect(receipt.success).toBe(true);
        expect(await sut.anchorOf(id, oldKey.address)).toMatchObject({ cid: 'bafy-before-rotation' });
      } finally {
        oldKey.close();
        newKey.close();
      }
    });

    it('refuses a deployment without an anchorer, naming the error', async () => {
      const error = await revertOf(gateway.deploy('RecordAnchors', [ADMIN_DELAY, admin.address, `0x${'00'.repeat(20)}`]));

      expect(error.errorName).toBe('RecordAnchorsZeroAnchorer');
    });
  });
});
