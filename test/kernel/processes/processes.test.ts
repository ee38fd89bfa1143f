import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Held, Hold, Released, TripBooked, TripCancelled, ledgerFaults, processModules } from '../../support/processFixtures.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

type App = Awaited<ReturnType<typeof startModules>>;

const start = (dir: string, maxAttempts = 4) =>
  startModules(dir, { modules: processModules, processes: { pollMs: 10, backoffMs: 5, maxBackoffMs: 20, maxAttempts } });

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('process managers', function () {
  this.timeout(30_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let app: App | undefined;
  beforeEach(async () => {
    dir = await tempDir('seams-proc-');
    Object.assign(ledgerFaults, { transientFailures: 0, refuse: false, holdCalls: 0, releaseCalls: 0, crashOnRelease: 0 });
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await dir.cleanup();
  });

  const book = (a: App, tripId: string, legs: number[], expireInMs?: number) =>
    a.runtime.context('trips').events.append(`trips.trip-${tripId}`, [{ type: TripBooked.type, data: { tripId, legs, ...(expireInMs !== undefined ? { expireInMs } : {}) } }]);
  const instance = (a: App, tripId: string) => a.runtime.processInstance('trip', tripId);
  const ledgerEvents = async (a: App) => (await a.store.readAll({ filter: { streamPrefixes: ['ledger.'] } })).map((e) => `${e.type.split('.')[1]} ${(e.data as { holdId: string }).holdId.split('/')[1]}`);

  it('an event starts an instance that advances step by step through other modules’ commands and events', async () => {
    app = await start(dir.path);
    const tripId = randomUUID();
    await book(app, tripId, [10, 20, 30]);
    const done = await until(() => instance(app!, tripId), (i) => i?.step === 'booked');
    expect(done).to.deep.include({ type: 'trip', module: 'trips', status: 'running', attempts: 0, nextWakeAt: null });
    expect(await ledgerEvents(app)).to.deep.equal(['Held leg-0', 'Held leg-1', 'Held leg-2']);
    const detail = (await instance(app, tripId))!;
    expect(detail.completedSteps.map((s) => (s as { step: string }).step)).to.deep.equal(['leg 0', 'leg 1', 'leg 2']);
    expect(detail.commands.every((c) => c.status === 'done')).to.equal(true);
    const listed = await app.runtime.processInstances({ type: 'trip', status: 'running' });
    expect(listed.map((i) => i.id)).to.deep.equal([tripId]);
  });

  it('compensation undoes the remembered steps in reverse order, one at a time', async () => {
    app = await start(dir.path);
    const tripId = randomUUID();
    await book(app, tripId, [10, 20, 30]);
    await until(() => instance(app!, tripId), (i) => i?.step === 'booked');
    await app.runtime.context('trips').events.append(`trips.trip-${tripId}`, [{ type: TripCancelled.type, data: { tripId } }]);
    const ended = await until(() => instance(app!, tripId), (i) => i?.status === 'compensated');
    expect(ended!.step).to.equal('compensated');
    expect(await ledgerEvents(app)).to.deep.equal(['Held leg-0', 'Held leg-1', 'Held leg-2', 'Released leg-2', 'Released leg-1', 'Released leg-0']);
  });

  it('a refusal in the middle compensates only what was done', async () => {
    app = await start(dir.path);
    const tripId = randomUUID();
    await book(app, tripId, [10, 500, 30]); // the ledger refuses amounts over 100
    await until(() => instance(app!, tripId), (i) => i?.status === 'compensated');
    expect(await ledgerEvents(app)).to.deep.equal(['Held leg-0', 'HoldRefused leg-1', 'Released leg-0']);
  });

  it('a crash in the middle of compensation resumes and finishes it after a restart', async () => {
    // Retried until the restart, however long the machine takes to get there.
    app = await start(dir.path, 1_000_000);
    const tripId = randomUUID();
    await book(app, tripId, [10, 20, 30]);
    await until(() => instance(app!, tripId), (i) => i?.step === 'booked');
    // The second release fails, again and again, until the restart (like a process dying mid-compensation).
    ledgerFaults.crashOnRelease = 2;
    await app.runtime.context('trips').events.append(`trips.trip-${tripId}`, [{ type: TripCancelled.type, data: { tripId } }]);
    await until(() => instance(app!, tripId), (i) => (i?.attempts ?? 0) >= 1 && i?.status === 'compensating');
    await app.stop();
    ledgerFaults.crashOnRelease = 0;
    app = await start(dir.path);
    await until(() => instance(app!, tripId), (i) => i?.status === 'compensated');
    expect(await ledgerEvents(app)).to.deep.equal(['Held leg-0', 'Held leg-1', 'Held leg-2', 'Released leg-2', 'Released leg-1', 'Released leg-0']);
  });

  it('retries a transient failure with backoff; a refusal is not retried and the process hears of it', async () => {
    app = await start(dir.path);
    ledgerFaults.transientFailures = 2;
    const retried = randomUUID();
    await book(app, retried, [10]);
    await until(() => instance(app!, retried), (i) => i?.step === 'booked');
    expect(ledgerFaults.holdCalls).to.equal(3);

    ledgerFaults.refuse = true;
    const refused = randomUUID();
    await book(app, refused, [10]);
    const ended = await until(() => instance(app!, refused), (i) => i?.status === 'compensated');
    expect(ledgerFaults.holdCalls).to.equal(4); // once, not retried
    const detail = (await instance(app, refused))!;
    expect(detail.commands[0]).to.deep.include({ type: Hold.type, status: 'failed', attempts: 1, lastError: 'ledger refuses this hold' });
    expect(ended!.status).to.equal('compensated');
  });

  it('a command that keeps failing is given up after its attempts, visibly', async () => {
    app = await start(dir.path);
    ledgerFaults.transientFailures = 100;
    const tripId = randomUUID();
    await book(app, tripId, [10]);
    await until(() => instance(app!, tripId), (i) => i?.status === 'compensated');
    const detail = (await instance(app, tripId))!;
    expect(detail.commands[0]).to.deep.include({ status: 'failed', attempts: 4, lastError: 'ledger is briefly unavailable' });
    expect(detail.step).to.equal('compensated');
  });

  it('a timer due while the server was down fires after the restart', async () => {
    app = await start(dir.path);
    const tripId = randomUUID();
    await book(app, tripId, [], 300);
    const waiting = await until(() => instance(app!, tripId), (i) => i !== undefined);
    expect(waiting!.nextWakeAt).to.not.equal(null);
    await app.stop();
    app = undefined;
    await new Promise((r) => setTimeout(r, 400)); // the timer falls due while nothing runs
    app = await start(dir.path);
    const fired = await until(() => instance(app!, tripId), (i) => i?.status === 'failed');
    expect(fired!.step).to.equal('timer expire fired');
    expect(fired!.nextWakeAt).to.equal(null);
  });

  it('duplicate delivery of every event and command changes nothing', async () => {
    app = await start(dir.path);
    const tripId = randomUUID();
    await book(app, tripId, [10, 20]);
    await until(() => instance(app!, tripId), (i) => i?.step === 'booked');
    const before = await instance(app, tripId);
    const headBefore = await app.store.headPosition();
    // Replays: the process sees all its events again (checkpoint back to 0) ...
    await app.stop();
    const { openModuleDatabase } = await import('../../../src/kernel/host.js');
    const db = await openModuleDatabase('trips', { kind: 'sqlite', dataDir: dir.path });
    await db('projections').where({ name: 'trip' }).update({ position: 0 });
    await db.destroy();
    app = await start(dir.path);
    // ... and each command is sent again with its original id.
    const detail = (await instance(app, tripId))!;
    for (const c of detail.commands) await app.runtime.dispatch(c.type, { holdId: `${tripId}/leg-0`, amount: 10 }, { commandId: c.commandId });
    await app.runtime.context('trips').waitFor(await app.store.headPosition(), 5000);
    expect(await app.store.headPosition()).to.equal(headBefore);
    const after = (await instance(app, tripId))!;
    expect({ ...after, updatedAt: '' }).to.deep.equal({ ...before!, updatedAt: '' });
    expect((await app.store.readAll({ filter: { eventTypes: [Held.type] } })).length).to.equal(2);
    expect((await app.store.readAll({ filter: { eventTypes: [Released.type] } })).length).to.equal(0);
  });

  it('send: a command sent twice with one id, or resent after a crash, acts once', async () => {
    app = await start(dir.path);
    const trips = app.runtime.context('trips');
    const commandId = randomUUID();
    await trips.send(Hold, { holdId: 'x/leg-0', amount: 5 }, { commandId });
    await trips.send(Hold, { holdId: 'x/leg-0', amount: 5 }, { commandId });
    // A crash after the append but before the bookkeeping: forget the id, then resend.
    await app.runtime.handledCommandsWritten();
    await app.runtime.context('ledger').db('handled_commands').where({ command_id: commandId }).delete();
    await trips.send(Hold, { holdId: 'x/leg-0', amount: 5 }, { commandId });
    expect(await app.store.readStream('ledger.hold-x/leg-0')).to.have.length(1);
    expect(ledgerFaults.holdCalls).to.equal(2); // the second send did not even reach the handler
  });
});
