/**
 * The file dialects `npm run bench` measures. Every dialect's pair is derived
 * from the generator's pair (`recon generate --seed 42`, bench/measure.ts) by
 * a streaming transform, so all of them carry the same trades and the same
 * injected breaks, only written differently. Each dialect gives the recon
 * definition for `recon run` and the description bench/reference-recon.mjs
 * turns into hand-written DuckDB SQL doing the same job.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import type { DefinitionInput } from '../engine/definition/schema.ts';
import { GENERATED_DEFINITION } from '../engine/generate/definition.ts';

type FieldType = 'string' | 'integer' | 'decimal' | 'date';
type DateStyle = 'iso' | 'dmy-slash' | 'dmy-dot';

/** How one side's file is written. */
interface SideFormat {
  delimiter: string;
  /** Quote values that need it (RFC 4180); false: no quote character at all (values that would need one are cleaned). */
  quoting: boolean;
  eol: '\n' | '\r\n';
  bom: boolean;
  dates: DateStyle;
  decimalSeparator: '.' | ',';
  /** Spaces around values (keys included), so the recon has to trim. */
  padded: boolean;
}

export interface Dialect {
  name: string;
  /** One line for the docs. */
  label: string;
  /** The generator's own files, unchanged. */
  generated?: true;
  a?: SideFormat;
  b?: SideFormat;
  /** Extra columns on both sides (the wide file). */
  extraColumns?: number;
}

const plainSide: SideFormat = { delimiter: ',', quoting: false, eol: '\n', bom: false, dates: 'iso', decimalSeparator: '.', padded: false };

export const DIALECTS: readonly Dialect[] = [
  { name: 'plain', label: 'comma, no quote character anywhere, LF', a: plainSide, b: plainSide },
  { name: 'quoted', label: "the generator's pair: A comma with quoted names; B `;`, decimal comma, dd/mm/yyyy, some padded values", generated: true },
  { name: 'crlf', label: 'comma, quoted where needed, CRLF line ends', a: { ...plainSide, quoting: true, eol: '\r\n' }, b: { ...plainSide, quoting: true, eol: '\r\n' } },
  { name: 'bom', label: 'UTF-8 BOM, comma, quoted where needed', a: { ...plainSide, quoting: true, bom: true }, b: { ...plainSide, quoting: true, bom: true } },
  { name: 'padded', label: 'spaces around every key and value on both sides (trim needed), comma, no quotes', a: { ...plainSide, padded: true }, b: { ...plainSide, padded: true } },
  {
    name: 'semicolon',
    label: '`;`, decimal comma (1234,56); A dd.mm.yyyy, B dd/mm/yyyy; quoted where needed',
    a: { ...plainSide, delimiter: ';', quoting: true, dates: 'dmy-dot', decimalSeparator: ',' },
    b: { ...plainSide, delimiter: ';', quoting: true, dates: 'dmy-slash', decimalSeparator: ',' },
  },
  { name: 'wide', label: '60 columns (11 + 49 more: text, integers, decimals, dates), comma, quoted where needed', a: { ...plainSide, quoting: true }, b: { ...plainSide, quoting: true }, extraColumns: 49 },
];

export function findDialect(name: string): Dialect {
  const d = DIALECTS.find((x) => x.name === name);
  if (!d) throw new Error(`unknown dialect "${name}"; one of ${DIALECTS.map((x) => x.name).join(', ')}`);
  return d;
}

/** Bumped when a transform changes, so files written by an older one are rewritten. */
const FORMAT_VERSION = 1;

/** The generator's columns in order, their types, and B's names for them. */
const BASE = (GENERATED_DEFINITION.fields as ReadonlyArray<{ name: string; b?: string; type: string }>).map((f) => ({ a: f.name, b: f.b ?? f.name, type: f.type as FieldType }));

/** The wide file's extra columns: names and types. */
function extras(n: number): Array<{ name: string; type: FieldType }> {
  const types: FieldType[] = ['string', 'string', 'string', 'integer', 'decimal', 'decimal', 'date'];
  return Array.from({ length: n }, (_, k) => {
    const type = types[k % types.length]!;
    return { name: `${type === 'string' ? 'attr' : type === 'integer' ? 'count' : type === 'decimal' ? 'amount' : 'date'}_${String(k + 1).padStart(2, '0')}`, type };
  });
}

/** A 32-bit hash of two integers (deterministic extra values from the trade number). */
function hash(x: number, y: number): number {
  let h = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(y + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}

function extraValue(type: FieldType, trade: number, k: number, salt = 0): string {
  const h = hash(trade, k * 7 + salt);
  if (h % 50 === 0) return ''; // some empty cells
  switch (type) {
    case 'string':
      return `${['ALPHA', 'BRAVO', 'CHARLIE', 'DELTA', 'ECHO'][h % 5]}-${(h >>> 8).toString(36).toUpperCase()}`;
    case 'integer':
      return String(h % 1_000_000);
    case 'decimal':
      return `${Math.floor((h >>> 4) / 100) % 10_000_000}.${String(h % 100).padStart(2, '0')}`;
    case 'date': {
      const d = new Date(Date.UTC(2020, 0, 1) + (h % 1800) * 86_400_000);
      return d.toISOString().slice(0, 10);
    }
  }
}

/** Values of one generator line, in A's conventions (ISO dates, dot decimals, no padding). */
function canonical(fields: string[], side: 'a' | 'b'): string[] {
  if (side === 'a') return fields;
  return fields.map((v, i) => {
    const t = v.trim();
    switch (BASE[i]!.type) {
      case 'date':
        return `${t.slice(6, 10)}-${t.slice(3, 5)}-${t.slice(0, 2)}`;
      case 'decimal':
        return t.replace(',', '.');
      default:
        return t;
    }
  });
}

function formatValue(v: string, type: FieldType, f: SideFormat, padLeft: number, padRight: number): string {
  let out = v;
  if (out !== '' && type === 'date' && f.dates !== 'iso') {
    const sep = f.dates === 'dmy-dot' ? '.' : '/';
    out = `${out.slice(8, 10)}${sep}${out.slice(5, 7)}${sep}${out.slice(0, 4)}`;
  } else if (type === 'decimal' && f.decimalSeparator === ',') out = out.replace('.', ',');
  else if (type === 'string') {
    if (f.quoting) {
      if (out.includes(f.delimiter) || out.includes('"')) out = `"${out.replaceAll('"', '""')}"`;
    } else out = out.replaceAll('"', '').replaceAll(f.delimiter, ''); // no quote character at all
  }
  return f.padded ? `${' '.repeat(padLeft)}${out}${' '.repeat(padRight)}` : out;
}

interface Columns {
  names: string[];
  types: FieldType[];
}

function columnsOf(d: Dialect, side: 'a' | 'b'): Columns {
  const ex = extras(d.extraColumns ?? 0);
  return { names: [...BASE.map((c) => c[side]), ...ex.map((e) => e.name)], types: [...BASE.map((c) => c.type), ...ex.map((e) => e.type)] };
}

/** Splits one line of RFC 4180 text (no line breaks inside values). */
function splitLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"' || (line[i] === ' ' && /^ *"/.test(line.slice(i)))) {
      // A quoted value, maybe with spaces around it (the generator pads some B values).
      const open = line.indexOf('"', i);
      let j = open + 1;
      let v = '';
      for (;;) {
        const q = line.indexOf('"', j);
        v += line.slice(j, q);
        if (line[q + 1] === '"') {
          v += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      const next = line.indexOf(delimiter, j);
      out.push(line.slice(i, open) + v + (next < 0 ? line.slice(j) : line.slice(j, next)));
      if (next < 0) return out;
      i = next + delimiter.length;
    } else {
      const next = line.indexOf(delimiter, i);
      if (next < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

/** Buffered text output with back-pressure. */
class Out {
  private parts: string[] = [];
  private size = 0;
  private readonly ws: WriteStream;
  constructor(path: string) {
    this.ws = createWriteStream(path, { highWaterMark: 4 << 20 });
  }
  push(s: string): void {
    this.parts.push(s);
    this.size += s.length;
  }
  async flushIfFull(): Promise<void> {
    if (this.size < 1 << 20) return;
    const ok = this.ws.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
    if (!ok) await once(this.ws, 'drain');
  }
  async close(): Promise<void> {
    this.ws.end(this.parts.join(''));
    await finished(this.ws);
  }
}

/** Lines of a text file, streamed. */
async function* lines(path: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest !== '') yield rest;
}

/** Writes one side of several dialects in one pass over the generator's file. */
async function transformSide(source: string, side: 'a' | 'b', targets: Array<{ d: Dialect; path: string }>): Promise<void> {
  const outs = targets.map((t) => {
    const f = t.d[side]!;
    const cols = columnsOf(t.d, side);
    const o = new Out(t.path);
    o.push(`${f.bom ? '\uFEFF' : ''}${cols.names.join(f.delimiter)}${f.eol}`);
    return { ...t, f, cols, o, extraTypes: extras(t.d.extraColumns ?? 0).map((e) => e.type) };
  });
  let first = true;
  let n = 0;
  for await (const raw of lines(source)) {
    if (first) {
      first = false;
      continue;
    }
    if (raw === '') continue;
    const values = canonical(splitLine(raw, side === 'a' ? ',' : ';'), side);
    const trade = Number(values[0]!.slice(1));
    n++;
    for (const t of outs) {
      let row = values;
      if (t.extraTypes.length > 0) {
        const ex = t.extraTypes.map((type, k) => extraValue(type, trade, k));
        // About 0.5% of B's records differ in one extra column.
        if (side === 'b' && hash(trade, 99_991) % 200 === 0) {
          const k = hash(trade, 99_989) % ex.length;
          ex[k] = extraValue(t.extraTypes[k]!, trade, k, 1);
        }
        row = [...values, ...ex];
      }
      const padded = t.f.padded;
      const parts = row.map((v, i) => formatValue(v, t.cols.types[i]!, t.f, padded ? hash(trade + n, i) % 3 : 0, padded ? hash(trade, i + 500) % 3 : 0));
      t.o.push(parts.join(t.f.delimiter) + t.f.eol);
    }
    if (n % 4096 === 0) for (const t of outs) await t.o.flushIfFull();
  }
  await Promise.all(outs.map((t) => t.o.close()));
}

export interface DialectFiles {
  a: string;
  b: string;
  definition: string;
  /** Input of bench/reference-recon.mjs. */
  reference: string;
}

/**
 * The dialect's pair, definition and reference description under
 * `<dataDir>/dialects/<name>/`, written once from the generator's pair in
 * `dataDir` (several dialects share one pass over each file).
 */
export async function ensureDialects(dialects: readonly Dialect[], dataDir: string, gen: { a: string; b: string; definition: string }): Promise<Map<string, DialectFiles>> {
  const out = new Map<string, DialectFiles>();
  const pending: Array<{ d: Dialect; dir: string; files: DialectFiles }> = [];
  for (const d of dialects) {
    const dir = join(dataDir, 'dialects', d.name);
    const files: DialectFiles = d.generated
      ? { a: gen.a, b: gen.b, definition: gen.definition, reference: join(dir, 'reference.json') }
      : { a: join(dir, 'a.csv'), b: join(dir, 'b.csv'), definition: join(dir, 'definition.json'), reference: join(dir, 'reference.json') };
    out.set(d.name, files);
    mkdirSync(dir, { recursive: true });
    const stamp = join(dir, 'version');
    const current = existsSync(stamp) && readFileSync(stamp, 'utf8') === String(FORMAT_VERSION) && existsSync(files.a) && existsSync(files.b);
    writeFileSync(files.reference, `${JSON.stringify(referenceSpec(d, files), null, 2)}\n`);
    if (!d.generated) writeFileSync(files.definition, `${JSON.stringify(definitionOf(d), null, 2)}\n`);
    if (!current) {
      rmSync(stamp, { force: true });
      if (!d.generated) pending.push({ d, dir, files });
      else writeFileSync(stamp, String(FORMAT_VERSION));
    }
  }
  if (pending.length > 0) {
    process.stderr.write(`writing the ${pending.map((p) => p.d.name).join(', ')} pair(s) from ${gen.a} and ${gen.b}\n`);
    for (const side of ['a', 'b'] as const) {
      const targets = pending.map((p) => ({ d: p.d, path: `${p.files[side]}.tmp` }));
      await transformSide(gen[side], side, targets);
      for (const p of pending) renameSync(`${p.files[side]}.tmp`, p.files[side]);
    }
    for (const p of pending) writeFileSync(join(p.dir, 'version'), String(FORMAT_VERSION));
  }
  return out;
}

const STRPTIME: Record<DateStyle, string | null> = { iso: null, 'dmy-slash': '%d/%m/%Y', 'dmy-dot': '%d.%m.%Y' };
const GENERATED_B: SideFormat = { delimiter: ';', quoting: true, eol: '\n', bom: false, dates: 'dmy-slash', decimalSeparator: ',', padded: true };
const GENERATED_A: SideFormat = { ...plainSide, quoting: true };

/** The recon definition: the generator's, with the dialect's source options and the extra columns. */
export function definitionOf(d: Dialect): DefinitionInput {
  const source = (f: SideFormat): Record<string, unknown> => ({
    format: 'csv',
    delimiter: f.delimiter,
    ...(f.decimalSeparator === ',' ? { decimalSeparator: ',' } : {}),
    ...(STRPTIME[f.dates] ? { dateFormat: STRPTIME[f.dates] } : {}),
  });
  const ex = extras(d.extraColumns ?? 0).map((e) => ({
    name: e.name,
    type: e.type,
    ...(e.type === 'decimal' ? { scale: 2, tolerance: { abs: '0.005' } } : {}),
  }));
  return {
    ...GENERATED_DEFINITION,
    name: `Trades vs custodian (bench dialect ${d.name})`,
    sources: { a: source(d.a!), b: source(d.b!) },
    fields: [...GENERATED_DEFINITION.fields, ...ex],
  } as DefinitionInput;
}

/**
 * What bench/reference-recon.mjs needs to write the same recon in SQL: how to
 * read each side, and per field its column on each side, type, scale, value
 * map, case folding and tolerance. A side is trimmed, and currency codes
 * upper-cased, only where the data needs it: what someone writing SQL for
 * this one pair would do (the engine checks and skips what is not needed).
 */
function referenceSpec(d: Dialect, files: DialectFiles): unknown {
  const fa = d.generated ? GENERATED_A : d.a!;
  const fb = d.generated ? GENERATED_B : d.b!;
  const side = (f: SideFormat, path: string, s: 'a' | 'b'): unknown => ({
    path,
    delimiter: f.delimiter,
    quote: '"',
    columns: columnsOf(d, s).names,
    trim: f.padded,
    dateFormat: STRPTIME[f.dates],
    decimalSeparator: f.decimalSeparator,
  });
  const def = d.generated ? GENERATED_DEFINITION : definitionOf(d);
  const fields = (def.fields as ReadonlyArray<{ name: string; b?: string; type?: string; scale?: number; map?: { b?: Record<string, string> }; case?: string; tolerance?: object }>).map((f) => ({
    name: f.name,
    a: f.name,
    b: f.b ?? f.name,
    type: f.type ?? 'string',
    ...(f.scale !== undefined ? { scale: f.scale } : {}),
    ...(f.map?.b ? { mapB: f.map.b } : {}),
    // B writes some currency codes in lower case; A never does.
    ...(f.case === 'upper' ? { upperB: true } : {}),
    ...(f.tolerance ? { tolerance: f.tolerance } : {}),
  }));
  return { key: 'TradeID', a: side(fa, files.a, 'a'), b: side(fb, files.b, 'b'), fields };
}
