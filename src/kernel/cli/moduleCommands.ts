import { Command } from 'commander';
import type { ModuleDefinition } from '../types/module.js';
import type { CliIo } from './io.js';
import type { WithSession } from './projectionsCommand.js';

/**
 * The commands modules add to `seams` (ModuleDefinition.cli), grouped by their first word:
 * identity's `users grant-operator <email>` becomes `seams users grant-operator <email>`. Each
 * runs on its module's context, opened on the data directory without running projections.
 */
export function moduleCommands(modules: readonly ModuleDefinition[], run: WithSession, io: CliIo): Command[] {
  const groups = new Map<string, Command>();
  for (const module of modules) {
    for (const command of module.cli ?? []) {
      const [group, name] = command.name.split(' ') as [string, string];
      let parent = groups.get(group);
      if (!parent) groups.set(group, (parent = new Command(group).description(`${group}: commands of module ${module.name}`)));
      const sub = new Command(name).description(command.description);
      for (const arg of command.args) sub.argument(`<${arg}>`);
      sub.action((...values: unknown[]) =>
        run(async (session) => {
          const args = Object.fromEntries(command.args.map((arg, i) => [arg, String(values[i])]));
          io.out(await command.run(await session.context(module.name), args));
        }),
      );
      parent.addCommand(sub);
    }
  }
  return [...groups.values()];
}
