import { randomInt } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AadhaarKind, withCheckDigit } from './aadhaar';
import { CodePurpose, Demographics, EkycMatch, EkycProvider, Gender, sameName } from './ekyc-provider';

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

/**
 * The sandbox's residents, made here rather than kept in the repository: numbers in UIDAI's
 * test range (starting 9999, as its pre-production residents do), so none is a real person's.
 * `npx ehrchain sandbox residents` (the CLI) and the tests read them from here.
 */
export const SANDBOX_RESIDENTS: readonly SandboxResident[] = NAMES.map((name, i) => ({
  name,
  yearOfBirth: 1950 + ((i * 7) % 60),
  gender: GENDER_CYCLE[i]!,
  aadhaar: withCheckDigit(`9999${String(i + 1).padStart(7, '0')}`),
  vid: withCheckDigit(`919999${String(i + 1).padStart(9, '0')}`),
  mobile: `+9190000${String(i + 1).padStart(5, '0')}`,
}));

/**
 * A random made-up Aadhaar number in UIDAI's test range (9999 followed by 7 random digits and
 * the check digit), for practitioners' accounts in tests and benches: none is a real person's,
 * and the sandbox residents (9999 000…) are one in ten million of them.
 */
export function madeUpAadhaar(): string {
  return withCheckDigit(`9999${String(randomInt(0, 10_000_000)).padStart(7, '0')}`);
}

/** A message the sandbox "sent": kept in `<dataDir>/sandbox/sms.jsonl`, the developer's phone. */
export interface SandboxSms {
  to: string;
  text: string;
  code: string;
  purpose: CodePurpose;
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

  constructor(private readonly dataDir: string) {
    super();
  }

  match(number: { digits: string; kind: AadhaarKind }, stated: Demographics): Promise<EkycMatch> {
    const resident = SANDBOX_RESIDENTS.find((r) => (number.kind === 'aadhaar' ? r.aadhaar : r.vid) === number.digits);
    const matched = !!resident && sameName(resident.name, stated.name) && resident.yearOfBirth === stated.yearOfBirth && resident.gender === stated.gender;
    return Promise.resolve(matched ? { matched: true, aadhaar: resident.aadhaar, mobile: resident.mobile } : { matched: false });
  }

  async deliverCode(mobile: string, code: string, purpose: CodePurpose): Promise<void> {
    const file = sandboxInboxFile(this.dataDir);
    await mkdir(join(this.dataDir, 'sandbox'), { recursive: true, mode: 0o700 });
    const what = purpose === 'registration' ? 'registration' : 'sign-in';
    const sms: SandboxSms = { to: mobile, text: `${code} is your EHRChain ${what} code. Nobody from EHRChain will ask you for it.`, code, purpose, at: new Date().toISOString() };
    // One line per append (O_APPEND): processes of one gateway never interleave within a line.
    await appendFile(file, `${JSON.stringify(sms)}\n`, { mode: 0o600 });
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
