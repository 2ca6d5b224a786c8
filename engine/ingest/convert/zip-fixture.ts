/**
 * Test helper: writes zips with entries in the given order, so tests can hand-write
 * xlsx parts that exceljs' writer never produces: stored entries (`writeZip`) or
 * deflated ones that may expand hugely from a tiny file (`writeDeflatedZip`).
 */
import { writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { crc32, createDeflateRaw } from 'node:zlib';

interface PackedEntry {
  name: string;
  method: 0 | 8; // stored | deflated
  crc: number;
  size: number; // uncompressed
  data: Buffer; // as stored in the zip
  declaredSize?: number; // the uncompressed size the headers state, when not `size`
}

/** Writes `entries` ([path, text]) to a zip file, stored (uncompressed), in order. */
export function writeZip(path: string, entries: readonly (readonly [string, string])[]): void {
  writeFileSync(
    path,
    pack(
      entries.map(([name, text]) => {
        const data = Buffer.from(text, 'utf8');
        return { name, method: 0, crc: crc32(data), size: data.length, data };
      }),
    ),
  );
}

/** `head`, then `unit` `count` times, then `tail`: gigabytes of text without holding them. */
export interface RepeatedText {
  head: string;
  unit: string;
  count: number;
  tail: string;
}

/**
 * Writes a zip whose entries are all deflated; a RepeatedText entry is streamed through the
 * compressor. `hideSizes` writes 0 as every uncompressed size, as a hostile file may: a reader
 * must then count what it inflates instead of trusting the header.
 */
export async function writeDeflatedZip(
  path: string,
  entries: readonly (readonly [string, string | RepeatedText])[],
  opts: { hideSizes?: boolean } = {},
): Promise<void> {
  const packed: PackedEntry[] = [];
  for (const [name, content] of entries) {
    const entry = await deflateEntry(name, typeof content === 'string' ? { head: content, unit: '', count: 0, tail: '' } : content);
    packed.push(opts.hideSizes ? { ...entry, declaredSize: 0 } : entry);
  }
  writeFileSync(path, pack(packed));
}

async function deflateEntry(name: string, { head, unit, count, tail }: RepeatedText): Promise<PackedEntry> {
  const deflate = createDeflateRaw({ level: 1 }); // level 1 is fast and still shrinks repeats ~200×
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = once(deflate, 'end');
  let crc = 0;
  let size = 0;
  const put = async (buf: Buffer): Promise<void> => {
    crc = crc32(buf, crc);
    size += buf.length;
    if (!deflate.write(buf)) await once(deflate, 'drain');
  };
  await put(Buffer.from(head, 'utf8'));
  const perBatch = unit === '' ? 0 : Math.max(1, Math.floor((1 << 20) / Buffer.byteLength(unit)));
  const batch = Buffer.from(unit.repeat(Math.min(perBatch, count)), 'utf8');
  let left = count;
  for (; left >= perBatch && perBatch > 0; left -= perBatch) await put(batch);
  if (left > 0) await put(Buffer.from(unit.repeat(left), 'utf8'));
  await put(Buffer.from(tail, 'utf8'));
  deflate.end();
  await ended;
  if (size >= 2 ** 32) throw new Error(`${name}: ${size} bytes needs zip64, which this helper does not write`);
  return { name, method: 8, crc, size, data: Buffer.concat(out) };
}

function pack(entries: readonly PackedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, method, crc, size, data, declaredSize = size } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(declaredSize, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(declaredSize, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
