import { main } from './cli';

/** Runs the command and captures what it wrote; usage errors never reach config or the index. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('lorechat command line', () => {
  it.each([
    [['ingest', '--bogus'], /Unknown option '--bogus'/],
    [['ingest', '--site'], /--site.*argument missing/],
    [['ingest', '--site', 'ftp://example.com/'], /--site must be an http\(s\) URL, got "ftp:/],
    [
      ['ingest', '--site', 'https://example.com/', '--max-pages', 'ten'],
      /--max-pages must be a whole number, got "ten"/,
    ],
    [
      ['ingest', '--site', 'https://example.com/', '--delay-ms=-5'],
      /--delay-ms must be a whole number/,
    ],
    [
      ['ingest', '--site', 'https://example.com/', '--concurrency', '1.5'],
      /--concurrency must be a whole number/,
    ],
    [
      ['ingest', '--site', 'https://example.com/', '--render', 'html'],
      /--render takes only "js", not "html"/,
    ],
    [['ingest'], /give at least one --site URL, --sitemap URL or --dir PATH/],
  ])('exits 1 for %j with a clear message and the usage', async (argv, message) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^lorechat: /);
    expect(stderr).toContain('Usage: lorechat ingest');
  });

  it('exits 1 for an unknown command, printing the usage', async () => {
    const { code, stdout } = await run('crawl');
    expect(code).toBe(1);
    expect(stdout).toContain('Usage: lorechat ingest');
  });

  it('prints the usage and exits 0 for --help', async () => {
    for (const argv of [['--help'], ['ingest', '--help']]) {
      const { code, stdout, stderr } = await run(...argv);
      expect(code).toBe(0);
      expect(stdout).toContain('--allow-private-network');
      expect(stderr).toBe('');
    }
  });
});
