import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type OnModuleDestroy } from '@nestjs/common';
import Database from 'better-sqlite3';
import { EmbeddingProvider } from './embedding-provider';

/**
 * Remembers document vectors in a SQLite file, keyed by the provider's id and the SHA-256 of the
 * text, so that a re-crawl embeds only the passages that changed, even after a restart, and a
 * paid provider is never paid twice for the same text. Only the misses go to the wrapped provider,
 * in one call, each distinct text once.
 *
 * Queries bypass the cache. Visitors rarely ask the same thing twice word for word, so caching
 * their questions would mostly grow the file; it would also keep a trace of what visitors asked
 * on disk, which the rest of LoreChat does not; and a cache write would sit on the path of every
 * answer.
 *
 * Vectors are stored as Float32 (half the space of doubles, more precision than any provider's
 * vectors carry), and a text's vector comes back in that precision whether it was a hit or a miss,
 * so the same text always gets exactly the same vector.
 */
export class CachedEmbeddings extends EmbeddingProvider implements OnModuleDestroy {
  readonly dimensions: number;
  readonly id: string;
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[string, Buffer], { vector: Buffer }>;
  private readonly insert: Database.Statement<[string, Buffer, Buffer]>;

  constructor(
    private readonly provider: EmbeddingProvider,
    file: string,
  ) {
    super();
    this.dimensions = provider.dimensions;
    this.id = provider.id;
    mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database | undefined;
    try {
      db = new Database(file);
      // Readers (the server) and a writer (an ingest in another process) at the same time.
      db.pragma('journal_mode = WAL');
      db.exec(
        `CREATE TABLE IF NOT EXISTS embeddings (
           provider TEXT NOT NULL,
           text_sha256 BLOB NOT NULL,
           vector BLOB NOT NULL,
           PRIMARY KEY (provider, text_sha256)
         ) WITHOUT ROWID`,
      );
    } catch (error) {
      db?.close();
      throw new Error(
        `embedding cache ${file} cannot be opened (${(error as Error).message}): delete it; ` +
          'it only holds vectors that can be computed again',
        { cause: error },
      );
    }
    this.db = db;
    this.select = this.db.prepare<[string, Buffer], { vector: Buffer }>(
      'SELECT vector FROM embeddings WHERE provider = ? AND text_sha256 = ?',
    );
    this.insert = this.db.prepare<[string, Buffer, Buffer]>(
      'INSERT OR REPLACE INTO embeddings (provider, text_sha256, vector) VALUES (?, ?, ?)',
    );
  }

  async embed(texts: string[], purpose: 'query' | 'document'): Promise<number[][]> {
    if (purpose === 'query') return this.provider.embed(texts, purpose);

    const keys = texts.map((text) => createHash('sha256').update(text).digest());
    const vectors = new Map<string, number[]>();
    const misses = new Map<string, { key: Buffer; text: string }>();
    this.db.transaction(() => {
      keys.forEach((key, i) => {
        const hex = key.toString('hex');
        if (vectors.has(hex) || misses.has(hex)) return;
        const row = this.select.get(this.id, key);
        if (row) vectors.set(hex, fromBlob(row.vector));
        else misses.set(hex, { key, text: texts[i] as string });
      });
    })();

    if (misses.size > 0) {
      const pending = [...misses.values()];
      const computed = await this.provider.embed(
        pending.map(({ text }) => text),
        purpose,
      );
      if (computed.length !== pending.length) {
        throw new Error(
          `${this.id} returned ${computed.length} vectors for ${pending.length} texts`,
        );
      }
      this.db.transaction(() => {
        pending.forEach(({ key }, i) => {
          const blob = toBlob(computed[i] as number[]);
          this.insert.run(this.id, key, blob);
          vectors.set(key.toString('hex'), fromBlob(blob));
        });
      })();
    }
    return keys.map((key) => vectors.get(key.toString('hex')) as number[]);
  }

  /** Closes the file; Nest calls this when the application shuts down. */
  onModuleDestroy(): void {
    this.close();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Float32 in the machine's byte order, which is little-endian on every platform the app runs on. */
function toBlob(vector: number[]): Buffer {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
}

function fromBlob(blob: Buffer): number[] {
  // Copied out: a Buffer's offset into its memory need not be a multiple of 4, as a view needs.
  const bytes = blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength);
  return Array.from(new Float32Array(bytes));
}
