import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsNewPassword } from '../auth/password-policy';
import { IsBytes32, IsEthAddress, IsLabel, IsSignature, IsUsername } from './validation';

class Sample {
  @IsUsername() username!: unknown;
  @IsNewPassword() password!: unknown;
  @IsLabel() label!: unknown;
  @IsEthAddress() address!: unknown;
  @IsBytes32() handle!: unknown;
  @IsSignature() signature!: unknown;
}

const valid = {
  username: 'dr.meera_2',
  password: 'correct horse battery',
  label: 'AIIMS HIS production',
  address: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
  handle: `0x${'ab'.repeat(32)}`,
  signature: `0x${'cd'.repeat(65)}`,
};

/** The properties that failed when `field` is replaced by `value`. */
const failures = (field: keyof typeof valid, value: unknown): string[] =>
  validateSync(plainToInstance(Sample, { ...valid, [field]: value })).map((e) => e.property);

describe('validation', () => {
  it('accepts well-formed values', () => {
    expect(validateSync(plainToInstance(Sample, valid))).toEqual([]);
  });

  it.each<[keyof typeof valid, unknown]>([
    ['username', 'Dr.Meera'],
    ['username', 'ab'],
    ['username', 'a'.repeat(65)],
    ['password', 'short'],
    ['password', 'x'.repeat(201)],
    ['password', 123456789012],
    ['label', ''],
    ['label', 'x'.repeat(101)],
    ['address', '0x8ba1f109551bD432803012645Ac136ddd64DBA73'], // mixed case, checksum broken
    ['address', '8ba1f109551bd432803012645ac136ddd64dba72'],
    ['handle', `0x${'ab'.repeat(31)}`],
    ['handle', `0x${'zz'.repeat(32)}`],
    ['handle', 42],
    ['signature', `0x${'cd'.repeat(64)}`],
    ['signature', `${'cd'.repeat(65)}`],
  ])('refuses %s = %p', (field, value) => {
    expect(failures(field, value)).toEqual([field]);
  });

  it('accepts an address written in one case without a checksum', () => {
    expect(failures('address', valid.address.toLowerCase())).toEqual([]);
  });

  it('names the field in its message', () => {
    const [error] = validateSync(plainToInstance(Sample, { ...valid, handle: '0x1' }));
    expect(Object.values(error!.constraints!)).toEqual(['handle must be 0x followed by 64 hex digits']);
  });
});
