import { Worker } from 'node:worker_threads';

/*
 * PDF text is extracted by pdf-parse (Mozilla's pdf.js) in a worker thread: a hostile or huge PDF
 * can keep pdf.js busy for a long time, and a thread can be terminated on a deadline while the
 * crawl goes on. The worker is plain JavaScript that loads pdf-parse by its resolved path, so it
 * runs the same under the compiled CLI and under the test runner.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PDFParse } = require(workerData.module);
const parser = new PDFParse({ data: workerData.data });
parser
  .getText()
  .then((result) => parentPort.postMessage({ text: result.text }))
  .catch((error) => parentPort.postMessage({ error: String(error && error.message ? error.message : error) }))
  .finally(() => parser.destroy());
`;

export async function pdfText(body: Buffer, timeoutMs: number): Promise<string> {
  const data = new Uint8Array(body);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: require.resolve('pdf-parse'), data },
    transferList: [data.buffer],
  });
  try {
    return await new Promise<string>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`no text within ${timeoutMs} ms`)),
        timeoutMs,
      );
      worker.once('message', (message: { text?: string; error?: string }) => {
        clearTimeout(deadline);
        if (message.error !== undefined) reject(new Error(message.error));
        else resolve(message.text ?? '');
      });
      worker.once('error', (error) => {
        clearTimeout(deadline);
        reject(error);
      });
    });
  } finally {
    await worker.terminate();
  }
}
