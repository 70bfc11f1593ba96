import isIdentityCard from 'validator/lib/isIdentityCard';
import { AadhaarError, maskAadhaar, newId, parseAadhaar, scrubAadhaar, verhoeffValid, withCheckDigit } from './aadhaar';
const randomBody = (length: number, first = '2'): string => first + Array.from({ length: length - 1 }, () => Math.floor(Math.random() * 10)).join('');
const problem = (input: string): string | undefined => {
  try {
    parseAadhaar(input);
    return undefined;
  } catch (error) {
    return (error as AadhaarError).code;
  }
};

describe('Aadhaar numbers and VIDs', () => {
  // Test numbers made here with their check digit: no real person's number appears in the repository.
  const aadhaar = withCheckDigit('23456789012');
  const vid = withCheckDigit('912345678901234');

  it("computes the Verhoeff check as validator.js's independent implementation does", () => {
    for (let i = 0; i < 500; i++) {
      const candidate = randomBody(12);
      expect({ candidate, ours: verhoeffValid(candidate) }).toEqual({ candidate, ours: isIdentityCard(candidate, 'IN') });
    }
  });

  it('accepts a number as people type it: grouped by spaces or hyphens, or not at all', () => {
    for (const typed of [aadhaar, `${aadhaar.slice(0, 4)} ${aadhaar.slice(4, 8)} ${aadhaar.slice(8)}`, `${aadhaar.slice(0, 4)}-${aadhaar.slice(4, 8)}-${aadhaar.slice(8)}`, ` ${aadhaar} `]) {
      expect(parseAadhaar(typed)).toEqual({ digits: aadhaar, kind: 'aadhaar' });
    }
    expect(parseAadhaar(vid.replace(/(\d{4})(?=\d)/g, '$1 '))).toEqual({ digits: vid, kind: 'vid' });
  });

  it.each([
    ['too short', '2345 6789 012', 'AADHAAR_FORMAT'],
    ['13 digits', '2345678901234', 'AADHAAR_FORMAT'],
    ['letters', '2345 6789 O123', 'AADHAAR_FORMAT'],
    ['two separators in a row', '2345  6789 0123', 'AADHAAR_FORMAT'],
    ['empty', '', 'AADHAAR_FORMAT'],
  ])('refuses %s with AADHAAR_FORMAT', (_label, input, code) => {
    expect(problem(input)).toBe(code);
  });

  it('refuses an Aadhaar number starting with 0 or 1, a palindrome, and a mistyped digit or swap, each with its own code', () => {
    expect(problem(withCheckDigit('13456789012'))).toBe('AADHAAR_FIRST_DIGIT');
    expect(problem(withCheckDigit('03456789012'))).toBe('AADHAAR_FIRST_DIGIT');
    // A palindrome that passes the check digit, so it is the palindrome rule that refuses it.
    const palindromes = Array.from({ length: 100_000 }, (_, i) => String(200_000 + i)).map((half) => `${half}${[...half].reverse().join('')}`);
    expect(problem(palindromes.find(verhoeffValid)!)).toBe('AADHAAR_PALINDROME');
    const mistyped = `${aadhaar.slice(0, 5)}${(Number(aadhaar[5]) + 1) % 10}${aadhaar.slice(6)}`;
    expect(problem(mistyped)).toBe('AADHAAR_CHECKSUM');
    const swapped = `${aadhaar.slice(0, 3)}${aadhaar[4]}${aadhaar[3]}${aadhaar.slice(5)}`;
    if (swapped !== aadhaar) expect(problem(swapped)).toBe('AADHAAR_CHECKSUM');
  });

  it('never repeats the number in a refusal', () => {
    const wrong = `${aadhaar.slice(0, 11)}${(Number(aadhaar[11]) + 1) % 10}`;
    expect(() => parseAadhaar(wrong)).toThrow(AadhaarError);
    try {
      parseAadhaar(wrong);
    } catch (error) {
      expect((error as Error).message).not.toContain(wrong.slice(4));
    }
  });

  it('shows the last four digits only', () => {
    expect(maskAadhaar(aadhaar)).toBe(`XXXX XXXX ${aadhaar.slice(-4)}`);
    expect(maskAadhaar(vid)).toBe(`XXXX XXXX XXXX ${vid.slice(-4)}`);
  });

  it('masks every Aadhaar number or VID in a text, grouped or not, and leaves other numbers alone', () => {
    const grouped = `${aadhaar.slice(0, 4)} ${aadhaar.slice(4, 8)} ${aadhaar.slice(8)}`;
    const text = `patient ${aadhaar} typed "${grouped}", vid ${vid}; block 123456789012 not valid? ts 1796142295123 amount 12.345678901234`;

    const scrubbed = scrubAadhaar(text);

    expect(scrubbed).not.toContain(aadhaar);
    expect(scrubbed).not.toContain(grouped);
    expect(scrubbed).not.toContain(vid);
    expect(scrubbed).toContain(`patient XXXX XXXX ${aadhaar.slice(-4)}`);
    expect(scrubbed).toContain(`vid XXXX XXXX XXXX ${vid.slice(-4)}`);
    // 13 digits (a timestamp) and digits after a decimal point are no identity number.
    expect(scrubbed).toContain('ts 1796142295123');
    expect(scrubbed).toContain('amount 12.345678901234');
    expect(scrubbed).toContain(verhoeffValid('123456789012') ? 'block XXXX XXXX 9012' : 'block 123456789012');
  });

  it('leaves a hex string whole even where its digits would pass for a number (transaction hashes, keys)', () => {
    const txHash = `0xab${aadhaar}cd${'0'.repeat(48)}`;
    expect(scrubAadhaar(`sent ${txHash}`)).toBe(`sent ${txHash}`);
    expect(scrubAadhaar(`username u${aadhaar}`)).toBe(`username uXXXX XXXX ${aadhaar.slice(-4)}`);
  });

  it("masks a number hidden in a uuid-shaped string or beside four more digits; the gateway's own ids never hold one", () => {
    // A request id CI once saw: its last groups pass for a VID.
    expect(verhoeffValid('8094209667885182')).toBe(true);
    expect(scrubAadhaar('ba18874d-c5fb-4301-8094-209667885182')).toBe('ba18874d-c5fb-4301-XXXX XXXX XXXX 5182');
    // Sixteen digits that are no VID, hiding a valid number in their first or last three groups.
    const hidden = aadhaar;
    expect(scrubAadhaar(`ref 1111 ${hidden}`)).toBe(`ref 1111 XXXX XXXX ${hidden.slice(-4)}`);
    expect(scrubAadhaar(`ref ${hidden}-1111`)).toBe(`ref XXXX XXXX ${hidden.slice(-4)}-1111`);
    expect(scrubAadhaar(`00000000-0000-0000-1111-${hidden}`)).not.toContain(hidden);
    for (let i = 0; i < 5000; i++) {
      const id = newId();
      expect(scrubAadhaar(id)).toBe(id);
    }
  });
});
