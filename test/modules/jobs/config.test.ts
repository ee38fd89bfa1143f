import { expect } from 'chai';
import { ValidationError, parseModuleConfig } from '../../../src/kernel/host.js';
import { jobsConfig } from '../../../src/modules/jobs/config.js';
import { jobs } from '../../../src/modules/jobs/index.js';

const settings = (env: Record<string, string>) => jobsConfig.of({ settings: parseModuleConfig(jobs, env) });

describe('jobs settings: JOBS_POOL_SIZE', () => {
  it('takes decimal digits only, within its range (default 100)', () => {
    expect(settings({}).JOBS_POOL_SIZE).to.equal(100);
    expect(settings({ JOBS_POOL_SIZE: '7' }).JOBS_POOL_SIZE).to.equal(7);
    for (const bad of ['1e3', '0']) expect(() => settings({ JOBS_POOL_SIZE: bad }), bad).to.throw(ValidationError, /JOBS_POOL_SIZE/);
  });
});
