import type Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import {
  BLOCK_SIZE,
  type Bm25Parameters,
  bm25Idf,
  bm25Weight,
  decodeBound,
  decodePostings,
  encodeBound,
  encodePostings,
  type Postings,
} from './keyword-postings';
import { type TermPostings, topKByBm25, topKExhaustive } from './keyword-top-k';

/**
 * The embedded store's keyword index: a vocabulary of term ids with their chunk counts, and each
 * term's postings in blocks of up to BLOCK_SIZE consecutive chunk ids (see keyword-postings.ts),
 * ranked by block-max MaxScore (keyword-top-k.ts).
 *
 * Hand-written because of a measured budget: keyword search at 100,000 chunks must take at most
 * 3× its time at 5,000 (p95, `npm run bench:retrieval -- --synthetic-chunks 100000`). Scoring
 * every posting, as the previous one-row-per-posting table did, took 30× (FTS5's bm25() also
 * scores every match, and fixes k1 and b), and no maintained npm search engine prunes top-k over a
 * persistent index that another process updates page by page.
 *
 * A block's key is the lowest chunk id it may hold, up to the next block's key; removing postings
 * never changes keys, so a block is always found as the last one keyed at or below a chunk id.
 * New chunks always have the highest ids (SQLite's rowids), so postings are only ever appended.
 *
 * Queries keep each term's block directory (keys, ends, bounds, sizes) in memory. A directory is
 * valid while the term's `revision` (the index version of the last removal of one of its postings)
 * and its last block's key and size are as they were: appends, the only other change, always
 * change the last block, and nothing needs writing to the vocabulary when a page is added.
 */
export const KEYWORD_TABLES = `
  CREATE TABLE IF NOT EXISTS keyword_terms (
    id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, revision INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS keyword_blocks (
    term INTEGER NOT NULL, first_chunk INTEGER NOT NULL, last_chunk INTEGER NOT NULL,
    size INTEGER NOT NULL, bound BLOB NOT NULL, postings BLOB NOT NULL,
    PRIMARY KEY (term, first_chunk)
  ) WITHOUT ROWID;
`;

/** A block this sparse is merged into the one before it when both fit in one. */
const MERGE_BELOW = BLOCK_SIZE / 4;
/** Block directories kept in memory, least recently used dropped first. */
const CACHED_DIRECTORIES = 10_000;

interface BlockRow {
  first_chunk: number;
  last_chunk: number;
  size: number;
  bound: Buffer;
  postings: Buffer;
}

/** A term's blocks without their postings: what a query plans and skips with. */
interface BlockDirectory {
  id: number;
  revision: number;
  /** The term's chunk count: its blocks' sizes added up. */
  chunks: number;
  lastSize: number;
  firsts: number[];
  lasts: number[];
  /** The bound pairs of block i are at pairStarts[i] up to pairStarts[i + 1]. */
  pairStarts: Uint32Array;
  frequencies: Uint32Array;
  lengths: Uint32Array;
}

export interface KeywordSearch {
  limit: number;
  parameters: Bm25Parameters;
  chunkCount: number;
  averageLength: number;
  accept?: (chunk: number) => boolean;
  /** Score every posting instead of pruning: the benchmark's baseline (same ranking, slower). */
  exhaustive?: boolean;
}

export class KeywordIndex {
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly directories = new LRUCache<string, BlockDirectory>({ max: CACHED_DIRECTORIES });

  /** The tables must exist (KEYWORD_TABLES). */
  constructor(db: Database.Database) {
    this.statements = prepareStatements(db);
  }

  /** Term ids for distinct terms, adding terms new to the vocabulary. */
  termIds(terms: Iterable<string>, version: number): Map<string, number> {
    const ids = new Map<string, number>();
    for (const term of terms) {
      const existing = this.statements.termId.get(term) as number | undefined;
      ids.set(
        term,
        existing ?? Number(this.statements.insertTerm.run(term, version).lastInsertRowid),
      );
    }
    return ids;
  }

  /** Adds a page's postings: term id → its postings in the page's chunks, ascending. */
  addPostings(postingsByTerm: Map<number, Postings>): void {
    for (const [term, postings] of postingsByTerm) {
      const last = this.statements.lastBlock.get(term) as BlockRow | undefined;
      if (last && last.last_chunk >= postings.chunks[0]!) {
        // SQLite gives a new row the highest rowid so far plus one, so this cannot happen.
        throw new Error(
          `the keyword index expects new chunk ids to be the highest: chunk ` +
            `${postings.chunks[0]} comes after ${last.last_chunk} under term ${term}`,
        );
      }
      this.append(term, last, postings);
    }
  }

  /** Removes a page's postings: term id → the page's chunks holding it, ascending. */
  removePostings(chunksByTerm: Map<number, number[]>, version: number): void {
    for (const [term, chunks] of chunksByTerm) {
      let next = 0;
      while (next < chunks.length) next = this.removeFromBlock(term, chunks, next);
      if (this.statements.lastBlock.get(term)) this.statements.setRevision.run(version, term);
      else this.statements.deleteTerm.run(term);
    }
  }

  /**
   * Writes a whole term at once, its postings in ascending chunk order: for rebuilding the index
   * from an earlier format. Returns the term's id.
   */
  loadTerm(term: string, postings: Postings, version: number): number {
    const id = Number(this.statements.insertTerm.run(term, version).lastInsertRowid);
    this.append(id, undefined, postings);
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
      const termSlot = slot++;
      const row = this.statements.termRevision.get(term) as
        { id: number; revision: number } | undefined;
      const last =
        row && (this.statements.lastBlockSize.get(row.id) as [number, number] | undefined);
      if (!row || !last) continue;
      const directory = this.directory(term, row, last);
      const idf = bm25Idf(count, chunkCount, directory.chunks);
      const bounds = search.exhaustive
        ? []
        : blockBounds(directory, idf, parameters, averageLength);
      postings.push({
        slot: termSlot,
        idf,
        firsts: directory.firsts,
        lasts: directory.lasts,
        bounds,
        load: this.blockReader(directory),
      });
    }
    return (search.exhaustive ? topKExhaustive : topKByBm25)(postings, search);
  }

  /** The term's block directory, from memory while the term is unchanged. */
  private directory(
    term: string,
    { id, revision }: { id: number; revision: number },
    [lastFirst, lastSize]: [number, number],
  ): BlockDirectory {
    const cached = this.directories.get(term);
    if (
      cached?.id === id &&
      cached.revision === revision &&
      cached.firsts.at(-1) === lastFirst &&
      cached.lastSize === lastSize
    ) {
      return cached;
    }
    const rows = this.statements.blockBounds.all(id) as [number, number, number, Buffer][];
    const pairs = rows.map((row) => decodeBound(row[3]));
    const pairStarts = new Uint32Array(rows.length + 1);
    pairs.forEach((bound, block) => {
      pairStarts[block + 1] = pairStarts[block]! + bound.frequencies.length;
    });
    const directory: BlockDirectory = {
      id,
      revision,
      chunks: rows.reduce((sum, row) => sum + row[2], 0),
      lastSize: rows.at(-1)?.[2] ?? 0,
      firsts: rows.map((row) => row[0]),
      lasts: rows.map((row) => row[1]),
      pairStarts,
      frequencies: Uint32Array.from(pairs.flatMap((bound) => bound.frequencies)),
      lengths: Uint32Array.from(pairs.flatMap((bound) => bound.lengths)),
    };
    this.directories.set(term, directory);
    return directory;
  }

  /**
   * Reads a term's blocks for one query: all of them, in one range scan, when the first is needed.
   * A query that reads any block of a term reads most of them, and a point read costs several
   * times a block of the scan (measured at 100,000 chunks).
   */
  private blockReader({ id }: BlockDirectory): (block: number) => Uint8Array {
    let read: Uint8Array[] | undefined;
    return (block) => {
      read ??= this.statements.termPostings.all(id) as Uint8Array[];
      return read[block]!;
    };
  }

  /** Appends postings after every posting the term has: fills its last block, then new ones. */
  private append(term: number, last: BlockRow | undefined, postings: Postings): void {
    let start = 0;
    if (last && last.size < BLOCK_SIZE) {
      start = Math.min(BLOCK_SIZE - last.size, postings.chunks.length);
      const added = slicePostings(postings, 0, start);
      const bound = decodeBound(last.bound);
      this.statements.writeBlock.run(
        term,
        last.first_chunk,
        added.chunks.at(-1),
        last.size + start,
        encodeBound({
          frequencies: [...bound.frequencies, ...added.frequencies],
          lengths: [...bound.lengths, ...added.lengths],
        }),
        Buffer.concat([last.postings, encodePostings(added, last.last_chunk)]),
      );
    }
    for (; start < postings.chunks.length; start += BLOCK_SIZE) {
      const block = slicePostings(postings, start, start + BLOCK_SIZE);
      this.writeBlock(term, block.chunks[0]!, block);
    }
  }

  /**
   * Removes `chunks[from]` and every later one in the same block from that block; returns the
   * index of the first chunk left for another block.
   */
  private removeFromBlock(term: number, chunks: number[], from: number): number {
    const first = chunks[from]!;
    const row = this.statements.blockAtOrBelow.get(term, first) as BlockRow | undefined;
    if (!row)
      throw new Error(`the keyword index has no posting of chunk ${first} under term ${term}`);
    const postings = decodePostings(row.postings, row.first_chunk);
    let next = from;
    while (next < chunks.length && chunks[next]! <= row.last_chunk) {
      const at = postings.chunks.indexOf(chunks[next]!);
      if (at < 0) {
        throw new Error(
          `the keyword index has no posting of chunk ${chunks[next]} under term ${term}`,
        );
      }
      postings.chunks.splice(at, 1);
      postings.frequencies.splice(at, 1);
      postings.lengths.splice(at, 1);
      next++;
    }
    if (postings.chunks.length === 0) {
      this.statements.deleteBlock.run(term, row.first_chunk);
      return next;
    }
    if (postings.chunks.length < MERGE_BELOW) {
      const previous = this.statements.blockBelow.get(term, row.first_chunk) as
        BlockRow | undefined;
      if (previous && previous.size + postings.chunks.length <= BLOCK_SIZE) {
        const merged = decodePostings(previous.postings, previous.first_chunk);
        merged.chunks.push(...postings.chunks);
        merged.frequencies.push(...postings.frequencies);
        merged.lengths.push(...postings.lengths);
        this.statements.deleteBlock.run(term, row.first_chunk);
        this.writeBlock(term, previous.first_chunk, merged);
        return next;
      }
    }
    this.writeBlock(term, row.first_chunk, postings);
    return next;
  }

  private writeBlock(term: number, key: number, postings: Postings): void {
    this.statements.writeBlock.run(
      term,
      key,
      postings.chunks.at(-1),
      postings.chunks.length,
      encodeBound(postings),
      encodePostings(postings, key),
    );
  }
}

/** Per block of the term, the highest weight one of its postings can have in this query. */
function blockBounds(
  { firsts, pairStarts, frequencies, lengths }: BlockDirectory,
  idf: number,
  parameters: Bm25Parameters,
  averageLength: number,
): number[] {
  return firsts.map((_, block) => {
    let bound = 0;
    for (let pair = pairStarts[block]!; pair < pairStarts[block + 1]!; pair++) {
      const weight = bm25Weight(idf, frequencies[pair]!, lengths[pair]!, parameters, averageLength);
      if (weight > bound) bound = weight;
    }
    return bound;
  });
}

function slicePostings(postings: Postings, start: number, end: number): Postings {
  return {
    chunks: postings.chunks.slice(start, end),
    frequencies: postings.frequencies.slice(start, end),
    lengths: postings.lengths.slice(start, end),
  };
}

function prepareStatements(db: Database.Database) {
  const blockColumns = 'first_chunk, last_chunk, size, bound, postings';
  return {
    termId: db.prepare('SELECT id FROM keyword_terms WHERE term = ?').pluck(),
    termRevision: db.prepare('SELECT id, revision FROM keyword_terms WHERE term = ?'),
    insertTerm: db.prepare('INSERT INTO keyword_terms (term, revision) VALUES (?, ?)'),
    setRevision: db.prepare('UPDATE keyword_terms SET revision = ? WHERE id = ?'),
    deleteTerm: db.prepare('DELETE FROM keyword_terms WHERE id = ?'),
    blockBounds: db
      .prepare(
        `SELECT first_chunk, last_chunk, size, bound FROM keyword_blocks WHERE term = ?
         ORDER BY first_chunk`,
      )
      .raw(),
    lastBlockSize: db
      .prepare(
        `SELECT first_chunk, size FROM keyword_blocks WHERE term = ?
         ORDER BY first_chunk DESC LIMIT 1`,
      )
      .raw(),
    termPostings: db
      .prepare('SELECT postings FROM keyword_blocks WHERE term = ? ORDER BY first_chunk')
      .pluck(),
    lastBlock: db.prepare(
      `SELECT ${blockColumns} FROM keyword_blocks WHERE term = ? ORDER BY first_chunk DESC LIMIT 1`,
    ),
    blockAtOrBelow: db.prepare(
      `SELECT ${blockColumns} FROM keyword_blocks WHERE term = ? AND first_chunk <= ?
       ORDER BY first_chunk DESC LIMIT 1`,
    ),
    blockBelow: db.prepare(
      `SELECT ${blockColumns} FROM keyword_blocks WHERE term = ? AND first_chunk < ?
       ORDER BY first_chunk DESC LIMIT 1`,
    ),
    deleteBlock: db.prepare('DELETE FROM keyword_blocks WHERE term = ? AND first_chunk = ?'),
    writeBlock: db.prepare(
      `INSERT INTO keyword_blocks (term, first_chunk, last_chunk, size, bound, postings)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (term, first_chunk) DO UPDATE SET last_chunk = excluded.last_chunk,
         size = excluded.size, bound = excluded.bound, postings = excluded.postings`,
    ),
  };
}
