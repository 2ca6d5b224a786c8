/** The icons electron-builder reads are there, in the sizes each platform needs (rendered by `npm run icons`). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { icnsTypes, icoSizes, ICNS_TYPES, pngSize, writeIcns, writeIco } from './icon-formats.ts';
import { ROOT } from './testing/build-desktop.ts';

const BUILD = join(ROOT, 'build');
const read = (name: string): Buffer => readFileSync(join(BUILD, name));

describe('build/ icons', () => {
  it('a 1024 px PNG, from which every other size is derived', () => {
    expect(pngSize(read('icon.png'))).toEqual({ width: 1024, height: 1024 });
  });

  it('Linux: build/icons/NxN.png, each of its stated size, up to 512 and 1024', () => {
    const files = readdirSync(join(BUILD, 'icons'));
    expect(files).toEqual(expect.arrayContaining(['16x16.png', '32x32.png', '48x48.png', '256x256.png', '512x512.png', '1024x1024.png']));
    for (const f of files) {
      const n = Number(/^(\d+)x\1\.png$/.exec(f)?.[1]);
      expect(pngSize(read(join('icons', f))), f).toEqual({ width: n, height: n });
    }
  });

  it('Windows: an .ico with 16 to 256 px images', () => {
    expect(icoSizes(read('icon.ico'))).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });

  it('macOS: an .icns with every slot up to 1024 px', () => {
    expect(icnsTypes(read('icon.icns')).sort()).toEqual(Object.keys(ICNS_TYPES).sort());
  });

  it('the readers reject what electron-builder would: no 256 px image, a missing slot', () => {
    const small = readFileSync(join(BUILD, 'icons', '32x32.png'));
    expect(icoSizes(writeIco([small]))).not.toContain(256);
    expect(() => writeIcns(new Map([[32, small]]))).toThrow('.icns needs a 16 px PNG');
    expect(() => pngSize(Buffer.from('GIF89a...........................'))).toThrow('not a PNG');
  });
});
