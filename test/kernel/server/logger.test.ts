import { Writable } from 'node:stream';
import { expect } from 'chai';
import { processLogger } from '../../../src/kernel/host.js';

/** A destination that keeps what is written, as a terminal (isTTY) or a pipe. */
const output = (isTTY: boolean) => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return Object.assign(stream, { isTTY, lines });
};

describe('the process logger', () => {
  const write = (format: 'json' | 'pretty' | undefined, isTTY: boolean) => {
    const out = output(isTTY);
    processLogger('info', format, out).info({ port: 3000 }, 'seams listening on http://localhost:3000');
    return out.lines;
  };

  it('on a terminal, or with LOG_FORMAT=pretty: readable lines (time, level, message, then the fields)', () => {
    for (const colored of [write(undefined, true), write('pretty', false)]) {
      const lines = colored.map((line) => line.replace(/\u001b\[\d+m/g, ''));
      expect(lines[0]).to.match(/^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: seams listening on http:\/\/localhost:3000/);
      expect(lines.join('\n')).to.match(/port: 3000/);
      expect(() => JSON.parse(lines[0]!)).to.throw();
    }
  });

  it('in a pipe, or with LOG_FORMAT=json: one JSON object per line', () => {
    for (const lines of [write(undefined, false), write('json', true)]) {
      expect(lines).to.have.length(1);
      expect(JSON.parse(lines[0]!)).to.include({ level: 30, port: 3000, msg: 'seams listening on http://localhost:3000' });
    }
  });
});
