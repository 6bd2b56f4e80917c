import { crc32, deflateSync } from 'node:zlib';

const SIZE = 32;
const BLUE = [0x1d, 0x4e, 0xd8, 0xff] as const;
const WHITE = [0xff, 0xff, 0xff, 0xff] as const;
const CLEAR = [0, 0, 0, 0] as const;

/**
 * Our favicon, drawn here rather than shipped as a binary file: a 32×32 portcullis (a white
 * grille on a rounded blue square, the pages' primary colour) as a PNG inside an ICO container,
 * which every browser reads at `/favicon.ico`.
 */
export function faviconIco(): Buffer {
  const png = encodePng(SIZE, SIZE, (x, y) => pixel(x, y));
  const header = Buffer.alloc(22);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(SIZE, 6);
  header.writeUInt8(SIZE, 7);
  header.writeUInt8(0, 8); // no palette
  header.writeUInt8(0, 9);
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(header.length, 18);
  return Buffer.concat([header, png]);
}

// The drawing: rounded square, three bars down with pointed feet, two bars across.
function pixel(x: number, y: number): readonly number[] {
  const radius = 6;
  const cx = Math.min(Math.max(x + 0.5, radius), SIZE - radius);
  const cy = Math.min(Math.max(y + 0.5, radius), SIZE - radius);
  if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > radius ** 2) return CLEAR;
  const bar = [9, 15, 21].find((left) => x >= left && x < left + 2);
  if (bar !== undefined && y >= 6 && y < 25) return WHITE;
  if (bar !== undefined && y === 25 && x === bar) return WHITE; // the pointed foot
  if ((y === 10 || y === 11 || y === 17 || y === 18) && x >= 6 && x < 26) return WHITE;
  if (y >= 5 && y < 7 && x >= 6 && x < 26) return WHITE; // the top beam
  return BLUE;
}

function encodePng(width: number, height: number, at: (x: number, y: number) => readonly number[]) {
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    const start = y * (width * 4 + 1); // each row starts with filter type 0 (none)
    for (let x = 0; x < width; x += 1) rows.set(at(x, y), start + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, standard filters, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}
