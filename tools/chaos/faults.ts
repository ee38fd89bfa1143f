/**
 * The faults themselves: what each planned fault does to the cluster, the database and the files.
 * Each one heals what it breaks before it returns (a killed process is started again, a paused one
 * continued, a stopped database started), so faults never pile up beyond the schedule's intent.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sqlite3 from 'sqlite3';
import { moduleDatabaseFile, moduleSchema } from '../../src/kernel/host.js';
import { PG_BIN, type OwnPostgres } from '../../test/support/ownPostgres.js';
import { runCli } from '../../test/support/serverProcess.js';
import { MEMBERS, modulesOf, type Cluster } from './cluster.js';
import type { PlannedFault } from './schedule.js';

export interface InjectedFault {
  atMs: number;
  kind: PlannedFault['kind'];
  /** What it hit, in words (`SIGKILL m1`, `SIGSTOP m0 (leader of orders) for 5000 ms`, …). */
  what: string;
  outcome: 'done' | 'skipped' | 'failed';
  detail?: string;
  tookMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FaultContext {
  cluster: Cluster;
  dataDir: string;
  modules: readonly string[];
  leaseTtlMs: number;
  /** The PostgreSQL instance of the campaign's own (undefined on SQLite). */
  postgres?: OwnPostgres;
  /** Where module database snapshots are kept for `restore`. */
  snapshotDir: string;
}

/** A consistent copy of a live SQLite database (`VACUUM INTO`), taken while members keep writing. */
function snapshotSqlite(source: string, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(source, sqlite3.OPEN_READWRITE, (error) => {
      if (error) return reject(error);
      db.configure('busyTimeout', 30_000);
      rmSync(target, { force: true });
      db.run('VACUUM INTO ?', [target], (runError) => db.close(() => (runError ? reject(runError) : resolve())));
    });
  });
}

const pgTool = (tool: string, args: string[]) => promisify(execFile)(join(PG_BIN, tool), args, { maxBuffer: 16 * 1024 * 1024 });

/** Snapshots of every module's database (a file's copy, or a schema's dump), for `restore` to put back later. */
export async function takeSnapshots(context: FaultContext): Promise<void> {
  mkdirSync(context.snapshotDir, { recursive: true });
  for (const module of context.modules) {
    if (context.postgres) await pgTool('pg_dump', ['-d', context.postgres.url, '-n', moduleSchema(module), '-Fc', '-f', join(context.snapshotDir, `${module}.dump`)]);
    else await snapshotSqlite(moduleDatabaseFile(context.dataDir, module), join(context.snapshotDir, `${module}.sqlite`));
  }
}

/** Puts a module's snapshot back in place of its database (its members are stopped). */
async function restoreSnapshot(context: FaultContext, module: string): Promise<void> {
  if (context.postgres) {
    const schema = moduleSchema(module);
    await pgTool('psql', ['-d', context.postgres.url, '-v', 'ON_ERROR_STOP=1', '-c', `DROP SCHEMA IF EXISTS "${schema}" CASCADE`]);
    await pgTool('pg_restore', ['-d', context.postgres.url, '--exit-on-error', join(context.snapshotDir, `${module}.dump`)]);
    return;
  }
  const file = moduleDatabaseFile(context.dataDir, module);
  for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
  copyFileSync(join(context.snapshotDir, `${module}.sqlite`), file);
}

const membersRunning = (context: FaultContext, module: string) => Array.from({ length: MEMBERS }, (_, i) => i).filter((i) => modulesOf(context.modules, i).includes(module));

async function inject(fault: PlannedFault, context: FaultContext): Promise<Pick<InjectedFault, 'what' | 'outcome' | 'detail'>> {
  const { cluster } = context;
  switch (fault.kind) {
    case 'kill':
      if (fault.gateway) {
        await cluster.restartGateway();
        return { what: 'SIGKILL the gateway, then start it', outcome: 'done' };
      }
      await cluster.restartMember(fault.member, 'SIGKILL');
      return { what: `SIGKILL m${fault.member}, then start it`, outcome: 'done' };
    case 'pause': {
      const leader = (await cluster.leaderOf(fault.module).catch(() => undefined)) ?? fault.member;
      const pid = cluster.pid(leader);
      if (!pid) return { what: `SIGSTOP m${leader}`, outcome: 'skipped', detail: 'not running' };
      const ms = Math.round(context.leaseTtlMs * 2.5);
      process.kill(pid, 'SIGSTOP');
      await sleep(ms);
      process.kill(pid, 'SIGCONT');
      return { what: `SIGSTOP m${leader} (leader of ${fault.module}) for ${ms} ms, then SIGCONT`, outcome: 'done' };
    }
    case 'storm': {
      const hit: string[] = [];
      for (let k = 0; k < 4; k++) {
        const member = (fault.member + k) % MEMBERS;
        await cluster.restartMember(member, 'SIGKILL');
        hit.push(`m${member}`);
        await sleep(200);
      }
      return { what: `restart storm: SIGKILL and start ${hit.join(', ')} one after another`, outcome: 'done' };
    }
    case 'db': {
      if (!context.postgres) return { what: 'stop the database', outcome: 'skipped', detail: 'SQLite: the database is files in the members’ own processes' };
      await context.postgres.crash();
      await sleep(3000);
      await context.postgres.restart();
      return { what: 'PostgreSQL stopped (pg_ctl stop -m immediate) for 3 s, then started', outcome: 'done' };
    }
    case 'restore': {
      const members = membersRunning(context, fault.module);
      for (const i of members) await cluster.stopMember(i, 'SIGKILL');
      try {
        await restoreSnapshot(context, fault.module);
      } finally {
        for (const i of members) await cluster.startMember(i);
      }
      return { what: `${fault.module}'s database restored from the snapshot taken at warm-up (m${members.join(', m')} stopped meanwhile)`, outcome: 'done' };
    }
    case 'rebuild': {
      // An operator whose rebuild is refused (a busy SQLite database, say) runs it again: up to three times.
      let result = await runCli(context.dataDir, ['projections', 'rebuild', fault.module], cluster.env);
      let attempts = 1;
      for (; result.code !== 0 && attempts < 3; attempts++) {
        await sleep(1000);
        result = await runCli(context.dataDir, ['projections', 'rebuild', fault.module], cluster.env);
      }
      const detail = result.code === 0 ? undefined : `exit ${result.code}: ${(result.stderr || result.stdout).trim().split('\n').at(-1)}`;
      return { what: `seams projections rebuild ${fault.module} while serving${attempts > 1 ? ` (${attempts} attempts)` : ''}`, outcome: result.code === 0 ? 'done' : 'failed', detail };
    }
  }
}

export async function injectFault(fault: PlannedFault, context: FaultContext, startedAt: number): Promise<InjectedFault> {
  const began = Date.now();
  try {
    return { atMs: began - startedAt, kind: fault.kind, ...(await inject(fault, context)), tookMs: Date.now() - began };
  } catch (error) {
    return { atMs: began - startedAt, kind: fault.kind, what: fault.kind, outcome: 'failed', detail: String(error).split('\n')[0], tookMs: Date.now() - began };
  }
}
