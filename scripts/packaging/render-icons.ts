/**
 * `npm run icons`: renders build/icon.svg into the files electron-builder
 * reads (build/icon.png 1024 px, build/icons/NxN.png for Linux, build/icon.ico
 * for Windows, build/icon.icns for macOS) with Debian's Chromium through
 * playwright-core, as the screenshots are. Run it after editing the SVG and
 * commit the results: packaging machines need no image tool.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { ICNS_TYPES, writeIcns, writeIco } from './icon-formats.ts';

const BUILD = resolve(import.meta.dirname, '../../build');
const CHROMIUM = process.env['RECON_CHROMIUM'] ?? '/usr/bin/chromium';
const LINUX_SIZES = [16, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

const svg = readFileSync(join(BUILD, 'icon.svg'), 'utf8');
const sizes = [...new Set([...LINUX_SIZES, ...ICO_SIZES, ...Object.values(ICNS_TYPES)])].sort((a, b) => a - b);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
const png = new Map<number, Buffer>();
try {
  const page = await browser.newPage();
  for (const size of sizes) {
    await page.setViewportSize({ width: size, height: size });
    const sized = svg.replace('<svg ', `<svg width="${size}" height="${size}" `);
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
    png.set(size, await page.locator('svg').screenshot({ omitBackground: true }));
  }
} finally {
  await browser.close();
}

mkdirSync(join(BUILD, 'icons'), { recursive: true });
writeFileSync(join(BUILD, 'icon.png'), png.get(1024)!);
for (const size of LINUX_SIZES) writeFileSync(join(BUILD, 'icons', `${size}x${size}.png`), png.get(size)!);
writeFileSync(join(BUILD, 'icon.ico'), writeIco(ICO_SIZES.map((s) => png.get(s)!)));
writeFileSync(join(BUILD, 'icon.icns'), writeIcns(png));
console.log(`icons written to ${BUILD}`);
