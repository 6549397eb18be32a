/** One JSON log line as the application writes it. */
export type LogLine = Record<string, unknown> & { level: string; time: string; msg?: string };

/** A pino destination that keeps what the application logs, for tests to read. */
export class LogCapture {
  readonly raw: string[] = [];

  write(chunk: string): void {
    this.raw.push(chunk);
  }

  /** Every line so far, parsed: a line that is not JSON fails the test here. */
  lines(): LogLine[] {
    return this.raw
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  }

  /**
   * The first line that matches, waiting for it: the server may log after the client has what it
   * awaited (a request once its response is sent, an answer once it is stored).
   */
  async lineWhere(matches: (line: LogLine) => boolean): Promise<LogLine> {
    const deadline = Date.now() + 2000;
    for (;;) {
      const line = this.lines().find(matches);
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no such log line in:\n${this.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** All of it as written, to search for what must never be logged. */
  text(): string {
    return this.raw.join('');
  }
}
