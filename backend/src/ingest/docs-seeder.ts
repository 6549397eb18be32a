import { existsSync } from 'node:fs';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BUNDLED_DOCS_ORIGIN, DOCS_ROUTE } from '../common/bundled-docs';
import { ConfigService } from '../config/config.service';
import { VectorStore } from '../vector-store/vector-store';
import { indexDirectory } from './directory-indexer';
import { Indexer } from './indexer';

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
    const { docsDir } = this.configService.config;
    if (!docsDir || !existsSync(docsDir)) return;
    if ((await this.store.stats()).documents > 0) return;
    const report = await indexDirectory(
      this.indexer,
      docsDir,
      `${BUNDLED_DOCS_ORIGIN}${DOCS_ROUTE}`,
    );
    this.logger.log(`indexed ${report.indexed.length} pages from ${docsDir}`);
  }
}
