/**
 * The icon containers the installers need, written from PNG images with no
 * native tool: Windows .ico and macOS .icns both embed PNG data as is.
 */

/** Width and height of a PNG, from its IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.readUInt32BE(0) !== 0x89504e47 || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG file');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** A Windows icon of square PNG images (256 px and below), largest last as Explorer prefers either way. */
export function writeIco(pngs: Buffer[]): Buffer {
  const images = pngs.map((png) => ({ png, size: pngSize(png).width })).sort((a, b) => a.size - b.size);
  for (const { size } of images) if (size > 256) throw new Error(`an .ico image is at most 256 px, not ${size}`);
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ png, size }) => {
    const e = Buffer.alloc(16);
    e.writeUInt8(size === 256 ? 0 : size, 0); // 0 means 256
    e.writeUInt8(size === 256 ? 0 : size, 1);
    e.writeUInt8(0, 2); // no palette
    e.writeUInt8(0, 3);
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

/** The image sizes in an .ico file. */
export function icoSizes(ico: Buffer): number[] {
  if (ico.readUInt16LE(0) !== 0 || ico.readUInt16LE(2) !== 1) throw new Error('not an .ico file');
  return Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico.readUInt8(6 + 16 * i) || 256);
}

/** The PNG-capable .icns slots: type → pixel size. */
export const ICNS_TYPES: Record<string, number> = {
  icp4: 16,
  icp5: 32,
  icp6: 64,
  ic07: 128,
  ic08: 256,
  ic09: 512,
  ic10: 1024, // 512@2x
  ic11: 32, // 16@2x
  ic12: 64, // 32@2x
  ic13: 256, // 128@2x
  ic14: 512, // 256@2x
};

/** A macOS icon: every slot of ICNS_TYPES filled from the PNG of its size. */
export function writeIcns(pngBySize: Map<number, Buffer>): Buffer {
  const chunks = Object.entries(ICNS_TYPES).map(([type, size]) => {
    const png = pngBySize.get(size);
    if (!png) throw new Error(`.icns needs a ${size} px PNG for ${type}`);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + body.length, 4);
  return Buffer.concat([head, body]);
}

/** The slot types in an .icns file. */
export function icnsTypes(icns: Buffer): string[] {
  if (icns.toString('latin1', 0, 4) !== 'icns') throw new Error('not an .icns file');
  const types: string[] = [];
  for (let at = 8; at + 8 <= icns.length; at += icns.readUInt32BE(at + 4)) {
    types.push(icns.toString('latin1', at, at + 4));
    if (icns.readUInt32BE(at + 4) < 8) throw new Error('corrupt .icns chunk');
  }
  return types;
}
