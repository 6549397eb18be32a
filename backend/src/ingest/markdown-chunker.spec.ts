import { chunkId, chunkMarkdown, markdownTitle, slugify } from './markdown-chunker';

const page = { url: 'http://localhost:3000/docs/deployment.md' };

describe('chunkMarkdown', () => {
  const markdown = [
    '# Deployment',
    '',
    'Intro paragraph.',
    '',
    '## Deploy to production',
    '',
    'Preview first, then apply:',
    '',
    '```bash',
    '# not a heading',
    'pulumi up -s prod',
    '```',
    '',
    '### Roll back',
    '',
    'Re-deploy the previous image.',
  ].join('\n');

  it('cuts one chunk per section, with its heading path and section anchor', () => {
    const chunks = chunkMarkdown(markdown, page.url);
    expect(chunks.map((chunk) => [chunk.headingPath, chunk.url])).toEqual([
      [['Deployment'], `${page.url}#deployment`],
      [['Deployment', 'Deploy to production'], `${page.url}#deploy-to-production`],
      [['Deployment', 'Deploy to production', 'Roll back'], `${page.url}#roll-back`],
    ]);
    expect(chunks[1]?.text).toContain('# not a heading\npulumi up -s prod');
  });

  it('gives chunks ids that depend only on the page and the position', () => {
    expect(chunkId(page.url, 1)).toBe(chunkId(page.url, 1));
    expect(chunkId(page.url, 1)).not.toBe(chunkId(page.url, 2));
    expect(chunkId(page.url, 1)).not.toBe(chunkId(`${page.url}x`, 1));
  });

  it('splits long sections between blocks', () => {
    const long = ['## Big', 'a'.repeat(80), 'b'.repeat(80), 'c'.repeat(80)].join('\n\n');
    const chunks = chunkMarkdown(long, page.url, { maxChars: 170 });
    expect(chunks.map((chunk) => chunk.text.length)).toEqual([162, 80]);
    expect(chunks.every((chunk) => chunk.url.endsWith('#big'))).toBe(true);
  });
});

describe('markdown helpers', () => {
  it('reads the title and makes GitHub-style anchors', () => {
    expect(markdownTitle('intro\n# Quick start\n## x')).toBe('Quick start');
    expect(slugify('Deploy to production (AWS)!')).toBe('deploy-to-production-aws');
  });
});
