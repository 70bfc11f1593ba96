import { consentManagerTestbed } from '../../../test/contracts/support/consent-manager';
import { patientHelpers } from '../../../test/contracts/support/patients';
import { randomBytes32 } from '../../../test/contracts/support/chain';
import { ConsentManager } from './consent-manager';

describe(ConsentManager.name, () => {
  const bed = consentManagerTestbed('ConsentManager wrapper');
  const patients = patientHelpers(bed);
  let sut: ConsentManager;

  beforeAll(async () => {
    await bed.start();
    sut = new ConsentManager(bed.relayer, bed.sut.address!);
  });
  afterAll(() => bed.stop());

  it("reads a registered handle's signer, checksummed", async () => {
    const { handle, signer } = await patients.registered();
    await expect(sut.signerOf(handle)).resolves.toBe(signer.address);
  });

  it('answers null for a handle nobody registered', async () => {
    await expect(sut.signerOf(randomBytes32())).resolves.toBeNull();
  });

  it('refuses a malformed handle before calling the chain', async () => {
    await expect(sut.signerOf('0x1234')).rejects.toThrow('0x + 64 hex digits');
  });
});
