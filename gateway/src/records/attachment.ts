import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../common/errors';

/** What may be filed as a file: documents and images as hospitals send them (the type is read from the bytes, never from the header). */
export const ATTACHMENT_TYPES: readonly string[] = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff', 'application/dicom'];

/** The media types the upload route takes as a file (then sniffed); `application/octet-stream` for a sender that does not know. */
export const ATTACHMENT_MEDIA_TYPES: readonly string[] = [...ATTACHMENT_TYPES, 'application/octet-stream'];

/** The file's type as its bytes say (file-type's signatures), if it is one records take. */
export async function sniffAttachment(bytes: Buffer): Promise<string> {
  if (bytes.length === 0) throw new ApiError(HttpStatus.BAD_REQUEST, 'EMPTY_BODY', 'Send the file as the request body');
  const { fileTypeFromBuffer } = await import('file-type');
  const detected = await fileTypeFromBuffer(bytes);
  if (!detected || !ATTACHMENT_TYPES.includes(detected.mime)) {
    throw new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'ATTACHMENT_TYPE_NOT_ALLOWED', `A filed document is one of ${ATTACHMENT_TYPES.join(', ')}, judged by its content (this is ${detected?.mime ?? 'none of them'})`);
  }
  return detected.mime;
}

/**
 * The file without the metadata JPEG and PNG carry beside the picture: EXIF (camera serial
 * numbers, GPS position, dates), XMP, IPTC and comments in JPEG; text, time and EXIF chunks in
 * PNG. Safe Harbor's device identifiers and geography hide there. The picture itself (a face, a
 * name in a scan) is not touched, and PDF, TIFF and DICOM pass unchanged (a DICOM header names
 * the patient): they are encrypted like every record, but not de-identified (docs/records.md).
 */
export function withoutMetadata(bytes: Buffer, mime: string): Buffer {
  if (mime === 'image/jpeg') return jpegWithoutMetadata(bytes);
  if (mime === 'image/png') return pngWithoutMetadata(bytes);
  return bytes;
}

/** JPEG: drops APP1-APP15 (EXIF, XMP, ICC, IPTC…) and COM segments before the scan; APP0 (JFIF) and the image stay. */
function jpegWithoutMetadata(bytes: Buffer): Buffer {
  const kept: Buffer[] = [bytes.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    // Any marker may be preceded by fill bytes (0xFF): skip them, or the metadata after them stays.
    if (bytes[at + 1] === 0xff) {
      at += 1;
      continue;
    }
    const marker = bytes[at + 1]!;
    if (marker === 0xda) break; // start of scan: the rest is image data
    const length = bytes.readUInt16BE(at + 2);
    const end = at + 2 + length;
    if (end > bytes.length) break;
    const metadata = (marker >= 0xe1 && marker <= 0xef) || marker === 0xfe;
    if (!metadata) kept.push(bytes.subarray(at, end));
    at = end;
  }
  kept.push(bytes.subarray(at));
  return Buffer.concat(kept);
}

const PNG_METADATA = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

/** PNG: drops text, EXIF and time chunks; every other chunk (and its CRC) stays as it was. */
function pngWithoutMetadata(bytes: Buffer): Buffer {
  const kept: Buffer[] = [bytes.subarray(0, 8)];
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const end = at + 12 + length;
    if (end > bytes.length) break;
    if (!PNG_METADATA.has(bytes.toString('latin1', at + 4, at + 8))) kept.push(bytes.subarray(at, end));
    at = end;
  }
  kept.push(bytes.subarray(at));
  return Buffer.concat(kept);
}
