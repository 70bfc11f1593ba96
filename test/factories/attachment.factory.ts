import { crc32 } from 'node:zlib';

/**
 * Small files of the kinds hospitals attach, made byte by byte so a test knows what is in them:
 * a PDF, a JPEG and a PNG, each carrying text an identifier could hide in (the PDF in its body,
 * the images in metadata: EXIF, a comment, a PNG text chunk).
 */
export const AttachmentFactory = {
  pdf(text: string): Buffer {
    return Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n2 0 obj\n<< /Length ${text.length} >>\nstream\n${text}\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`, 'latin1');
  },

  /** A JPEG's segments: JFIF header, EXIF (APP1) and a comment holding `metadata`, then the scan (`pixels`). */
  jpeg(metadata: string, pixels: Buffer): Buffer {
    const segment = (marker: number, payload: Buffer) => Buffer.concat([Buffer.from([0xff, marker]), u16(payload.length + 2), payload]);
    return Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      segment(0xe0, Buffer.concat([Buffer.from('JFIF\0', 'latin1'), Buffer.from([1, 1, 0, 0, 1, 0, 1, 0, 0])])),
      segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), Buffer.from(metadata, 'latin1')])),
      segment(0xfe, Buffer.from(`comment: ${metadata}`, 'latin1')),
      segment(0xdb, Buffer.alloc(65, 1)), // a quantisation table
      segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])), // start of scan
      pixels,
      Buffer.from([0xff, 0xd9]),
    ]);
  },

  /** A 1×1 PNG with a tEXt chunk holding `text`. */
  png(text: string): Buffer {
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      return Buffer.concat([u32(data.length), body, u32(crc32(body))]);
    };
    return Buffer.concat([
      Buffer.from('89504e470d0a1a0a', 'hex'),
      chunk('IHDR', Buffer.from('0000000100000001080600000000', 'hex').subarray(0, 13)),
      chunk('tEXt', Buffer.from(`Author\0${text}`, 'latin1')),
      chunk('IDAT', Buffer.from('78da63f8cfc0f01f00050002 01'.replace(/ /g, ''), 'hex')),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  },
};

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
