import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

/**
 * The configuration reads every provider's descriptor at start-up; the providers' code and their
 * SDKs must still load only when picked (they took half of the server's start-up CPU). Checked in
 * a plain Node process, whose module cache lists what was loaded.
 */
describe('provider descriptors', () => {
  it('load no provider implementation or SDK with the configuration', () => {
    const script = `
      const { loadConfig } = require('./backend/src/config/app-config');
      loadConfig({});
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const loaded = JSON.parse(
      execFileSync(
        process.execPath,
        ['--require', './scripts/register-typescript.js', '--eval', script],
        { cwd: REPOSITORY_ROOT, encoding: 'utf8' },
      ),
    ) as string[];

    expect(loaded).toContain(
      join(REPOSITORY_ROOT, 'backend/src/llm/providers/openai.descriptor.ts'),
    );
    expect(loaded).toContain(
      join(REPOSITORY_ROOT, 'backend/src/retrieval/rerank/cohere.descriptor.ts'),
    );
    expect(
      loaded.filter((file) =>
        /\.provider\.ts$|\.embeddings\.ts$|\.reranker\.ts$|node_modules\/(openai|@anthropic-ai|@aws-sdk)\//.test(
          file,
        ),
      ),
    ).toEqual([]);
  });
});
