/**
 * What the server loads at start-up on its embedded defaults: the drivers and SDKs of parts the
 * configuration does not pick (PostgreSQL, Redis and its Socket.IO adapter, the AWS SDK, the model
 * providers' SDKs, nodemailer) must load only when picked; each cost start-up CPU for nothing
 * (`npm run bench:startup`). Checked in a plain Node process, whose module cache lists what the
 * application module's imports loaded.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const REPOSITORY_ROOT = join(__dirname, '..', '..');
const UNPICKED =
  /node_modules\/(pg|ioredis|@socket\.io\/redis-streams-adapter|@aws-sdk\/[^/]+|@smithy\/[^/]+|openai|@anthropic-ai\/[^/]+|nodemailer)\//;

describe('start-up on embedded defaults', () => {
  it('loads no driver or SDK of a part the configuration does not pick', () => {
    const script = `
      require('./backend/src/app.module');
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const loaded = JSON.parse(
      execFileSync(
        process.execPath,
        ['--require', './scripts/register-typescript.js', '--eval', script],
        { cwd: REPOSITORY_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      ),
    ) as string[];

    // The application module was loaded whole: its features are all there.
    expect(loaded).toEqual(
      expect.arrayContaining(
        ['chat/chat.module.ts', 'handoff/handoff.module.ts', 'analytics/analytics.module.ts'].map(
          (file) => join(REPOSITORY_ROOT, 'backend/src', file),
        ),
      ),
    );
    const packages = [...new Set(loaded.map((file) => UNPICKED.exec(file)?.[1]).filter(Boolean))];
    expect(packages).toEqual([]);
  }, 60_000);
});
