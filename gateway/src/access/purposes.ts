import { Purpose } from '../chain/typed-messages';

/** HL7 PurposeOfUse codes as ABDM uses them; a read states one (`?purpose=CAREMGT`). */
export const PURPOSE_CODES = Object.keys(Purpose) as (keyof typeof Purpose)[];
export type PurposeCode = keyof typeof Purpose;

export const purposeIndex = (code: PurposeCode): number => Purpose[code];
export const purposeCode = (index: number): PurposeCode => {
  const code = PURPOSE_CODES.find((name) => Purpose[name] === index);
  if (!code) throw new Error(`No purpose of use has index ${index}`);
  return code;
};
