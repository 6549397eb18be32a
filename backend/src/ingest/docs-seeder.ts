import { existsSync } from 'node:fs';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BUNDLED_DOCS_ORIGIN, DOCS_ROUTE } from '../common/bundled-docs';
import { isUnreachable } from '../common/degraded-start';
import { ConfigService } from '../config/config.service';
import { VectorStore } from '../vector-store/vector-store';
import { directoryPages, indexDirectory } from './directory-indexer';
import { Indexer } from './indexer';

/**
 * Gives a fresh install something to talk about: the docs folder is indexed before the server
 * accepts connections when the index is empty, or when it already holds pages of that folder, so
 * a seed killed midway is completed on the next start (and edited pages are refreshed; unchanged
 * ones cost a read). An index of a crawled site, which holds none of them, is left alone, so
 * LoreChat's own docs never leak into a site owner's answers.
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
    const { docsDir } = this.configService.config;
    if (!docsDir || !existsSync(docsDir)) return;
    const baseUrl = `${BUNDLED_DOCS_ORIGIN}${DOCS_ROUTE}`;
    let documents: number;
    try {
      ({ documents } = await this.store.stats());
    } catch (error) {
      // The server starts degraded without its store; seeding waits for the next start.
      if (!isUnreachable(error)) throw error;
      this.logger.warn(`${docsDir} not indexed: the index is unreachable; the next start does it`);
      return;
    }
    if (documents > 0 && !(await this.holdsDocs(docsDir, baseUrl))) return;
    const report = await indexDirectory(this.indexer, docsDir, baseUrl);
    if (report.indexed.length > 0) {
      this.logger.log(`indexed ${report.indexed.length} pages from ${docsDir}`);
    }
  }

  private async holdsDocs(docsDir: string, baseUrl: string): Promise<boolean> {
    for (const { url } of await directoryPages(docsDir, baseUrl)) {
      if ((await this.store.documentHash(url)) !== undefined) return true;
    }
    return false;
  }
}
