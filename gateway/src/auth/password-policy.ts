import { dictionary } from '@zxcvbn-ts/language-common';
import { registerDecorator, ValidationArguments } from 'class-validator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../common/validation';

/**
 * What a new password must not be, per NIST SP 800-63B (5.1.1.2): long enough, not known to
 * attackers, not guessable from the context. No composition rules (no "one digit, one symbol"):
 * length and the blocklist do more, and people then choose passphrases.
 */

/** The ~49,000 most common passwords of leaked password sets (zxcvbn-ts's list), lower-case. */
const COMMON_PASSWORDS = new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));
/** Context words: the product's name and parts of it. */
const CONTEXT_WORDS = ['ehrchain', 'ehr-chain', 'ehr chain'];
/** Digits and symbols people put around a common word ("Password123!"). */
const AFFIXES = /^[\d\W_]+|[\d\W_]+$/g;

/** Why `password` may not be set (empty when it may), for the account named `username`. */
export function passwordProblems(password: string, username?: string): string[] {
  const characters = [...password];
  if (characters.length < PASSWORD_MIN_LENGTH) return [`must be at least ${PASSWORD_MIN_LENGTH} characters`];
  if (characters.length > PASSWORD_MAX_LENGTH) return [`must be at most ${PASSWORD_MAX_LENGTH} characters`];
  const problems: string[] = [];
  const lower = password.toLowerCase();
  if ([...lower.replace(/\s+/g, ' ').trim()].length < PASSWORD_MIN_LENGTH) problems.push(`must have at least ${PASSWORD_MIN_LENGTH} characters besides spaces`);
  const core = lower.replace(AFFIXES, '');
  if (COMMON_PASSWORDS.has(lower) || (core.length >= 4 && COMMON_PASSWORDS.has(core))) problems.push('is a commonly used password');
  if (isPattern(lower)) problems.push('is a repeated or sequential pattern');
  const context = [...CONTEXT_WORDS, ...(username && username.length >= 3 ? [username.toLowerCase()] : [])];
  if (context.some((word) => lower.includes(word))) problems.push('must not contain the username or the service name');
  return problems;
}

/** "aaaaaaaaaaaa", "abcdefghijkl", "987654321098", "abcabcabcabc": a run of one step, or a short unit repeated. */
function isPattern(text: string): boolean {
  const codes = [...text].map((c) => c.codePointAt(0)!);
  const step = (i: number): number => {
    const [a, b] = [codes[i]!, codes[i + 1]!];
    const digits = a >= 48 && a <= 57 && b >= 48 && b <= 57;
    return digits ? ((b - a + 10) % 10 === 9 ? -1 : (b - a + 10) % 10) : b - a;
  };
  const first = step(0);
  if (Math.abs(first) <= 1 && codes.slice(0, -1).every((_, i) => step(i) === first)) return true;
  for (let unit = 2; unit <= 4; unit++) {
    if (text.length % unit === 0 && text === text.slice(0, unit).repeat(text.length / unit)) return true;
  }
  return false;
}

/**
 * A password being set: a string that passes `passwordProblems`, with the object's `username`
 * (when it has one) as context. Each problem is reported, so a person knows what to change.
 */
export function IsNewPassword(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNewPassword',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown, args: ValidationArguments): boolean => typeof value === 'string' && passwordProblems(value, usernameOf(args)).length === 0,
        defaultMessage: (args: ValidationArguments): string =>
          typeof args.value === 'string' ? `password ${passwordProblems(args.value, usernameOf(args)).join('; ')}` : 'password must be a string',
      },
    });
}

const usernameOf = (args: ValidationArguments): string | undefined => {
  const username = (args.object as { username?: unknown }).username;
  return typeof username === 'string' ? username : undefined;
};
