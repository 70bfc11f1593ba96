import { randomInt } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AadhaarKind, withCheckDigit } from './aadhaar';
import { CodePurpose, Demographics, EkycMatch, EkycProvider, Gender, Notice, sameName } from './ekyc-provider';

export interface SandboxResident extends Demographics {
  aadhaar: string;
  vid: string;
  mobile: string;
}

const NAMES = [
  'Aarav Sharma', 'Ananya Iyer', 'Rohan Mehta', 'Priya Nair', 'Kabir Singh', 'Meera Pillai', 'Arjun Reddy', 'Diya Banerjee',
  'Vihaan Gupta', 'Ishita Rao', 'Aditya Kulkarni', 'Saanvi Joshi', 'Reyansh Das', 'Kavya Menon', 'Ayaan Khan', 'Tara Bhat',
];
const GENDER_CYCLE: readonly Gender[] = ['M', 'F', 'M', 'F', 'M', 'F', 'M', 'F', 'M', 'F', 'M', 'F', 'M', 'F', 'M', 'T'];

/** How many residents the sandbox knows: every number 9999 0000 001C to 9999 9999 999C. */
export const SANDBOX_RESIDENT_COUNT = 9_999_999;

/**
 * The sandbox's resident number `i` (0-based), made here rather than kept in the repository:
 * numbers in UIDAI's test range (starting 9999, as its pre-production residents do), so none is
 * a real person's. The first 16 have names; the rest are "Resident <n>" (the bench registers
 * thousands).
 */
export function sandboxResident(i: number): SandboxResident {
  if (!Number.isInteger(i) || i < 0 || i >= SANDBOX_RESIDENT_COUNT) throw new RangeError(`The sandbox has residents 0 to ${SANDBOX_RESIDENT_COUNT - 1}`);
  const aadhaar = withCheckDigit(`9999${String(i + 1).padStart(7, '0')}`);
  const vid = withCheckDigit(`919999${String(i + 1).padStart(9, '0')}`);
  // UIDAI issues no palindrome: the few indexes whose number would read the same backwards have nobody.
  if ([aadhaar, vid].some((digits) => digits === [...digits].reverse().join(''))) throw new RangeError(`The sandbox has no resident ${i}: the number would be a palindrome`);
  return { name: NAMES[i] ?? `Resident ${i + 1}`, yearOfBirth: 1950 + ((i * 7) % 60), gender: GENDER_CYCLE[i % GENDER_CYCLE.length]!, aadhaar, vid, mobile: `+9190${String(i + 1).padStart(8, '0')}` };
}

/** The named residents: `npx ehrchain sandbox residents` and the tests read them from here. */
export const SANDBOX_RESIDENTS: readonly SandboxResident[] = NAMES.map((_name, i) => sandboxResident(i));

/** The resident whose Aadhaar number or VID `digits` is, if any. */
function residentOf(number: { digits: string; kind: AadhaarKind }): SandboxResident | undefined {
  const [prefix, from, to] = number.kind === 'aadhaar' ? ['9999', 4, 11] as const : ['919999', 6, 15] as const;
  if (!number.digits.startsWith(prefix)) return undefined;
  const index = Number(number.digits.slice(from, to)) - 1;
  if (index < 0 || index >= SANDBOX_RESIDENT_COUNT) return undefined;
  let resident: SandboxResident;
  try {
    resident = sandboxResident(index);
  } catch {
    return undefined;
  }
  return (number.kind === 'aadhaar' ? resident.aadhaar : resident.vid) === number.digits ? resident : undefined;
}

/** Made-up numbers this process already gave: accounts are unique by Aadhaar number (409 AADHAAR_IN_USE). */
const madeUp = new Set<string>();

/**
 * A random made-up Aadhaar number beside the sandbox's range (9998 followed by 7 random digits
 * and the check digit), for practitioners' accounts in tests and benches: no real person's,
 * and never a sandbox resident's. Never the same twice in one process (out of 10^7, a test
 * file's accounts would otherwise meet one now and then), and never a palindrome, which
 * UIDAI does not issue and parseAadhaar refuses.
 */
export function madeUpAadhaar(): string {
  for (;;) {
    const number = withCheckDigit(`9998${String(randomInt(0, 10_000_000)).padStart(7, '0')}`);
    if (madeUp.has(number) || number === [...number].reverse().join('')) continue;
    madeUp.add(number);
    return number;
  }
}

/** A message the sandbox "sent": kept in `<dataDir>/sandbox/sms.jsonl`, the developer's phone. */
export interface SandboxSms {
  to: string;
  text: string;
  /** Empty for a notice. */
  code: string;
  purpose: CodePurpose | Notice;
  at: string;
}

export const sandboxInboxFile = (dataDir: string): string => join(dataDir, 'sandbox', 'sms.jsonl');

/**
 * EKYC_PROVIDER=sandbox, for development and tests only (refused with NODE_ENV=production): it
 * knows the made-up residents above, matches demographics as UIDAI does, and "sends" codes by
 * appending them to a file under the data directory (0600), where a developer or a test reads
 * them. Nothing here reaches a log.
 */
export class SandboxEkycProvider extends EkycProvider {
  readonly name = 'sandbox';
  private inbox?: Promise<unknown>;

  constructor(private readonly dataDir: string) {
    super();
  }

  match(number: { digits: string; kind: AadhaarKind }, stated: Demographics): Promise<EkycMatch> {
    const resident = residentOf(number);
    const matched = !!resident && sameName(resident.name, stated.name) && resident.yearOfBirth === stated.yearOfBirth && resident.gender === stated.gender;
    return Promise.resolve(matched ? { matched: true, aadhaar: resident.aadhaar, mobile: resident.mobile } : { matched: false });
  }

  deliverCode(mobile: string, code: string, purpose: CodePurpose): Promise<void> {
    return this.send({ to: mobile, text: `${code} is your EHRChain ${purpose} code. Nobody from EHRChain will ask you for it.`, code, purpose, at: new Date().toISOString() });
  }

  deliverNotice(mobile: string, notice: Notice): Promise<void> {
    const text = 'Someone tried to register your Aadhaar number with EHRChain again. You are registered already: sign in with your number. If it was not you, nothing has changed.';
    return this.send({ to: mobile, text, code: '', purpose: notice, at: new Date().toISOString() });
  }

  private async send(sms: SandboxSms): Promise<void> {
    // The directory once per process, not a mkdir per message.
    this.inbox ??= mkdir(join(this.dataDir, 'sandbox'), { recursive: true, mode: 0o700 });
    await this.inbox;
    // One line per append (O_APPEND): processes of one gateway never interleave within a line.
    await appendFile(sandboxInboxFile(this.dataDir), `${JSON.stringify(sms)}\n`, { mode: 0o600 });
  }
}

/** Every message the sandbox sent to `mobile`, oldest first. */
export async function sandboxMessages(dataDir: string, mobile: string): Promise<SandboxSms[]> {
  let text: string;
  try {
    text = await readFile(sandboxInboxFile(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SandboxSms)
    .filter((sms) => sms.to === mobile);
}
