import { Agent, request } from 'node:http';

export interface PooledReply {
  status: number;
  body: string;
}

/**
 * HTTP requests over a fixed number of keep-alive connections (node:http's Agent, `maxSockets`):
 * what the open-loop phases send through. fetch opens a connection for every request that finds
 * none idle, so one slow second at 1,000 req/s opened hundreds, and the server's time went to
 * accepting them: bench:http's paced writes had a p99 of 218–3,854 ms through fetch against
 * 93–140 ms over 64 connections (same server, same sitting, alternating). A request that finds
 * every connection busy waits in the agent's queue, and that wait counts, since latency runs from
 * the scheduled time (as wrk2 keeps its connections fixed and counts from the schedule).
 */
export class ConnectionPool {
  private readonly agent: Agent;

  constructor(
    private readonly base: string,
    connections: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  request(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<PooledReply> {
    const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
    return new Promise((resolve, reject) => {
      const req = request(`${this.base}${path}`, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(init.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
