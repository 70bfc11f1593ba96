import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAadhaar } from './aadhaar';
import { madeUpAadhaar, SANDBOX_RESIDENTS, sandboxInboxFile, sandboxMessages, sandboxResident, SandboxEkycProvider } from './sandbox-ekyc';

describe(SandboxEkycProvider.name, () => {
  let dir: string;
  let sut: SandboxEkycProvider;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehr-sandbox-'));
    sut = new SandboxEkycProvider(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('knows residents whose numbers and VIDs UIDAI could have issued, in its test range only', () => {
    for (const resident of [...SANDBOX_RESIDENTS, sandboxResident(123_456), sandboxResident(9_999_990)]) {
      expect(parseAadhaar(resident.aadhaar)).toEqual({ digits: resident.aadhaar, kind: 'aadhaar' });
      expect(parseAadhaar(resident.vid)).toEqual({ digits: resident.vid, kind: 'vid' });
      expect(resident.aadhaar.startsWith('9999')).toBe(true);
    }
    expect(new Set(SANDBOX_RESIDENTS.map((r) => r.mobile)).size).toBe(SANDBOX_RESIDENTS.length);
    expect(madeUpAadhaar().startsWith('9998')).toBe(true);
    // 9999 9999 9999 would read the same backwards: nobody has it.
    expect(() => sandboxResident(9_999_998)).toThrow('palindrome');
  });

  it('matches a resident by number or VID only with the name (any case or spacing), year of birth and gender on record', async () => {
    const resident = sandboxResident(4321);
    const stated = { name: `  ${resident.name.toUpperCase().replace(' ', '   ')} `, yearOfBirth: resident.yearOfBirth, gender: resident.gender };
    const expected = { matched: true, aadhaar: resident.aadhaar, mobile: resident.mobile };
    await expect(sut.match(parseAadhaar(resident.aadhaar), stated)).resolves.toEqual(expected);
    await expect(sut.match(parseAadhaar(resident.vid), stated)).resolves.toEqual(expected);
    await expect(sut.match(parseAadhaar(resident.aadhaar), { ...stated, yearOfBirth: stated.yearOfBirth - 1 })).resolves.toEqual({ matched: false });
    await expect(sut.match(parseAadhaar(resident.aadhaar), { ...stated, name: 'Someone Else' })).resolves.toEqual({ matched: false });
    await expect(sut.match(parseAadhaar(madeUpAadhaar()), stated)).resolves.toEqual({ matched: false });
  });

  it("delivers codes to a file only its owner reads, the resident's messages apart from others'", async () => {
    const [first, second] = [sandboxResident(1), sandboxResident(2)];
    await sut.deliverCode(first.mobile, '123456', 'registration');
    await sut.deliverCode(second.mobile, '654321', 'sign-in');
    expect(await sandboxMessages(dir, first.mobile)).toEqual([expect.objectContaining({ to: first.mobile, code: '123456', purpose: 'registration' })]);
    expect((await sandboxMessages(dir, second.mobile))[0]!.text).toContain('654321 is your EHRChain sign-in code');
    expect((await stat(sandboxInboxFile(dir))).mode & 0o777).toBe(0o600);
  });
});
