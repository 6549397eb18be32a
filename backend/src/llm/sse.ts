/** One server-sent event: its `event:` name when it has one, and its `data:` lines joined. */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * An incremental parser of the text/event-stream format (the WHATWG HTML "server-sent events"
 * rules that OpenAI-compatible servers follow): fed decoded text as it arrives, it returns the
 * events each piece completes. It is synchronous and allocates little, because it runs once for
 * every token of every answer being streamed.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;

  push(text: string): SseEvent[] {
    let buffer = this.buffer + text;
    // A CR may be the first half of a CRLF whose LF has not arrived: keep it for the next piece.
    let held = '';
    if (buffer.endsWith('\r')) {
      held = '\r';
      buffer = buffer.slice(0, -1);
    }
    if (buffer.includes('\r')) buffer = buffer.replace(/\r\n?/g, '\n');

    const events: SseEvent[] = [];
    let start = 0;
    for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n', start)) {
      const line = buffer.slice(start, end);
      start = end + 1;
      if (line === '') {
        this.dispatch(events);
      } else {
        this.field(line);
      }
    }
    this.buffer = buffer.slice(start) + held;
    return events;
  }

  private field(line: string): void {
    if (line.startsWith(':')) return; // a comment, often a keep-alive
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') this.data.push(value);
    else if (name === 'event') this.event = value;
  }

  private dispatch(events: SseEvent[]): void {
    if (this.data.length > 0) {
      const data = this.data.length === 1 ? this.data[0]! : this.data.join('\n');
      events.push(this.event === undefined ? { data } : { event: this.event, data });
    }
    this.data = [];
    this.event = undefined;
  }
}
