import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { SeenPositions } from '../../../src/kernel/cluster/seenPositions.js';

describe("the gateway's memory of positions written in each store", () => {
  const stamped = (seen: SeenPositions, sent: Record<string, string> = {}) => {
    const headers: Record<string, string> = { ...sent };
    seen.stamp({ headers: sent } as unknown as IncomingMessage, (name, value) => (headers[name] = value), (name) => delete headers[name]);
    return headers;
  };

  it('remembers the newest Event-Position of each store and hands them all to every request', () => {
    const seen = new SeenPositions();
    expect(stamped(seen)).to.deep.equal({});
    for (const position of ['main:4', 'catalog:2', 'main:9', 'main:7', '15', 'garbage', 'main:x']) seen.record({ 'event-position': position });
    expect(stamped(seen)).to.deep.equal({ 'seams-seen-positions': 'main:9,catalog:2' });
  });

  it("replaces what a client sent in the gateway's own header; bare integers (one shared store) are never recorded", () => {
    const seen = new SeenPositions();
    seen.record({ 'event-position': '42' });
    expect(stamped(seen, { 'seams-seen-positions': 'main:999999' })).to.deep.equal({});
    seen.record({ 'event-position': 'main:3' });
    expect(stamped(seen, { 'seams-seen-positions': 'main:999999', 'min-position': 'main:1' })).to.deep.equal({ 'seams-seen-positions': 'main:3', 'min-position': 'main:1' });
  });
});
