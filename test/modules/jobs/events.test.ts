import { expect } from 'chai';
import { EventRegistry } from '../../../src/kernel/host.js';
import { JobAccepted } from '../../../src/modules/jobs/events.js';

describe('jobs: events', () => {
  it('JobAccepted version 2 names its submitter; a version-1 job is read with submittedBy null (operators and jobs:read tokens only)', () => {
    const registry = new EventRegistry([JobAccepted]);
    const v1 = { jobId: 'd0000000-0000-4000-8000-000000000001', type: 'render', payload: { frames: 1 } };
    expect(registry.upcast(JobAccepted.type, 1, v1)).to.deep.equal({ data: { ...v1, submittedBy: null }, schemaVersion: 2 });
  });
});
