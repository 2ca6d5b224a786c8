import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConvertInputError } from './errors.ts';
import { findInvalidUtf8, sniffEncoding, transcodeToUtf8, type TextEncoding } from './transcode.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transcode-test-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, bytes: Buffer | number[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.from(bytes));
  return file;
}

function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

async function transcode(file: string, encoding: TextEncoding, highWaterMark?: number) {
  const out = `${file}.out.csv`;
  const counts = await transcodeToUtf8(file, out, encoding, { highWaterMark });
  return { text: fs.readFileSync(out, 'utf8'), bytes: fs.readFileSync(out), ...counts };
}

describe('sniffEncoding', () => {
  it('names the encoding a BOM declares', async () => {
    expect(await sniffEncoding(fixture('bom8.csv', Buffer.from('\uFEFFa,b\n', 'utf8')))).toEqual({ encoding: 'utf-8', bom: true });
    expect(await sniffEncoding(fixture('bom16le.csv', Buffer.from('\uFEFFa,b\n', 'utf16le')))).toEqual({ encoding: 'utf-16le', bom: true });
    expect(await sniffEncoding(fixture('bom16be.csv', utf16be('\uFEFFa,b\n')))).toEqual({ encoding: 'utf-16be', bom: true });
  });

  it('spots BOM-less UTF-16 from its NUL bytes', async () => {
    expect(await sniffEncoding(fixture('le.csv', Buffer.from('id,name\n1,Zoë\n', 'utf16le')))).toEqual({ encoding: 'utf-16le', bom: false });
    expect(await sniffEncoding(fixture('be.csv', utf16be('id,name\n1,Zoë\n')))).toEqual({ encoding: 'utf-16be', bom: false });
  });

  it('says nothing about BOM-less 8-bit text or empty files', async () => {
    expect(await sniffEncoding(fixture('plain.csv', Buffer.from('id,name\n1,Zoe\n')))).toEqual({ encoding: undefined, bom: false });
    expect(await sniffEncoding(fixture('cp.csv', [0x63, 0x61, 0x66, 0xe9, 0x0a]))).toEqual({ encoding: undefined, bom: false });
    expect(await sniffEncoding(fixture('empty.csv', []))).toEqual({ encoding: undefined, bom: false });
  });
});

describe('transcodeToUtf8', () => {
  // "café,€ 5\n“q”…\n" in windows-1252
  const cp1252 = [0x63, 0x61, 0x66, 0xe9, 0x2c, 0x80, 0x20, 0x35, 0x0a, 0x93, 0x71, 0x94, 0x85, 0x0a];

  it('decodes windows-1252, including the 0x80-0x9F block Node decodes as Latin-1', async () => {
    const r = await transcode(fixture('w1252.csv', cp1252), 'windows-1252');
    expect(r.text).toBe('café,€ 5\n“q”…\n');
    expect(r.bytesIn).toBe(14);
    expect(r.bytesOut).toBe(r.bytes.length);
    expect(r.bytesOut).toBe(Buffer.byteLength('café,€ 5\n“q”…\n'));
  });

  it('reads latin1 and iso-8859-1 as windows-1252, as browsers and Excel exports do', async () => {
    expect((await transcode(fixture('l1.csv', cp1252), 'latin1')).text).toBe('café,€ 5\n“q”…\n');
    expect((await transcode(fixture('i1.csv', cp1252), 'iso-8859-1', 1)).text).toBe('café,€ 5\n“q”…\n');
  });

  it('decodes iso-8859-15 (0xA4 is €, 0xBD is œ)', async () => {
    expect((await transcode(fixture('i15.csv', [0xa4, 0x31, 0x2c, 0xbd, 0x0a]), 'iso-8859-15')).text).toBe('€1,œ\n');
  });

  it('converts UTF-16LE and UTF-16BE with BOM, dropping the BOM', async () => {
    const text = 'id,name\n1,Zoë 😀\n';
    const le = await transcode(fixture('le-bom.csv', Buffer.from(`\uFEFF${text}`, 'utf16le')), 'utf-16le');
    expect(le.text).toBe(text);
    expect(le.bytes[0]).toBe(0x69); // no EF BB BF
    const be = await transcode(fixture('be-bom.csv', utf16be(`\uFEFF${text}`)), 'utf-16be');
    expect(be.text).toBe(text);
  });

  it('strips a UTF-8 BOM', async () => {
    const r = await transcode(fixture('u8bom.csv', Buffer.from('\uFEFFa,b\n1,é\n', 'utf8')), 'utf-8');
    expect(r.text).toBe('a,b\n1,é\n');
    expect(r.bytesIn).toBe(3 + Buffer.byteLength('a,b\n1,é\n'));
    expect(r.bytesOut).toBe(Buffer.byteLength('a,b\n1,é\n'));
  });

  it('keeps a surrogate pair split across read chunks intact', async () => {
    const text = 'x😀y\n𝄞\n';
    const le = fixture('pair-le.csv', Buffer.from(`\uFEFF${text}`, 'utf16le'));
    const be = fixture('pair-be.csv', utf16be(text));
    for (const hwm of [1, 3, 5]) {
      expect((await transcode(le, 'utf-16le', hwm)).text).toBe(text);
      expect((await transcode(be, 'utf-16be', hwm)).text).toBe(text);
    }
    const u8 = fixture('pair-8.csv', Buffer.from(text, 'utf8'));
    expect((await transcode(u8, 'utf-8', 1)).text).toBe(text);
  });

  it('rejects invalid UTF-8 with byte offset and line, and leaves no output', async () => {
    const file = fixture('bad8.csv', Buffer.concat([Buffer.from('a,b\n1,ok\n2,'), Buffer.from([0xff]), Buffer.from('x\n')]));
    const out = `${file}.out.csv`;
    const err = await transcodeToUtf8(file, out, 'utf-8').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvertInputError);
    expect((err as Error).message).toBe('line 3: not valid UTF-8 (at byte offset 11)');
    expect((err as ConvertInputError).details).toEqual({ file, line: 3, offset: 11 });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('rejects a lone UTF-16 surrogate', async () => {
    const file = fixture('lone.csv', Buffer.from([0x61, 0x00, 0x0a, 0x00, 0x3d, 0xd8, 0x62, 0x00]));
    await expect(transcodeToUtf8(file, `${file}.out`, 'utf-16le')).rejects.toThrow(/not valid UTF-16LE/);
  });
});

describe('findInvalidUtf8', () => {
  it('returns undefined for valid UTF-8, whatever the chunking', async () => {
    const file = fixture('ok8.csv', Buffer.from('é€😀\nabc\n', 'utf8'));
    for (const highWaterMark of [1, 2, 3, 1024]) expect(await findInvalidUtf8(file, { highWaterMark })).toBeUndefined();
  });

  it('finds the first invalid sequence even when it straddles chunks', async () => {
    // line 1 "ok", line 2 "é" then E2 28: a 3-byte lead followed by a non-continuation byte
    const file = fixture('split.csv', Buffer.concat([Buffer.from('ok\né', 'utf8'), Buffer.from([0xe2, 0x28, 0x0a])]));
    for (const highWaterMark of [1, 2, 4, 5, 6, 1024]) {
      expect(await findInvalidUtf8(file, { highWaterMark })).toEqual({ offset: 5, line: 2 });
    }
  });

  it('rejects overlong forms and surrogates, and a file cut in mid-character', async () => {
    expect(await findInvalidUtf8(fixture('overlong.csv', [0x61, 0x0a, 0x0a, 0xc0, 0xaf]))).toEqual({ offset: 3, line: 3 });
    expect(await findInvalidUtf8(fixture('surr.csv', [0x61, 0xed, 0xa0, 0x80]))).toEqual({ offset: 1, line: 1 });
    expect(await findInvalidUtf8(fixture('cut.csv', [0x6f, 0x6b, 0x0a, 0xe2, 0x82]), { highWaterMark: 2 })).toEqual({ offset: 3, line: 2 });
  });
});
