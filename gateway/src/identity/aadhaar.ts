import { randomUUID } from 'node:crypto';
import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../common/errors';

/**
 * Aadhaar numbers and Virtual IDs (issue 12, point 1), checked as UIDAI issues them: an Aadhaar
 * number is 12 digits whose first is 2-9; a VID is 16 digits; both end in a Verhoeff check digit
 * and neither is a palindrome. People type them in groups of four, so spaces and hyphens are
 * tolerated between digits. Each refusal has its own code, and no message repeats the number.
 */

export type AadhaarKind = 'aadhaar' | 'vid';

/** Why a number was refused: the stable error codes a 400 carries. */
export type AadhaarProblem = 'AADHAAR_FORMAT' | 'AADHAAR_FIRST_DIGIT' | 'AADHAAR_PALINDROME' | 'AADHAAR_CHECKSUM';

export class AadhaarError extends Error {
  constructor(readonly code: AadhaarProblem, message: string) {
    super(message);
  }
}

// Verhoeff's dihedral-group tables: multiplication (D5), and the permutation applied by position.
const MULTIPLY = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const PERMUTE = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** Whether the digits, check digit last, pass Verhoeff's check (it catches every single-digit error and adjacent swap). */
export function verhoeffValid(digits: string): boolean {
  let check = 0;
  const reversed = [...digits].reverse();
  reversed.forEach((digit, position) => (check = MULTIPLY[check]![PERMUTE[position % 8]![Number(digit)]!]!));
  return check === 0;
}

/** `body` with the Verhoeff check digit appended: made-up numbers for the sandbox and tests, never a real person's. */
export function withCheckDigit(body: string): string {
  for (let digit = 0; digit <= 9; digit++) if (verhoeffValid(`${body}${digit}`)) return `${body}${digit}`;
  throw new Error('Verhoeff gives every body a check digit');
}

/** Digits in groups separated by single spaces or hyphens, or none: "2345 6789 0123", "2345-6789-0123". */
const TYPED = /^\d+(?:[ -]\d+)*$/;

/**
 * The number as digits alone, and which kind it is; throws AadhaarError for anything UIDAI
 * would not have issued. The message names the rule, never the number.
 */
export function parseAadhaar(input: string): { digits: string; kind: AadhaarKind } {
  const trimmed = input.trim();
  const digits = TYPED.test(trimmed) ? trimmed.replace(/[ -]/g, '') : '';
  const kind: AadhaarKind | undefined = digits.length === 12 ? 'aadhaar' : digits.length === 16 ? 'vid' : undefined;
  if (!kind) throw new AadhaarError('AADHAAR_FORMAT', 'An Aadhaar number is 12 digits and a VID 16 (spaces or hyphens between groups are fine)');
  if (kind === 'aadhaar' && !/^[2-9]/.test(digits)) throw new AadhaarError('AADHAAR_FIRST_DIGIT', 'An Aadhaar number never starts with 0 or 1');
  if (digits === [...digits].reverse().join('')) throw new AadhaarError('AADHAAR_PALINDROME', 'UIDAI issues no number that reads the same backwards');
  if (!verhoeffValid(digits)) throw new AadhaarError('AADHAAR_CHECKSUM', 'The check digit does not match: a digit may be mistyped');
  return { digits, kind };
}

/** `parseAadhaar` for a request field: a refusal is a 400 with the rule's code, naming the field and never the number. */
export function aadhaarFromRequest(input: string, field = 'aadhaar'): { digits: string; kind: AadhaarKind } {
  try {
    return parseAadhaar(input);
  } catch (error) {
    if (!(error instanceof AadhaarError)) throw error;
    throw new ApiError(HttpStatus.BAD_REQUEST, error.code, `${field}: ${error.message}`, { field });
  }
}

/** As a response or a log may show it: the last four digits only ("XXXX XXXX 1234", a VID "XXXX XXXX XXXX 1234"). */
export function maskAadhaar(digits: string): string {
  return `${'XXXX '.repeat(digits.length / 4 - 1)}${digits.slice(-4)}`;
}

/**
 * Every run of digits in `text` that could be an Aadhaar number or VID (12 or 16 digits,
 * grouped or not, passing the Verhoeff check, not part of a hex string), masked. For text that may carry one a caller put
 * there: log lines, error messages. Other numbers (block numbers, amounts, timestamps) pass
 * unchanged unless they happen to pass the check digit, and then are masked too. A uuid is
 * text like any other: one whose last groups hold a valid number is masked (the gateway's own
 * ids never do: `newId`).
 */
export function scrubAadhaar(text: string): string {
  // Not inside a hex token (a transaction hash, a key), nor after a decimal point.
  return text.replace(/(?<![\dA-Fa-f.])\d{4}(?:[ -]?\d{4}){2,3}(?![\dA-Fa-f.])/g, maskedRun);
}

/**
 * A run of three or four groups of four digits, masked: whole when it is a valid number or VID,
 * else the valid number among its three-group parts ("1111-2345 6789 0124" hides one).
 */
function maskedRun(run: string): string {
  const digits = run.replace(/[ -]/g, '');
  if (verhoeffValid(digits)) return maskAadhaar(digits);
  // Where each digit sits in `run`, to cut a part out with its separators.
  const at = [...run].flatMap((char, i) => (char >= '0' && char <= '9' ? [i] : []));
  for (const start of digits.length === 16 ? [0, 4] : []) {
    const part = digits.slice(start, start + 12);
    if (verhoeffValid(part)) return run.slice(0, at[start]) + maskAadhaar(part) + run.slice(at[start + 11]! + 1);
  }
  return run;
}

/**
 * A random uuid that `scrubAadhaar` leaves as it is (about one in a thousand has last groups that
 * pass for a VID): the gateway's ids read the same in its logs, its error bodies and its database.
 */
export function newId(): string {
  for (;;) {
    const id = randomUUID();
    if (scrubAadhaar(id) === id) return id;
  }
}
