import { type IndexedDocument } from '../../vector-store/chunk';
import { type VectorStore } from '../../vector-store/vector-store';
import { type CrawlManifest, type ManifestEntry } from './crawl-manifest';

export interface PageWrite {
  /** The page's new chunks; absent when only its manifest row changes (an unchanged page). */
  document?: IndexedDocument;
  entry: ManifestEntry;
  /** Called once the page's writes committed, or with the error that stopped them. */
  done: (error?: Error) => void;
}

export interface CrawlWriterOptions {
  /** A batch is written when it holds this many pages… */
  maxPages: number;
  /** …or this many chunks… */
  maxChunks: number;
  /** …or this long after its first page arrived, so a slow, polite crawl still saves as it goes. */
  maxDelayMs: number;
}

export const DEFAULT_CRAWL_WRITER: CrawlWriterOptions = {
  maxPages: 64,
  maxChunks: 2048,
  maxDelayMs: 500,
};

/**
 * Gathers the crawl's page writes into batches: one store transaction (all of the batch's pages)
 * and then one manifest transaction per batch, instead of two commits per page, which had been
 * most of a crawl's time. Each page is still written whole or not at all, and its manifest row only
 * after its chunks committed; a crawl interrupted before a batch is written has not recorded those
 * pages, so the next crawl fetches them again. Batches are written one after another, in order.
 */
export class CrawlWriter {
  private pending: PageWrite[] = [];
  private pendingChunks = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: VectorStore,
    private readonly manifest: CrawlManifest,
    private readonly options: CrawlWriterOptions = DEFAULT_CRAWL_WRITER,
  ) {}

  /**
   * Queues a page's writes. Resolves at once, or, when the page fills a batch, once that batch is
   * written: the page that fills a batch waits for it, which keeps a slow store from falling behind.
   */
  add(write: PageWrite): Promise<void> {
    this.pending.push(write);
    this.pendingChunks += write.document?.chunks.length ?? 0;
    if (
      this.pending.length >= this.options.maxPages ||
      this.pendingChunks >= this.options.maxChunks
    ) {
      return this.flush();
    }
    this.timer ??= setTimeout(() => void this.flush(), this.options.maxDelayMs);
    return Promise.resolve();
  }

  /** Writes what is pending; resolves when every batch queued so far is written. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.pendingChunks = 0;
      this.writing = this.writing.then(() => this.commit(batch));
    }
    return this.writing;
  }

  private async commit(batch: PageWrite[]): Promise<void> {
    try {
      const documents = batch.flatMap((write) => write.document ?? []);
      if (documents.length > 0) await this.store.upsertDocuments(documents);
      this.manifest.putMany(batch.map((write) => write.entry));
    } catch {
      // One page's failure must not cost the others: write them one by one, each with its outcome.
      return this.commitEach(batch);
    }
    for (const write of batch) write.done();
  }

  private async commitEach(batch: PageWrite[]): Promise<void> {
    for (const write of batch) {
      try {
        if (write.document) await this.store.upsertDocument(write.document);
        this.manifest.put(write.entry);
      } catch (error) {
        write.done(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      write.done();
    }
  }
}
