/**
 * The cluster under test: three members and a gateway as child processes on one store (as
 * test/e2e/cluster.test.ts starts them), each module run by two of the three members so that
 * every module survives the loss of one and a leader can be deposed. Processes are found by pid,
 * killed and started again on the same port.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Coordination } from '../../src/kernel/cluster/coordination.js';
import { loadConfig } from '../../src/kernel/host.js';
import { freePort, startServerProcess, type ServerProcess } from '../../test/support/serverProcess.js';

export interface ClusterOptions {
  dataDir: string;
  /** The store's settings (SEAMS_STORE, DATABASE_URL, …). */
  storeEnv: Record<string, string>;
  modules: readonly string[];
  leaseTtlMs: number;
  /** Where each process's output is kept, a file per process (m0.log, …, gateway.log), across restarts. */
  logDir: string;
  /** The processes' LOG_LEVEL (warn unless asked: info logs every request). */
  logLevel: string;
  log(line: string): void;
}

export const MEMBERS = 3;

/** Member i runs every module whose index is not i modulo 3: each module on two members. */
export const modulesOf = (modules: readonly string[], member: number) => modules.filter((_, i) => i % MEMBERS !== member);

export class Cluster {
  readonly env: Record<string, string>;
  readonly members: (ServerProcess | undefined)[] = [];
  gateway?: ServerProcess;
  private readonly ports: number[] = [];
  private gatewayPort = 0;
  private coordination?: Coordination;
  private stopping = false;
  /** Processes that exited on their own (not killed by a fault), each started again like a supervisor would: when, who, how. */
  readonly unplannedExits: string[] = [];

  constructor(private readonly options: ClusterOptions) {
    this.env = {
      ...options.storeEnv,
      SEAMS_TOKEN_SECRET: randomBytes(32).toString('hex'),
      SEAMS_ADMIN_TOKEN: randomBytes(24).toString('hex'),
      SEAMS_LEASE_TTL_MS: String(options.leaseTtlMs),
    };
  }

  get adminToken(): string {
    return this.env.SEAMS_ADMIN_TOKEN!;
  }

  get base(): string {
    return `http://127.0.0.1:${this.gatewayPort}`;
  }

  async start(): Promise<void> {
    for (let i = 0; i < MEMBERS; i++) this.ports.push(await freePort());
    this.gatewayPort = await freePort();
    await Promise.all(this.ports.map((_, i) => this.startMember(i)));
    await this.startGateway();
  }

  /** Starts member i on its port, again and again until it answers (the store may be down for a while). */
  async startMember(i: number): Promise<void> {
    const member = await this.persist(`member m${i}`, () =>
      startServerProcess({
        dataDir: this.options.dataDir,
        port: this.ports[i],
        env: { ...this.env, SEAMS_PROCESS_ID: `m${i}`, SEAMS_MODULES: modulesOf(this.options.modules, i).join(',') },
        startTimeoutMs: 90_000,
        ...this.logging(`m${i}`),
      }),
    );
    this.members[i] = member;
    this.supervise(`m${i}`, member, () => this.members[i] === member, () => this.startMember(i));
  }

  async startGateway(): Promise<void> {
    const gateway = await this.persist('the gateway', () =>
      startServerProcess({ dataDir: this.options.dataDir, port: this.gatewayPort, env: this.env, command: ['src/cli.ts', 'serve', '--gateway'], startTimeoutMs: 90_000, ...this.logging('gateway') }),
    );
    this.gateway = gateway;
    this.supervise('gateway', gateway, () => this.gateway === gateway, () => this.startGateway());
  }

  private logging(name: string): { logFile: string; logLevel: string } {
    const logFile = join(this.options.logDir, `${name}.log`);
    appendFileSync(logFile, `--- chaos: ${name} starting at ${new Date().toISOString()}\n`);
    return { logFile, logLevel: this.options.logLevel };
  }

  /** A process that exits while still wanted (no fault stopped it) is recorded and started again after a second. */
  private supervise(name: string, process: ServerProcess, wanted: () => boolean, restart: () => Promise<void>): void {
    void process.exited.then(async (exit) => {
      if (this.stopping || !wanted()) return;
      const last = process.output().trim().split('\n').at(-1)?.slice(0, 200) ?? '';
      this.unplannedExits.push(`${new Date().toISOString()} ${name} exited by itself (${exit.signal ?? `code ${exit.code}`}): ${last}`);
      this.options.log(`chaos: ${name} exited by itself (${exit.signal ?? `code ${exit.code}`}); starting it again`);
      await new Promise((r) => setTimeout(r, 1000));
      if (!this.stopping && wanted()) await restart().catch((error) => this.options.log(`chaos: ${name} would not start again: ${String(error).split('\n')[0]}`));
    });
  }

  private async persist(what: string, start: () => Promise<ServerProcess>): Promise<ServerProcess> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopping) throw new Error(`${what}: the cluster is stopping`);
      try {
        const started = await start();
        // Stopped meanwhile (a supervisor's restart racing the end of the run): this one is not wanted.
        if (this.stopping) await started.stop('SIGKILL');
        return started;
      } catch (error) {
        if (attempt >= 20) throw error;
        this.options.log(`${what} did not start (attempt ${attempt}): ${String(error).split('\n').slice(0, 2).join(' ')}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Stops member i with `signal` (SIGKILL: a crash) and waits for it to be gone. */
  async stopMember(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const member = this.members[i];
    this.members[i] = undefined;
    if (!member) return;
    // A stopped (SIGSTOP) process must be continued to hear anything but SIGKILL.
    if (signal !== 'SIGKILL') member.child.kill('SIGCONT');
    await member.stop(signal);
  }

  async restartMember(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.stopMember(i, signal);
    await this.startMember(i);
  }

  async restartGateway(): Promise<void> {
    const gateway = this.gateway;
    this.gateway = undefined;
    await gateway?.stop('SIGKILL');
    await this.startGateway();
  }

  /** Heals: starts what no fault is about to start, and waits until every process runs (the supervisor restarts the rest). */
  async heal(timeoutMs = 120_000): Promise<void> {
    const alive = (p?: ServerProcess) => p !== undefined && p.child.exitCode === null && p.child.signalCode === null;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = 0; i < MEMBERS; i++) if (!this.members[i]) await this.startMember(i);
      if (!this.gateway) await this.startGateway();
      if (this.members.every(alive) && alive(this.gateway)) return;
      if (Date.now() > deadline) throw new Error(`the cluster did not heal within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  pid(i: number): number | undefined {
    return this.members[i]?.child.pid;
  }

  /** The member leading `module` now (its lease holder), if any. */
  async leaderOf(module: string): Promise<number | undefined> {
    this.coordination ??= await Coordination.open(loadConfig({ ...this.env, SEAMS_DATA_DIR: this.options.dataDir }));
    const holder = await this.coordination.holder(module);
    const match = holder?.match(/^m(\d+)$/);
    return match ? Number(match[1]) : undefined;
  }

  /** Every process, ended in the order that lets them finish their work: gateway first, then members. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.stopping = true;
    await this.gateway?.stop(signal);
    for (const member of this.members) member?.child.kill('SIGCONT');
    await Promise.all(this.members.map((m) => m?.stop(signal)));
    this.members.fill(undefined);
    await this.coordination?.close();
    this.coordination = undefined;
  }

  /** What each process wrote lately (for a report on a process that would not start or stop). */
  outputs(): string {
    return [this.gateway, ...this.members].map((p, i) => `--- ${i === 0 ? 'gateway' : `m${i - 1}`}\n${p?.output().slice(-4000) ?? '(not running)'}`).join('\n');
  }
}
