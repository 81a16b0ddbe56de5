import { describe, expect, it } from 'vitest';
import { type CsvDialect, resolveDialect } from '../../../../shared/engine/csv/dialect.js';
import { BoundaryScanner, planChunks, recordBlocks } from '../../../../shared/engine/csv/record-blocks.js';
import { CsvFormatError, RecordTokenizer } from '../../../../shared/engine/csv/record-tokenizer.js';
import { createRng } from '../../../support/onnx-factory.js';

/** Uniform [0, 1) draws from the shared seeded PRNG, so a failure reproduces. */
const mulberry32 = (seed: number): (() => number) => createRng(seed).next;

const comma = resolveDialect();
const NEWLINES = ['\n', '\r\n', '\r'];

/** A random but readable CSV: quoted fields with delimiters, newlines and "" escapes, literal and stray quotes, blank lines. */
function randomCsv(random: () => number, dialect: CsvDialect): string {
  const d = String.fromCharCode(dialect.delimiter);
  const q = String.fromCharCode(dialect.quote);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const plain = () => pick(['', 'a', '12.5', 'xyz', `b${q}c`, 'é', ' s ']);
  const quoted = () => {
    const inner = Array.from({ length: Math.floor(random() * 4) }, () =>
      pick(['t', d, q + q, '\n', '\r\n', '\r', '日']),
    ).join('');
    return random() < 0.1 ? `${q}${inner}${q}junk${q}` : `${q}${inner}${q}`;
  };
  const rows: string[] = [];
  const count = 1 + Math.floor(random() * 30);
  for (let r = 0; r < count; r++) {
    if (random() < 0.05) {
      rows.push(pick(NEWLINES));
      continue;
    }
    const fields = Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
      random() < 0.4 ? quoted() : plain(),
    );
    rows.push(fields.join(d) + pick(NEWLINES));
  }
  let text = rows.join('');
  if (random() < 0.3) text = text.replace(/(\r\n|\r|\n)$/, '');
  return text;
}

/** Offsets just past each record, as RecordTokenizer finds them. */
function tokenizerBoundaries(buf: Buffer, dialect: CsvDialect): number[] {
  const t = new RecordTokenizer(dialect);
  const ends: number[] = [];
  for (let pos = 0; pos < buf.length; ) {
    pos = t.next(buf, pos, buf.length, true);
    ends.push(pos);
  }
  return ends;
}

async function* pieces(buf: Buffer, random: () => number, maxPiece: number): AsyncGenerator<Uint8Array> {
  for (let pos = 0; pos < buf.length; ) {
    const size = 1 + Math.floor(random() * maxPiece);
    yield new Uint8Array(buf.subarray(pos, pos + size)); // plain Uint8Array, not Buffer
    pos += size;
  }
}

/** Greedy cuts: the first boundary at least `target` past the previous cut, then the end. */
function expectedCuts(boundaries: number[], from: number, target: number, total: number): number[] {
  const cuts: number[] = [];
  let last = from;
  for (const b of boundaries) {
    if (b >= last + target) {
      cuts.push(b);
      last = b;
    }
  }
  if (last < total) cuts.push(total);
  return cuts;
}

async function collect(blocks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of blocks) out.push(b);
  return out;
}

describe('planChunks', () => {
  const dialects = [comma, resolveDialect({ delimiter: 'tab', quotechar: "'" })];

  it('cuts exactly where the tokenizer ends records, for random CSVs in random pieces', async () => {
    const random = mulberry32(7);
    for (let round = 0; round < 400; round++) {
      const dialect = dialects[round % 2] as CsvDialect;
      const buf = Buffer.from(randomCsv(random, dialect));
      const boundaries = tokenizerBoundaries(buf, dialect);
      const target = round % 4 === 0 ? 1 : 1 + Math.floor(random() * 60);
      const maxPiece = round % 3 === 0 ? 1 : 1 + Math.floor(random() * 40);
      const plan = await planChunks(pieces(buf, random, maxPiece), dialect, target);

      const headerEnd = boundaries[0] ?? 0;
      expect(plan.headerRange).toEqual({ start: 0, end: headerEnd });
      expect(plan.totalBytes).toBe(buf.length);
      const cuts = expectedCuts(boundaries.slice(1), headerEnd, target, buf.length);
      expect(plan.chunks.map((c) => c.end)).toEqual(cuts);
      expect(plan.chunks.map((c) => c.index)).toEqual(cuts.map((_, i) => i));
      const rejoined = Buffer.concat(plan.chunks.map((c) => buf.subarray(c.start, c.end)));
      expect(rejoined.equals(buf.subarray(headerEnd))).toBe(true);
    }
  });

  it('with a 1-byte target returns every record as a chunk', async () => {
    const buf = Buffer.from('h1,h2\r\n1,"a\nb"\n\n2,"x""y"\r3,4');
    const plan = await planChunks(pieces(buf, mulberry32(1), 3), comma, 1);
    expect(plan.chunks.map((c) => buf.toString('utf8', c.start, c.end))).toEqual([
      '1,"a\nb"\n',
      '\n',
      '2,"x""y"\r',
      '3,4',
    ]);
  });

  it('leaves a UTF-8 BOM out of the header range and keeps offsets in the original stream', async () => {
    const buf = Buffer.from('\uFEFF"id",x\n1,2\n3,4\n');
    for (const maxPiece of [1, 2, 100]) {
      const plan = await planChunks(pieces(buf, mulberry32(3), maxPiece), comma, 1);
      expect(plan.headerRange).toEqual({ start: 3, end: 10 });
      expect(plan.chunks).toEqual([
        { index: 0, start: 10, end: 14 },
        { index: 1, start: 14, end: 18 },
      ]);
      expect(plan.totalBytes).toBe(18);
    }
  });

  it.each([
    ['', { start: 0, end: 0 }],
    ['a,b', { start: 0, end: 3 }],
    ['a,b\n', { start: 0, end: 4 }],
    ['a,b\r\n', { start: 0, end: 5 }],
    ['\uFEFF', { start: 3, end: 3 }],
  ])('gives no chunks for the empty or header-only stream %j', async (text, headerRange) => {
    const buf = Buffer.from(text);
    const plan = await planChunks(pieces(buf, mulberry32(2), 2), comma, 10);
    expect(plan).toEqual({ headerRange, chunks: [], totalBytes: buf.length });
  });

  it('rejects a stream that ends inside a quoted field', async () => {
    const buf = Buffer.from('a,b\n1,"never closed\n2,3\n');
    await expect(planChunks(pieces(buf, mulberry32(4), 5), comma, 4)).rejects.toThrow(CsvFormatError);
  });
});

describe('BoundaryScanner', () => {
  it('reports a CR that ends a piece only once the next piece shows whether LF follows', () => {
    const scanner = new BoundaryScanner(comma, 1, 0);
    expect(scanner.feed(Buffer.from('a\r'))).toEqual([]);
    expect(scanner.feed(Buffer.from('\nb\r'))).toEqual([1]);
    expect(scanner.feed(Buffer.from('c\n'))).toEqual([0, 2]);
    expect(scanner.position).toBe(7);
  });

  it('rejects a stride below 1', () => {
    expect(() => new BoundaryScanner(comma, 0)).toThrow(RangeError);
  });
});

describe('recordBlocks', () => {
  it('re-chunks random CSVs into whole-record blocks of at least minBytes', async () => {
    const random = mulberry32(11);
    for (let round = 0; round < 300; round++) {
      const buf = Buffer.from(randomCsv(random, comma));
      const boundaries = tokenizerBoundaries(buf, comma);
      const minBytes = 1 + Math.floor(random() * 50);
      const blocks = await collect(
        recordBlocks(pieces(buf, random, 1 + Math.floor(random() * 30)), comma, { minBytes }),
      );
      expect(Buffer.concat(blocks).equals(buf)).toBe(true);
      let end = 0;
      const ends = blocks.map((b) => {
        end += b.length;
        return end;
      });
      expect(ends).toEqual(expectedCuts(boundaries, 0, minBytes, buf.length));
    }
  });

  it('drops a UTF-8 BOM and starts with the header record', async () => {
    const buf = Buffer.from('\uFEFFh\n1\n2\n');
    const blocks = await collect(recordBlocks(pieces(buf, mulberry32(5), 1), comma, { minBytes: 1 }));
    expect(blocks.map(String)).toEqual(['h\n', '1\n', '2\n']);
  });

  it('fails fast on a 100 MB field beyond maxRecordBytes', async () => {
    const progress = { fed: 0 };
    const limit = 1024 * 1024;
    const blocks = recordBlocks(hugeFieldSource(100 * 1024 * 1024, progress), comma, {
      minBytes: 1024,
      maxRecordBytes: limit,
    });
    await expect(collect(blocks)).rejects.toThrow(
      /longer than the limit of 1048576 bytes \(maxRecordBytes\)/,
    );
    expect(progress.fed).toBeLessThan(limit + 3 * 64 * 1024);
  });

  /** 'h' header, then one quoted field of `size` bytes, then a last record; fed in 64 KiB pieces. */
  function hugeFieldSource(size: number, progress: { fed: number }): AsyncIterable<Uint8Array> {
    const piece = Buffer.alloc(64 * 1024, 0x78);
    return (async function* () {
      yield Buffer.from('h\n"');
      for (; progress.fed < size; progress.fed += piece.length) yield piece;
      yield Buffer.from('"\nend\n');
    })();
  }

  it('stops a 100 MB field at the default 64 MiB limit within seconds', async () => {
    const progress = { fed: 0 };
    const started = performance.now();
    await expect(collect(recordBlocks(hugeFieldSource(100 * 1024 * 1024, progress), comma))).rejects.toThrow(
      CsvFormatError,
    );
    expect((performance.now() - started) / 1000).toBeLessThan(5);
    expect(progress.fed).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect(progress.fed).toBeLessThan(66 * 1024 * 1024);
  });

  it('passes a 100 MB field under a higher limit through in linear time', async () => {
    const size = 100 * 1024 * 1024;
    const started = performance.now();
    const blocks = await collect(
      recordBlocks(hugeFieldSource(size, { fed: 0 }), comma, { minBytes: 1024, maxRecordBytes: 128 << 20 }),
    );
    expect((performance.now() - started) / 1000).toBeLessThan(5);
    expect(blocks.map((b) => b.length)).toEqual([2 + 1 + size + 2, 4]);
  });

  it('rejects a stream that ends inside a quoted field', async () => {
    const buf = Buffer.from('a\n"open\n');
    await expect(collect(recordBlocks(pieces(buf, mulberry32(6), 2), comma))).rejects.toThrow(
      /byte offset 2/,
    );
  });
});
