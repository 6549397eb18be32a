/** Questions the demo offers; the bundled docs answer them. */
const SUGGESTED_QUESTIONS = [
  'How do I deploy to production?',
  'How do I add the widget to my site?',
  'Which LLM providers can I use?',
];

/** The script tag on the demo page: the one-line snippet site owners paste, plus demo options. */
const DEMO_SNIPPET =
  '<script src="/widget.js" data-site-key="demo" data-open="true" ' +
  `data-suggested-questions="${SUGGESTED_QUESTIONS.join('|')}" async></script>`;

/** The page's one inline stylesheet; the Content-Security-Policy allows it by its hash. */
export const DEMO_PAGE_STYLE = `
  body { font: 16px/1.6 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1.25rem; color: #1b1b1f; }
  pre { background: #f0f1f4; padding: .75rem 1rem; border-radius: .5rem; overflow-x: auto; }
  a { color: #2746b0; }
`;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/**
 * The page at `/`: a stand-in for a site owner's page, with the widget added by its snippet, so a
 * fresh install shows exactly what visitors of a real site get.
 */
export function demoPage({ publicUrl, docsUrl }: { publicUrl: string; docsUrl?: string }): string {
  const snippet = `<script src="${publicUrl}/widget.js" data-site-key="YOUR_SITE_KEY" async></script>`;
  const docsLink = docsUrl
    ? `<p>Its options and JavaScript API are in <a href="${escapeHtml(docsUrl)}">Add the chat widget to your site</a>.</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LoreChat demo</title>
<style>${DEMO_PAGE_STYLE}</style>
</head>
<body>
<main>
<h1>LoreChat</h1>
<p>This page stands in for your website. The chat in the corner is the LoreChat widget: ask it a
question about the indexed pages, for example <em>How do I deploy to production?</em>, and it answers
from them, citing its sources.</p>
<p>It is added to the page by one script tag, the same one you paste into your own site:</p>
<pre><code>${escapeHtml(snippet)}</code></pre>
${docsLink}
</main>
${DEMO_SNIPPET}
</body>
</html>
`;
}
