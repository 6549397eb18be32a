/**
 * The page at `/`: a plain chat over the chat protocol, so a fresh install can be tried in a
 * browser. It renders every answer as text (never as HTML) and links only http(s) sources.
 */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LoreChat demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1f; }
  #log { display: flex; flex-direction: column; gap: .75rem; margin: 1rem 0; }
  .turn { padding: .75rem 1rem; border-radius: .75rem; white-space: pre-wrap; }
  .question { background: #e8eefc; align-self: flex-end; }
  .answer { background: #f3f3f5; }
  .error { background: #fdecea; color: #8a1c12; }
  .sources { font-size: .875rem; margin: .5rem 0 0; padding-left: 1.25rem; white-space: normal; }
  form { display: flex; gap: .5rem; }
  textarea { flex: 1; font: inherit; padding: .5rem; border-radius: .5rem; border: 1px solid #8b8b93; }
  button { font: inherit; padding: .5rem 1rem; border-radius: .5rem; border: 0; background: #2746b0; color: #fff; cursor: pointer; }
  button[hidden] { display: none; }
</style>
</head>
<body>
<h1>LoreChat</h1>
<p>Ask a question about the indexed pages, for example: <em>How do I deploy to production?</em></p>
<div id="log" aria-live="polite"></div>
<form id="ask">
  <label for="text" hidden>Your question</label>
  <textarea id="text" rows="2" required placeholder="Ask a question"></textarea>
  <button type="submit" id="send">Send</button>
  <button type="button" id="stop" hidden>Stop</button>
</form>
<script src="/socket.io/socket.io.min.js"></script>
<script>
  const socket = io();
  const log = document.getElementById('log');
  const form = document.getElementById('ask');
  const input = document.getElementById('text');
  const stop = document.getElementById('stop');
  const answers = new Map();
  let conversationId = sessionStorage.getItem('lorechat-conversation') || undefined;
  let streaming;

  function bubble(kind, text) {
    const element = document.createElement('div');
    element.className = 'turn ' + kind;
    element.textContent = text;
    log.append(element);
    element.scrollIntoView({ block: 'end' });
    return element;
  }
  function finish() { streaming = undefined; stop.hidden = true; }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || streaming) return;
    input.value = '';
    bubble('question', text);
    socket.emit('ask', { conversationId, text }, (response) => {
      if (!response.ok) {
        if (response.error.code === 'conversation_not_found') sessionStorage.removeItem('lorechat-conversation');
        conversationId = undefined;
        return;
      }
      conversationId = response.conversationId;
      sessionStorage.setItem('lorechat-conversation', conversationId);
      streaming = response.messageId;
      answers.set(streaming, bubble('answer', ''));
      stop.hidden = false;
    });
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  stop.addEventListener('click', () => { if (streaming) socket.emit('cancel', { messageId: streaming }); });

  socket.on('token', ({ messageId, text }) => { const el = answers.get(messageId); if (el) el.textContent += text; });
  socket.on('sources', ({ messageId, sources }) => {
    const el = answers.get(messageId);
    if (!el || sources.length === 0) return;
    const list = document.createElement('ol');
    list.className = 'sources';
    for (const source of sources) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.textContent = source.title;
      if (/^https?:/.test(source.url)) { link.href = source.url; link.rel = 'noopener noreferrer'; link.target = '_blank'; }
      item.append(link);
      list.append(item);
    }
    el.append(list);
  });
  socket.on('done', ({ messageId }) => { if (messageId === streaming) finish(); });
  socket.on('error', ({ messageId, message }) => {
    bubble('error', message);
    if (!messageId || messageId === streaming) finish();
  });
</script>
</body>
</html>
`;
