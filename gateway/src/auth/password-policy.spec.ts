import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsNewPassword, passwordProblems } from './password-policy';

describe(passwordProblems.name, () => {
  it.each(['correct horse battery staple', 'Tr0ub4dor&3-is-long', 'मेरा पासवर्ड बहुत लंबा है'])('accepts the long, uncommon %p', (password) => {
    expect(passwordProblems(password, 'dr.meera')).toEqual([]);
  });

  it.each([
    ['short', 'must be at least 12 characters'],
    [' '.repeat(12), 'must have at least 12 characters besides spaces'],
    ['a          b', 'must have at least 12 characters besides spaces'],
    ['x'.repeat(201), 'must be at most 200 characters'],
    ['qwerty123456', 'is a commonly used password'],
    ['Password1234!', 'is a commonly used password'],
    ['!!iloveyou2026!!', 'is a commonly used password'],
    ['aaaaaaaaaaaa', 'is a repeated or sequential pattern'],
    ['abcdefghijklm', 'is a repeated or sequential pattern'],
    ['987654321098', 'is a repeated or sequential pattern'],
    ['xyzxyzxyzxyz', 'is a repeated or sequential pattern'],
    ['dr.meera-at-work', 'must not contain the username or the service name'],
    ['My EHRChain password', 'must not contain the username or the service name'],
  ])('refuses %p: %s', (password, problem) => {
    expect(passwordProblems(password, 'dr.meera')).toContain(problem);
  });
});

describe(IsNewPassword.name, () => {
  class NewAccount {
    username!: string;
    @IsNewPassword() password!: unknown;
  }
  const check = (username: string, password: unknown) => validateSync(plainToInstance(NewAccount, { username, password })).flatMap((e) => Object.values(e.constraints ?? {}));

  it("reads the object's username as context and names every problem", () => {
    expect(check('ravi.k', 'ravi.k-1234567890')).toEqual(['password must not contain the username or the service name']);
    expect(check('aaaa', 'aaaaaaaaaaaa')).toEqual(['password is a repeated or sequential pattern; must not contain the username or the service name']);
    expect(check('someone', 12345678901234)).toEqual(['password must be a string']);
    expect(check('someone', 'a sound long passphrase')).toEqual([]);
  });
});
