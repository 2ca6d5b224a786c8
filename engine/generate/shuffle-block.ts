import type { LineWriter } from './csv-writer.ts';
import type { Rng } from './prng.ts';

/**
 * Holds a block of lines, already UTF-8 encoded, and writes them out in a seeded
 * random order. B's row order then differs from A's while memory stays one block;
 * storing bytes rather than strings keeps the lines out of the JS heap.
 */
export class ShuffleBlock {
  private bytes = Buffer.allocUnsafe(1 << 21);
  private used = 0;
  private ends: number[] = [];

  /** Lines waiting in the block. */
  get length(): number {
    return this.ends.length;
  }

  /** Adds one line (ending with '\n'). */
  push(line: string): void {
    const need = line.length * 3; // UTF-8 upper bound per UTF-16 code unit
    if (this.bytes.length - this.used < need) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + need));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    this.used += this.bytes.write(line, this.used, 'utf8');
    this.ends.push(this.used);
  }

  /** Writes every line to `out` as data, in an order shuffled by `rng`, and empties the block. */
  drainTo(out: LineWriter, rng: Rng): void {
    const order = this.ends.map((_, i) => i);
    rng.shuffle(order);
    for (const i of order) {
      const start = i === 0 ? 0 : (this.ends[i - 1] as number);
      out.writeBytes(this.bytes.subarray(start, this.ends[i]));
    }
    this.used = 0;
    this.ends = [];
  }
}
