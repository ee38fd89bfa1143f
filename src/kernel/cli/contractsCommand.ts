import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { compareContracts, wireContracts, type ContractSnapshot } from '../modules/wireContracts.js';
import { assembleModules } from '../runtime/assemble.js';
import type { ModuleDefinition } from '../types/module.js';
import { UsageError, type CliIo } from './io.js';

export const SNAPSHOT_FILE = 'contracts.snapshot.json';

/** `seams contracts check|update`: every module's public events, commands and queries against the committed snapshot. */
export function contractsCommand(modules: readonly ModuleDefinition[], io: CliIo): Command {
  const contracts = new Command('contracts').description("the modules' wire contracts (JSON Schemas of their public events, commands and queries) against a committed snapshot");
  const file = (given?: string) => resolve(given ?? SNAPSHOT_FILE);
  contracts
    .command('check')
    .description('fail on a breaking change (a removed or retyped field, a new required field) unless the event’s version was raised with an upcaster; names the modules affected')
    .option('--file <path>', `the snapshot (default ./${SNAPSHOT_FILE})`)
    .action((options: { file?: string }) => {
      const path = file(options.file);
      if (!existsSync(path)) throw new UsageError(`no snapshot at ${path}; write one with: seams contracts update`);
      const { breaking, changed } = compareContracts(JSON.parse(readFileSync(path, 'utf8')) as ContractSnapshot, assembleModules(modules));
      for (const line of changed) io.err(`contracts: ${line} (seams contracts update records it)`);
      for (const b of breaking) io.err(`contracts: BREAKING ${b.type}: ${b.problem}; affects ${b.usedBy.join(', ') || 'no module now'}; ${b.advice}`);
      if (breaking.length > 0) throw new Error(`${breaking.length} breaking contract change(s) against ${path}`);
      io.out(`contracts: no breaking change against ${path}${changed.length > 0 ? ` (${changed.length} to record)` : ''}`);
    });
  contracts
    .command('update')
    .description('write the snapshot from the modules as they are now (commit it)')
    .option('--file <path>', `the snapshot (default ./${SNAPSHOT_FILE})`)
    .action((options: { file?: string }) => {
      const snapshot = wireContracts(assembleModules(modules));
      writeFileSync(file(options.file), `${JSON.stringify(snapshot, null, 2)}\n`);
      io.out(`contracts: ${Object.keys(snapshot).length} contracts written to ${file(options.file)}`);
    });
  return contracts;
}
