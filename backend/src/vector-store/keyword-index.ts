import type Database from 'better-sqlite3';
import {
  BLOCK_SIZE,
  type Bm25Parameters,
  bm25Idf,
  boundWeight,
  decodePostings,
  encodeBound,
  encodePostings,
  type Postings,
} from './keyword-postings';
import { type TermPostings, topKByBm25 } from './keyword-top-k';

/**
 * The embedded store's keyword index: a vocabulary of term ids with their chunk counts, and each
 * term's postings in blocks of up to BLOCK_SIZE consecutive chunk ids (see keyword-postings.ts),
 * ranked by MaxScore over block bounds (keyword-top-k.ts).
 *
 * Hand-written because of a measured budget: keyword search at 100,000 chunks must take at most
 * 3× its time at 5,000 (p95, `npm run bench:retrieval -- --synthetic-chunks 100000`). Scoring
 * every posting, as the previous one-row-per-posting table did, took 30× (FTS5's bm25() also
 * scores every match, and fixes k1 and b), and no maintained npm search engine prunes top-k over a
 * persistent index that another process updates page by page.
 *
 * A block's key is the lowest chunk id it may hold, up to the next block's key; removing postings
 * never changes keys, so a block is always found as the last one keyed at or below a chunk id.
 */
export const KEYWORD_TABLES = `
  CREATE TABLE IF NOT EXISTS keyword_terms (
    id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, chunks INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS keyword_blocks (
    term INTEGER NOT NULL, first_chunk INTEGER NOT NULL, last_chunk INTEGER NOT NULL,
    bound BLOB NOT NULL, postings BLOB NOT NULL, PRIMARY KEY (term, first_chunk)
  ) WITHOUT ROWID;
`;

/** A block this sparse is merged into the one before it when both fit in one. */
const MERGE_BELOW = BLOCK_SIZE / 4;

interface BlockRow {
  first_chunk: number;
  last_chunk: number;
  postings: Buffer;
}

export interface KeywordSearch {
  limit: number;
  parameters: Bm25Parameters;
  chunkCount: number;
  averageLength: number;
  accept?: (chunk: number) => boolean;
}

export class KeywordIndex {
  private readonly statements: ReturnType<typeof prepareStatements>;

  /** The tables must exist (KEYWORD_TABLES). */
  constructor(db: Database.Database) {
    this.statements = prepareStatements(db);
  }

  /** Term ids for a chunk's distinct terms, adding terms new to the vocabulary. */
  termIds(terms: Iterable<string>): Map<string, number> {
    const ids = new Map<string, number>();
    for (const term of terms) {
      const existing = this.statements.termId.get(term) as number | undefined;
      ids.set(term, existing ?? Number(this.statements.insertTerm.run(term).lastInsertRowid));
    }
    return ids;
  }

  /** Adds one chunk's postings: term id → frequency in the chunk. */
  addChunk(chunk: number, frequencies: Map<number, number>, length: number): void {
    for (const [term, frequency] of frequencies) {
      this.insertPosting(term, chunk, frequency, length);
      this.statements.countChunks.run(1, term);
    }
  }

  /** Removes one chunk's postings under the given term ids. */
  removeChunk(chunk: number, terms: number[]): void {
    for (const term of terms) {
      this.removePosting(term, chunk);
      this.statements.countChunks.run(-1, term);
      this.statements.deleteUnusedTerm.run(term);
    }
  }

  /**
   * Writes a whole term at once, its postings in ascending chunk order: for rebuilding the index
   * from an earlier format. Returns the term's id.
   */
  loadTerm(term: string, postings: Postings): number {
    const id = Number(this.statements.insertTerm.run(term).lastInsertRowid);
    this.statements.countChunks.run(postings.chunks.length, id);
    for (let start = 0; start < postings.chunks.length; start += BLOCK_SIZE) {
      const block = slicePostings(postings, start, start + BLOCK_SIZE);
      this.writeBlock(id, block.chunks[0]!, block);
    }
    return id;
  }

  /** The best chunks for analyzed query terms (repeats weigh more), as [chunk, score]. */
  search(terms: string[], search: KeywordSearch): [number, number][] {
    const { parameters, chunkCount, averageLength } = search;
    const repeats = new Map<string, number>();
    for (const term of terms) repeats.set(term, (repeats.get(term) ?? 0) + 1);
    const postings: TermPostings[] = [];
    let slot = 0;
    for (const [term, count] of repeats) {
      const row = this.statements.termStats.get(term) as { id: number; chunks: number } | undefined;
      const termSlot = slot++;
      if (!row || row.chunks === 0) continue;
      const idf = bm25Idf(count, chunkCount, row.chunks);
      const blocks = this.statements.blockBounds.all(row.id) as [number, number, Buffer][];
      postings.push({
        slot: termSlot,
        idf,
        firsts: blocks.map((block) => block[0]),
        lasts: blocks.map((block) => block[1]),
        bounds: blocks.map((block) => boundWeight(block[2], idf, parameters, averageLength)),
        load: (index) => this.statements.blockPostings.get(row.id, blocks[index]![0]) as Uint8Array,
      });
    }
    return topKByBm25(postings, search);
  }

  private insertPosting(term: number, chunk: number, frequency: number, length: number): void {
    const row =
      (this.statements.blockAtOrBelow.get(term, chunk) as BlockRow | undefined) ??
      (this.statements.firstBlock.get(term) as BlockRow | undefined);
    if (!row) {
      this.writeBlock(term, chunk, {
        chunks: [chunk],
        frequencies: [frequency],
        lengths: [length],
      });
      return;
    }
    const postings = decodePostings(row.postings, row.first_chunk);
    if (postings.chunks.length >= BLOCK_SIZE && chunk > row.last_chunk) {
      // Chunk ids grow as pages are written, so a full block is left as it is and a new one starts.
      this.writeBlock(term, chunk, {
        chunks: [chunk],
        frequencies: [frequency],
        lengths: [length],
      });
      return;
    }
    let at = postings.chunks.findIndex((existing) => existing >= chunk);
    if (at < 0) at = postings.chunks.length;
    if (postings.chunks[at] === chunk) {
      throw new Error(`the keyword index already holds chunk ${chunk} under term ${term}`);
    }
    postings.chunks.splice(at, 0, chunk);
    postings.frequencies.splice(at, 0, frequency);
    postings.lengths.splice(at, 0, length);
    const key = Math.min(row.first_chunk, chunk);
    if (key !== row.first_chunk) this.statements.deleteBlock.run(term, row.first_chunk);
    if (postings.chunks.length <= BLOCK_SIZE) {
      this.writeBlock(term, key, postings);
      return;
    }
    const half = postings.chunks.length >> 1;
    this.writeBlock(term, key, slicePostings(postings, 0, half));
    const upper = slicePostings(postings, half, postings.chunks.length);
    this.writeBlock(term, upper.chunks[0]!, upper);
  }

  private removePosting(term: number, chunk: number): void {
    const row = this.statements.blockAtOrBelow.get(term, chunk) as BlockRow | undefined;
    const postings = row && decodePostings(row.postings, row.first_chunk);
    const at = postings?.chunks.indexOf(chunk) ?? -1;
    if (!row || !postings || at < 0) {
      throw new Error(`the keyword index has no posting of chunk ${chunk} under term ${term}`);
    }
    postings.chunks.splice(at, 1);
    postings.frequencies.splice(at, 1);
    postings.lengths.splice(at, 1);
    if (postings.chunks.length === 0) {
      this.statements.deleteBlock.run(term, row.first_chunk);
      return;
    }
    if (postings.chunks.length < MERGE_BELOW) {
      const previous = this.statements.blockBelow.get(term, row.first_chunk) as
        BlockRow | undefined;
      const merged = previous && decodePostings(previous.postings, previous.first_chunk);
      if (previous && merged && merged.chunks.length + postings.chunks.length <= BLOCK_SIZE) {
        merged.chunks.push(...postings.chunks);
        merged.frequencies.push(...postings.frequencies);
        merged.lengths.push(...postings.lengths);
        this.statements.deleteBlock.run(term, row.first_chunk);
        this.writeBlock(term, previous.first_chunk, merged);
        return;
      }
    }
    this.writeBlock(term, row.first_chunk, postings);
  }

  private writeBlock(term: number, key: number, postings: Postings): void {
    this.statements.writeBlock.run(
      term,
      key,
      postings.chunks.at(-1),
      encodeBound(postings),
      encodePostings(postings, key),
    );
  }
}

function slicePostings(postings: Postings, start: number, end: number): Postings {
  return {
    chunks: postings.chunks.slice(start, end),
    frequencies: postings.frequencies.slice(start, end),
    lengths: postings.lengths.slice(start, end),
  };
}

function prepareStatements(db: Database.Database) {
  const blockColumns = 'first_chunk, last_chunk, postings';
  return {
    termId: db.prepare('SELECT id FROM keyword_terms WHERE term = ?').pluck(),
    termStats: db.prepare('SELECT id, chunks FROM keyword_terms WHERE term = ?'),
    insertTerm: db.prepare('INSERT INTO keyword_terms (term, chunks) VALUES (?, 0)'),
    countChunks: db.prepare('UPDATE keyword_terms SET chunks = chunks + ? WHERE id = ?'),
    deleteUnusedTerm: db.prepare('DELETE FROM keyword_terms WHERE id = ? AND chunks = 0'),
    blockBounds: db
      .prepare(
        'SELECT first_chunk, last_chunk, bound FROM keyword_blocks WHERE term = ? ORDER BY first_chunk',
      )
      .raw(),
    blockPostings: db
      .prepare('SELECT postings FROM keyword_blocks WHERE term = ? AND first_chunk = ?')
      .pluck(),
    blockAtOrBelow: db.prepare(
      `SELECT ${blockColumns} FROM keyword_blocks WHERE term = ? AND first_chunk <= ?
       ORDER BY first_chunk DESC LIMIT 1`,
    ),
    blockBelow: db.prepare(
      `SELECT ${blockColumns} FROM keyword_blocks WHERE term = ? AND first_chunk < ?
       ORDER BY first_chunk DESC LIMIT 1`,
    ),
    firstBlock: db.prepare(
      `SELECT ${blockColumns} FROM keyword_blocks WHERE term = ? ORDER BY first_chunk LIMIT 1`,
    ),
    deleteBlock: db.prepare('DELETE FROM keyword_blocks WHERE term = ? AND first_chunk = ?'),
    writeBlock: db.prepare(
      `INSERT INTO keyword_blocks (term, first_chunk, last_chunk, bound, postings)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (term, first_chunk) DO UPDATE SET
         last_chunk = excluded.last_chunk, bound = excluded.bound, postings = excluded.postings`,
    ),
  };
}
