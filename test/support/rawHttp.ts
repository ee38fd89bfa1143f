import { connect } from 'node:net';
import { expect } from 'chai';

/** Sends `request` as raw bytes (what fetch would refuse to send) and resolves with what came back before the server closed. */
export function rawRequest(port: number, request: string): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket
      .setEncoding('utf8')
      .on('data', (chunk) => (answer += chunk))
      .on('end', () => {
        const at = answer.indexOf('\r\n\r\n');
        resolve({ head: answer.slice(0, at), body: answer.slice(at + 4) });
      })
      .on('error', reject);
  });
}

/** The requests node's HTTP parser refuses, and the status each must get. */
export const UNPARSABLE_REQUESTS: readonly (readonly [request: string, status: number])[] = [
  [`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ['GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n', 400],
  ['NOT A REQUEST\r\n\r\n', 400],
];

/** Each answered problem+json with its status, not node's bare status line. */
export async function expectParserProblems(port: number): Promise<void> {
  for (const [request, status] of UNPARSABLE_REQUESTS) {
    const { head, body } = await rawRequest(port, request);
    expect(head).to.match(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head.toLowerCase()).to.include('content-type: application/problem+json');
    const problem = JSON.parse(body) as { status: number; type: string };
    expect(problem.status).to.equal(status);
    expect(problem.type).to.match(/^https:\/\/seams\.dev\/problems\//);
  }
}
