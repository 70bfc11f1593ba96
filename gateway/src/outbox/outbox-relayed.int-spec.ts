import { Injectable, Module } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { newKey, Key } from '../../../test/contracts/support/accounts';
import { randomBytes32, randomKey } from '../../../test/contracts/support/chain';
import { eventually } from '../../../test/support/eventually';
import { createTestApp, removeGatewayData, TestApp } from '../../../test/support/test-app';
import { ApiError } from '../common/errors';
import { ChainClient, SendOptions } from '../chain/chain-client';
import { ChainRuntime } from '../chain/chain.module';
import { NodeRpc } from '../chain/node-rpc';
import { patientHandle } from '../chain/patient-handle';
import { ConsentManager } from '../chain/consent-manager';
import { buildTypedData, signTypedData } from '../chain/eip712';
import { CONSENT_MANAGER_DOMAIN, CONSENT_MANAGER_TYPES } from '../chain/typed-messages';
import { AppliedAt, ConfirmedBatch, OutboxBatchRef, OutboxHandler, OutboxItem } from './outbox-handler';
import { OutboxEntity } from './outbox.entity';
import { OutboxService } from './outbox.service';

/** A patient's registration as the patient signed it, for the gateway to relay. */
interface Registration {
  handle: string;
  signer: string;
  salt: string;
  deadline: string;
  signature: string;
}

const args = (r: Registration) => [r.handle, r.signer, r.salt, BigInt(r.deadline), r.signature];

/**
 * A relayed write that is not idempotent by batch id (PatientRegistry.register: a handle is
 * registered once, a second attempt reverts), as the identity feature will relay it. Test-only:
 * it records outcomes in memory instead of a domain table.
 */
@Injectable()
class RegistrationRelay extends OutboxHandler<Registration> {
  readonly kind = 'test-registration';
  readonly maxBatchSize = 1; // one signed message per transaction
  readonly outcomes = new Map<string, { status: 'done'; txHash: string } | { status: 'failed'; reason: string }>();

  constructor(
    private readonly chain: ChainClient,
    private readonly consents: ConsentManager,
  ) {
    super();
  }

  override async simulate(payload: Registration): Promise<void> {
    await this.chain.call(this.consents.contract, 'register', args(payload));
  }

  async send(_batchId: string, [item]: readonly OutboxItem<Registration>[], options: SendOptions): Promise<string> {
    return (await this.chain.send(this.consents.contract, 'register', args(item!.payload), options)).txHash;
  }

  /** Applied when the chain logged this very registration: this handle, to this signer. */
  override async alreadyApplied(_batchId: string, [item]: readonly OutboxItem<Registration>[]): Promise<AppliedAt | null> {
    const { handle, signer } = item!.payload;
    const signerTopic = `0x${signer.slice(2).toLowerCase().padStart(64, '0')}`;
    const [log] = await this.chain.logs({ address: this.consents.address, topics: [this.consents.contract.eventTopic('HandleRegistered'), handle, signerTopic], fromBlock: 0n });
    return log ? { blockNumber: log.blockNumber!, txHash: log.transactionHash! } : null;
  }

  async confirmed(_manager: EntityManager, batch: ConfirmedBatch, items: readonly OutboxItem<Registration>[]): Promise<void> {
    for (const { ref } of items) this.outcomes.set(ref, { status: 'done', txHash: batch.txHash });
  }

  async failed(_manager: EntityManager, _batch: OutboxBatchRef, items: readonly OutboxItem<Registration>[], reason: string): Promise<void> {
    for (const { ref } of items) this.outcomes.set(ref, { status: 'failed', reason });
  }
}

@Module({ providers: [RegistrationRelay] })
class RegistrationRelayModule {}

describe('OutboxService with relayed writes that are not idempotent', () => {
  let app: TestApp;
  let sut: OutboxService;
  let relay: RegistrationRelay;

  beforeAll(async () => {
    app = await createTestApp({ features: [RegistrationRelayModule], env: { OUTBOX_INTERVAL_MS: '60000' } });
    sut = app.app.get(OutboxService);
    relay = app.app.get(RegistrationRelay);
  });
  afterAll(async () => {
    await app?.close();
    if (app) await removeGatewayData(app.config);
  });

  /** A new handle registered to `signer`, signed by `by` (the signer itself, unless a forger signs), valid for `seconds`. */
  function registration(signer: Key, by: Key = signer, seconds = 3600): Registration {
    const salt = randomBytes32();
    const handle = patientHandle(signer.address, salt);
    const deadline = BigInt(Math.floor(Date.now() / 1000) + seconds);
    const domain = { ...CONSENT_MANAGER_DOMAIN, chainId: app.app.get(ChainRuntime).chainId, verifyingContract: app.app.get(ConsentManager).address };
    const typedData = buildTypedData(domain, 'Registration', { Registration: CONSENT_MANAGER_TYPES.Registration }, { handle, signer: signer.address, nonce: 0n, deadline });
    return { handle, signer: signer.address, salt, deadline: deadline.toString(), signature: signTypedData(by.key, typedData) };
  }

  /** Anyone may relay a signed message: a stranger's own transaction, outside the gateway. */
  async function relayedByAStranger(message: Registration): Promise<string> {
    const stranger = new ChainClient(app.app.get(ChainClient).rpcUrl, randomKey());
    try {
      const { txHash } = await stranger.send(app.app.get(ConsentManager).contract, 'register', args(message));
      expect((await stranger.waitForReceipt(txHash, 10_000)).success).toBe(true);
      return txHash;
    } finally {
      stranger.close();
    }
  }

  async function enqueue(ref: string, message: Registration): Promise<void> {
    await app.app.get(DataSource).transaction((manager) => sut.enqueue(manager, RegistrationRelay, ref, message));
  }

  it('answers 422 CHAIN_WOULD_REVERT for a message the chain would refuse, before anything is queued', async () => {
    const forged = registration(newKey(), newKey());

    const error = await sut.simulate(RegistrationRelay, forged).then(() => undefined, (e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).getStatus()).toBe(422);
    expect((error as ApiError).getResponse()).toMatchObject({ code: 'CHAIN_WOULD_REVERT', details: { error: 'PatientRegistryInvalidSigner' } });
    expect(await app.app.get(DataSource).getRepository(OutboxEntity).countBy({ kind: 'test-registration' })).toBe(0);
  });

  it('counts as done, not failed, a message someone else relayed first', async () => {
    const message = registration(newKey());
    await sut.simulate(RegistrationRelay, message);
    await enqueue('relayed-elsewhere', message);
    const theirs = await relayedByAStranger(message); // after the check, before our send

    await eventually(async () => {
      await sut.drain();
      expect(relay.outcomes.get('relayed-elsewhere')).toEqual({ status: 'done', txHash: theirs });
    });
  });

  it('fails it, with the reason, when the chain refuses it and does not hold its effect', async () => {
    // Valid when queued; by its send the signature's deadline has passed (the chain's clock moved on).
    const ours = registration(newKey(), undefined, 60);
    await sut.simulate(RegistrationRelay, ours);
    await enqueue('expired-before-send', ours);
    const node = new NodeRpc(app.app.get(ChainClient).rpcUrl);
    await node.call('evm_increaseTime', [3600]);
    await node.call('evm_mine', []);

    await eventually(async () => {
      await sut.drain();
      expect(relay.outcomes.get('expired-before-send')).toEqual({ status: 'failed', reason: expect.stringContaining('PatientRegistryExpiredSignature') });
    });
    expect(await app.app.get(ChainClient).call(app.app.get(ConsentManager).contract, 'signerOf', [ours.handle])).toEqual(['0x0000000000000000000000000000000000000000']);
  });
});
