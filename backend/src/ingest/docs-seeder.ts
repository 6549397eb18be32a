import { existsSync } from 'node:fs';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { isUnreachable } from '../common/degraded-start';
import { ConfigService } from '../config/config.service';
import { VectorStore } from '../vector-store/vector-store';
import { indexDirectory } from './directory-indexer';
import { Indexer } from './indexer';

/** URL path under which the bundled docs are served, and so cited. */
export const DOCS_ROUTE = '/docs';

/**
 * Gives a fresh install something to talk about: when the index is empty, the docs folder is indexed
 * before the server accepts connections. An index that holds anything (a crawled site) is left
 * alone, so LoreChat's own docs never leak into a site owner's answers.
 */
@Injectable()
export class DocsSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DocsSeeder.name);

  constructor(
    private readonly configService: ConfigService,
    private readonly store: VectorStore,
    private readonly indexer: Indexer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { docsDir, server } = this.configService.config;
    if (!docsDir || !existsSync(docsDir)) return;
    let documents: number;
    try {
      ({ documents } = await this.store.stats());
    } catch (error) {
      // The server starts degraded without its store; seeding waits for the next start.
      if (!isUnreachable(error)) throw error;
      this.logger.warn(`${docsDir} not indexed: the index is unreachable; the next start does it`);
      return;
    }
    if (documents > 0) return;
    const report = await indexDirectory(this.indexer, docsDir, `${server.publicUrl}${DOCS_ROUTE}`);
    this.logger.log(`indexed ${report.indexed.length} pages from ${docsDir}`);
  }
}
