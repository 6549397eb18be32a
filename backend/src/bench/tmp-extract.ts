import { extractHtml } from '../ingest/crawler/html-extractor';
import { loadEvalSite } from './eval-sets';
const site = loadEvalSite(process.argv[2]!);
for (const path of process.argv.slice(3)) {
  const page = extractHtml(site.pages.get(path)!, 'http://x.test' + path, { robotsTags: [], agent: 'LoreChat' });
  console.log('=====', path, '|', page.title, '|', page.language, '\n' + page.markdown);
}
