#!/usr/bin/env node
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { GatewayClient, GatewayError, PersonaToken } from './gateway-client';
import { decryptWithPersonaKey, importPersonaKey } from './patient-keys';
import { readWallet, Wallet, writeWallet } from './wallet';
import { newWallet, unlockWallet } from './wallet-format';
import { accessLog, address, ConsentUsageError, grant, LedgerKeys, listConsents, openRelationship, revoke } from './cli-consents';
import { makeFilingToken } from '../src/chain/filing-token';
import { coarseExpiry, deriveRelationship } from '../src/chain/relationships';

const USAGE = `ehrchain: a patient's keys and identity, made and kept on the patient's machine

  ehrchain keys init                      make the persona key, patient secret and pseudonym
  ehrchain register --aadhaar N --name "Full Name" --year-of-birth YYYY --gender F|M|T [--email E]
  ehrchain confirm --code 123456          finish registering; hands the gateway your public key
                                          and your pseudonym encrypted to it
  ehrchain keys upload                    hand them over again, if confirm could not
  ehrchain sign-in --aadhaar N            ask for a code; then: ehrchain sign-in --code 123456
  ehrchain pseudonym                      fetch your encrypted pseudonym and decrypt it here
  ehrchain filing-token --hospital 0x… [--days N]
                                          a token to show that hospital so it can file your
                                          records (valid N days at least, 1 by default, to the end of a UTC day)
  ehrchain relationship --hospital 0x…    register your relationship with that hospital on chain, so
                                          that you can read what it files for you
  ehrchain grant --hospital 0x… --to 0x… [--categories OPConsultation,Prescription,…]
                 [--purposes CAREMGT,…] [--days N]
                                          let a doctor, pharmacist or hospital read the records that
                                          hospital filed for you (all categories, care, 30 days by default)
  ehrchain revoke --hospital 0x… --to 0x… end that consent (refused from the next block)
  ehrchain consents --hospital 0x…        the consents covering those records, as the chain says them
  ehrchain access-log --hospital 0x…      who read those records, when, for what
  ehrchain sandbox residents              the development eKYC provider's made-up residents

Options: --dir D (default $EHRCHAIN_HOME or ~/.ehrchain), --gateway URL (default
$EHRCHAIN_GATEWAY or http://127.0.0.1:3000). The password protecting the keys is asked for,
or read from $EHRCHAIN_PASSWORD.`;

interface Options {
  dir: string;
  gateway?: string;
  values: Record<string, string | undefined>;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' }, gateway: { type: 'string' }, aadhaar: { type: 'string' }, name: { type: 'string' },
      'year-of-birth': { type: 'string' }, gender: { type: 'string' }, email: { type: 'string' }, code: { type: 'string' }, help: { type: 'boolean' },
      hospital: { type: 'string' }, days: { type: 'string' }, to: { type: 'string' }, categories: { type: 'string' }, purposes: { type: 'string' },
    },
  });
  const command = positionals.join(' ');
  const options: Options = { dir: values.dir ?? process.env.EHRCHAIN_HOME ?? join(homedir(), '.ehrchain'), gateway: values.gateway, values: values as Options['values'] };
  switch (command) {
    case 'keys init': return keysInit(options);
    case 'keys upload': return keysUpload(options);
    case 'register': return register(options);
    case 'confirm': return confirm(options);
    case 'sign-in': return signIn(options);
    case 'pseudonym': return pseudonym(options);
    case 'filing-token': return filingToken(options);
    case 'relationship': return say(`Relationship registered: ${await openRelationship(await ledgerKeys(options), address(values.hospital, '--hospital'))}`);
    case 'grant': return say(await grant(await ledgerKeys(options), address(values.hospital, '--hospital'), address(values.to, '--to'), values));
    case 'revoke': return say(await revoke(await ledgerKeys(options), address(values.hospital, '--hospital'), address(values.to, '--to')));
    case 'consents': return (await listConsents(await ledgerKeys(options), address(values.hospital, '--hospital'))).forEach(say);
    case 'access-log': return (await accessLog(await ledgerKeys(options), address(values.hospital, '--hospital'))).forEach(say);
    case 'sandbox residents': return sandboxResidents();
    default:
      process.stdout.write(`${USAGE}\n`);
      if (!values.help) process.exitCode = 64;
  }
}

async function keysInit({ dir }: Options): Promise<void> {
  const password = await askPassword('A password for your keys (12 characters or more): ');
  const { wallet } = await newWallet(password);
  await writeWallet(dir, wallet, { create: true });
  say(`Keys made in ${dir}. Keep a copy of it and your password: without both, your pseudonym cannot be read.`);
}

async function register(options: Options): Promise<void> {
  const wallet = await readWallet(options.dir);
  const { aadhaar, name, gender, email } = options.values;
  const year = Number(options.values['year-of-birth']);
  if (!aadhaar || !name || !gender || !Number.isInteger(year)) throw new UsageError('register takes --aadhaar, --name, --year-of-birth and --gender');
  const client = clientFor(options, wallet);
  const sent = await client.startRegistration({ aadhaar, name, yearOfBirth: year, gender: gender as 'F' | 'M' | 'T', ...(email ? { email } : {}) });
  await writeWallet(options.dir, { ...wallet, gateway: client.baseUrl, pending: { kind: 'registration', id: sent.id } });
  say(`A code was sent to ${sent.sentTo}. Run: ehrchain confirm --code <the six digits>`);
}

async function confirm(options: Options): Promise<void> {
  const wallet = await readWallet(options.dir);
  const code = requiredCode(options);
  if (wallet.pending?.kind !== 'registration') throw new UsageError('Nothing to confirm: run `ehrchain register` first');
  const client = clientFor(options, wallet);
  const token = await client.confirmRegistration(wallet.pending.id, code);
  // Saved before the hand-over: the code is spent, and if the hand-over fails, `keys upload` retries with this session.
  await saveSession(options.dir, wallet, token);
  say(`Registered. Your persona id is ${token.personaId}.`);
  await keysUpload(options);
}

async function keysUpload(options: Options): Promise<void> {
  const wallet = await readWallet(options.dir);
  if (!wallet.session || Date.parse(wallet.session.expiresAt) <= Date.now()) throw new UsageError('Sign in first: ehrchain sign-in --aadhaar <number>');
  try {
    await clientFor(options, wallet).as(wallet.session.accessToken).setPersonaKeys(wallet.publicKey, wallet.encryptedPseudonym);
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'PERSONA_KEYS_SET') {
      // Set before: by this device, or by someone else with a stolen token. The ciphertext tells which.
      const held = await clientFor(options, wallet).as(wallet.session.accessToken).encryptedPseudonym();
      if (held.encryptedPseudonym !== wallet.encryptedPseudonym) throw new Error('The gateway holds a pseudonym this device did not make: someone else has handed one over for your persona. Contact the gateway\'s operator');
      say('The gateway holds your public key and pseudonym already.');
      return;
    }
    throw new Error(`Your keys were not handed over (${(error as Error).message}); run \`ehrchain keys upload\` again`);
  }
  say('The gateway holds your public key and your pseudonym, encrypted to you.');
}

async function signIn(options: Options): Promise<void> {
  const wallet = await readWallet(options.dir);
  const client = clientFor(options, wallet);
  if (options.values.aadhaar) {
    const sent = await client.sendSignInCode(options.values.aadhaar);
    await writeWallet(options.dir, { ...wallet, gateway: client.baseUrl, pending: { kind: 'sign-in', id: sent.id } });
    say('If this number is registered, a code is on its way to its mobile. Run: ehrchain sign-in --code <the six digits>');
    return;
  }
  const code = requiredCode(options);
  if (wallet.pending?.kind !== 'sign-in') throw new UsageError('Ask for a code first: ehrchain sign-in --aadhaar <number>');
  await saveSession(options.dir, wallet, await client.signIn(wallet.pending.id, code));
  say('Signed in.');
}

async function pseudonym(options: Options): Promise<void> {
  const wallet = await readWallet(options.dir);
  if (!wallet.session || Date.parse(wallet.session.expiresAt) <= Date.now()) throw new UsageError('Sign in first: ehrchain sign-in --aadhaar <number>');
  const { encryptedPseudonym } = await clientFor(options, wallet).as(wallet.session.accessToken).encryptedPseudonym();
  const privateKey = await importPersonaKey(wallet.privateKey, await askPassword('Your keys\' password: '));
  say(decryptWithPersonaKey(privateKey, encryptedPseudonym));
}

async function filingToken(options: Options): Promise<void> {
  const wallet = await readWallet(options.dir);
  const hospital = options.values.hospital;
  const days = Number(options.values.days ?? '1');
  if (!hospital || !/^0x[0-9a-fA-F]{40}$/.test(hospital)) throw new UsageError('filing-token takes --hospital, the hospital\'s 0x address');
  // At most 29: rounded up to the end of a UTC day, the token must stay within the 30 days a filing token may live.
  if (!Number.isInteger(days) || days < 1 || days > 29) throw new UsageError('--days is a whole number of days from 1 to 29');
  const { scope, relationshipWith } = await ledgerKeys(options, wallet);
  const relationship = relationshipWith(hospital);
  // Rounded up to the end of a UTC day: tokens made the same day for other hospitals expire the same second (unlinkable).
  say(makeFilingToken(relationship, scope, hospital, coarseExpiry(Math.floor(Date.now() / 1000) + days * 86_400)));
}

async function sandboxResidents(): Promise<void> {
  // The sandbox's list lives with the gateway's sandbox provider; the CLI only prints it.
  const { SANDBOX_RESIDENTS } = await import('../src/identity/sandbox-ekyc.js');
  for (const r of SANDBOX_RESIDENTS) say(`${r.aadhaar}  VID ${r.vid}  ${r.name.padEnd(16)} ${r.yearOfBirth} ${r.gender}  ${r.mobile}`);
}

/** The gateway, its ledger scope and the relationships derived from the patient secret (the password unlocks it). */
async function ledgerKeys(options: Options, wallet?: Wallet): Promise<LedgerKeys> {
  const held = wallet ?? (await readWallet(options.dir));
  const client = clientFor(options, held);
  const scope = await client.ledger();
  const { secret } = await unlockWallet(held, await askPassword('Your keys\' password: '));
  return { client, scope, relationshipWith: (counterpart) => deriveRelationship(secret, scope, counterpart) };
}

function clientFor(options: Options, wallet: Wallet): GatewayClient {
  return new GatewayClient(options.gateway ?? wallet.gateway ?? process.env.EHRCHAIN_GATEWAY ?? 'http://127.0.0.1:3000');
}

async function saveSession(dir: string, wallet: Wallet, token: PersonaToken): Promise<void> {
  const { pending: _done, ...rest } = wallet;
  await writeWallet(dir, { ...rest, personaId: token.personaId, session: { accessToken: token.accessToken, expiresAt: new Date(Date.now() + token.expiresIn * 1000).toISOString() } });
}

function requiredCode(options: Options): string {
  const code = options.values.code;
  if (!code || !/^\d{6}$/.test(code)) throw new UsageError('--code takes the six digits of the SMS');
  return code;
}

class UsageError extends Error {}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** $EHRCHAIN_PASSWORD, or asked on the terminal without echoing it. */
function askPassword(prompt: string): Promise<string> {
  if (process.env.EHRCHAIN_PASSWORD) return Promise.resolve(process.env.EHRCHAIN_PASSWORD);
  if (!process.stdin.isTTY) return Promise.reject(new UsageError('No terminal to ask for the password on: set EHRCHAIN_PASSWORD'));
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput;
    (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text: string) => write.call(rl, text.startsWith(prompt) ? prompt : '');
    rl.question(prompt, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

if (require.main === module) {
  // `ehrchain sandbox residents | head -1`: a reader that stops early is no error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  main(process.argv.slice(2)).catch((error: unknown) => {
    const known = error instanceof GatewayError || error instanceof UsageError || error instanceof Error;
    process.stderr.write(`ehrchain: ${known ? (error as Error).message : String(error)}\n`);
    process.exitCode = error instanceof UsageError || error instanceof ConsentUsageError ? 64 : 1;
  });
}
