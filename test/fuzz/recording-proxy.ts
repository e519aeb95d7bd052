import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { comparePositions, type EventStore, type Position } from '../../eventstore/port';

/** One request the fuzzer made, with the log's head just before it was forwarded and just after its answer. */
export interface Exchange {
  seq: number;
  who: string;
  method: string;
  url: string;
  requestBody: string;
  status: number;
  contentType: string | undefined;
  responseBody: string;
  headBefore: Position;
  headAfter: Position;
}

/**
 * A proxy between the fuzzer and the API that forwards one request at a time and notes the event log's
 * head around each. Serialised, a request's window (headBefore, headAfter] holds every event appended
 * while it was being answered; an event that lies in no window of an accepted request was written by a
 * refused one, or behind the back of the request that caused it — either way a write nobody was told of.
 */
export class RecordingProxy {
  readonly exchanges: Exchange[] = [];
  private server: Server | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Whose token the current fuzz run carries, noted with each exchange. */
  who = '';

  constructor(
    private readonly upstream: string,
    private readonly store: EventStore,
  ) {}

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const turn = this.queue.then(() => this.forward(req.method ?? 'GET', req.url ?? '/', req.headers, body));
        this.queue = turn.then(
          () => undefined,
          () => undefined,
        );
        turn.then(
          (answer) => {
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          },
          (err: unknown) => {
            res.writeHead(599, { 'content-type': 'text/plain' });
            res.end(`proxy: ${(err as Error).message}`);
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async forward(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer) {
    const headBefore = await this.store.headPosition();
    const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const target = new URL(url, this.upstream);
      const outgoing = httpRequest(target, { method, headers: { ...headers, host: target.host } }, (response) => {
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts) }));
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
    const headAfter = await this.store.headPosition();
    const contentType = answer.headers['content-type'];
    this.exchanges.push({
      seq: this.exchanges.length,
      who: this.who,
      method,
      url,
      requestBody: body.toString('utf8'),
      status: answer.status,
      contentType,
      responseBody: answer.body.toString('utf8'),
      headBefore,
      headAfter,
    });
    return answer;
  }
}

/** The exchange in whose window the event at `position` was appended, if any. */
export function exchangeAt(exchanges: readonly Exchange[], position: Position): Exchange | undefined {
  return exchanges.find((x) => comparePositions(x.headBefore, position) < 0 && comparePositions(position, x.headAfter) <= 0);
}

/** The last exchange answered before `position` was appended. */
export function exchangeBefore(exchanges: readonly Exchange[], position: Position): Exchange | undefined {
  return exchanges.filter((x) => comparePositions(x.headAfter, position) < 0).at(-1);
}
