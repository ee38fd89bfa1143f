import { Command } from 'commander';
import type { EventContract } from '../types/contracts.js';
import type { ModuleDefinition } from '../types/module.js';
import { KERNEL_PATHS } from '../modules/defineModule.js';
import { AppTree, addImport, addToList } from './appTree.js';
import { UsageError, type CliIo } from './io.js';
import { eventFields, keyField } from './templates/eventShape.js';
import { moduleFiles } from './templates/moduleTemplate.js';
import { camelCase, kernelPath, RESERVED, type ModuleNames } from './templates/names.js';
import { processFile, processSpecFile, projectionFile, replicaFile, type EventSource } from './templates/partTemplates.js';

const MODULE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PART_NAME = /^[a-z][a-zA-Z0-9]*$/;

interface Options {
  dir: string;
  dryRun?: boolean;
}

/**
 * `seams new module|projection|process|replica`: writes a module in the anatomy, or a part of
 * one, wired into the composition root and the module's definition, so that the type check,
 * `npm run lint:boundaries` and the generated spec pass with no hand edit.
 */
export function newCommand(modules: readonly ModuleDefinition[], io: CliIo): Command {
  const common = (c: Command) => c.option('--dir <root>', "the application's root", process.cwd()).option('--dry-run', 'print the files it would write, write nothing');
  const command = new Command('new').description('write a new module, or a projection, process or replica of one, in the anatomy of docs/DESIGN.md');
  command.addCommand(
    common(new Command('module'))
      .description('a module: contracts, events, an aggregate with its decider and spec, a view, routes, index; wired into src/application.ts, with migrations/<name>/')
      .argument('<name>', 'lower-kebab-case, e.g. billing')
      .option('--access <who>', "who may call its routes: member (a module must issue credentials, as identity does) or anyone", 'member')
      .action((name: string, options: Options & { access: 'member' | 'anyone' }) => {
        const tree = new AppTree(options.dir);
        if (options.access !== 'member' && options.access !== 'anyone') throw new UsageError(`--access is member or anyone, got ${JSON.stringify(options.access)}`);
        const n = { ...checkNewModule(tree, modules, name), access: options.access };
        for (const [path, text] of Object.entries(moduleFiles(n))) tree.create(path, text);
        const app = 'src/application.ts';
        let root = addImport(tree.read(app), `import { ${n.camel} } from './modules/${name}/index.js';`);
        const list = /(export const modules[^=]*=\s*\[)([^\]]*)\]/.exec(root);
        if (!list) throw new UsageError(`${app} has no \`export const modules = [...]\` to add ${n.camel} to`);
        root = root.replace(list[0], `${list[1]}${list[2]!.trim() ? `${list[2]!.trimEnd()}, ` : ''}${n.camel}]`);
        tree.change(app, root);
        tree.commit(io, Boolean(options.dryRun));
      }),
  );
  command.addCommand(
    common(new Command('projection'))
      .description("a view of the module's own events (views/<name>.ts), added to its projections")
      .argument('<module/name>', 'an existing module and a camelCase name, e.g. billing/billingLog')
      .action((target: string, options: Options) => {
        const { tree, n, name } = part(options, target);
        const events = /^export const (\w+Events) = /m.exec(tree.read(`src/modules/${n.module}/events.ts`))?.[1];
        if (!events) throw new UsageError(`src/modules/${n.module}/events.ts exports no list of every event (export const <name>Events = [...])`);
        tree.create(`src/modules/${n.module}/views/${name}.ts`, projectionFile(n, name, events));
        wire(tree, n, 'projections', name, `./views/${name}.js`);
        tree.commit(io, Boolean(options.dryRun));
      }),
  );
  command.addCommand(
    common(new Command('process'))
      .description('a process (processes/<name>.ts) started by an event, with its spec; added to the module\'s processes')
      .argument('<module/name>', 'an existing module and a camelCase name, e.g. billing/invoicing')
      .requiredOption('--on <event>', "the event that starts it: the module's own, or another's public one, e.g. customers.CreditReserved")
      .option('--key <field>', "the event's field that names an instance (default: its first …Id)")
      .action((target: string, options: Options & { on: string; key?: string }) => {
        const { tree, n, name } = part(options, target);
        const on = eventSource(tree, modules, n.module, options.on, options.key);
        tree.create(`src/modules/${n.module}/processes/${name}.ts`, processFile(n, name, on));
        tree.create(`test/modules/${n.module}/processes/${name}.test.ts`, processSpecFile(n, name, on));
        wire(tree, n, 'processes', name, `./processes/${name}.js`);
        tree.commit(io, Boolean(options.dryRun));
      }),
  );
  command.addCommand(
    common(new Command('replica'))
      .description("a replica (replicas/<name>.ts): the module's own copy of another module's data, fed by its public event; added to its projections")
      .argument('<module/name>', 'an existing module and a camelCase name, e.g. billing/customers')
      .requiredOption('--from <event>', "another module's public event to copy, e.g. customers.CustomerRegistered")
      .option('--key <field>', "the event's field that keys a row (default: its first …Id)")
      .action((target: string, options: Options & { from: string; key?: string }) => {
        const { tree, n, name } = part(options, target);
        const from = eventSource(tree, modules, n.module, options.from, options.key);
        if (options.from.startsWith(`${n.module}.`)) throw new UsageError(`a replica copies another module's data; ${options.from} belongs to ${n.module} itself (a projection reads a module's own events)`);
        tree.create(`src/modules/${n.module}/replicas/${name}.ts`, replicaFile(n, name, [from]));
        wire(tree, n, 'projections', name, `./replicas/${name}.js`);
        tree.commit(io, Boolean(options.dryRun));
      }),
  );
  return command;
}

function names(tree: AppTree, module: string): ModuleNames {
  return { module, camel: camelCase(module), kernel: kernelPath(tree.kernelInstalled, 2), kernelHost: tree.kernelInstalled ? kernelPath(true, 0, 'host') : '../../../src/kernel/host.js' };
}

function checkNewModule(tree: AppTree, modules: readonly ModuleDefinition[], name: string): ModuleNames {
  if (!MODULE_NAME.test(name)) throw new UsageError(`"${name}" is not a module name: lower-kebab-case, starting with a letter (e.g. billing, order-notes)`);
  const n = names(tree, name);
  if (RESERVED.has(n.camel) || KERNEL_PATHS.has(name)) throw new UsageError(`"${name}" is reserved (${RESERVED.has(n.camel) ? 'a JavaScript word' : 'a path the kernel serves'}); choose another name`);
  if (tree.exists(`src/modules/${name}`) || modules.some((m) => m.name === name)) throw new UsageError(`a module named ${name} exists already`);
  if (tree.exists(`migrations/${name}`)) throw new UsageError(`migrations/${name}/ exists already: it would be the new module's`);
  // Outside quotes: an import or a name of the composition root that the new module's export would clash with.
  if (new RegExp(`\\b${n.camel}\\b`).test(tree.read('src/application.ts').replace(/'[^']*'/g, ''))) throw new UsageError(`src/application.ts has a ${n.camel} already`);
  return n;
}

/** The module and part name of `<module>/<name>`, checked: the module exists, the name is a free camelCase identifier. */
function part(options: Options, target: string): { tree: AppTree; n: ModuleNames; name: string } {
  const tree = new AppTree(options.dir);
  const [module, name, ...rest] = target.split('/');
  if (!module || !name || rest.length) throw new UsageError(`"${target}" is not <module>/<name> (e.g. billing/invoicing)`);
  if (!tree.exists(`src/modules/${module}/index.ts`)) throw new UsageError(`no module ${module} (src/modules/${module}/index.ts)`);
  if (!PART_NAME.test(name) || RESERVED.has(name)) throw new UsageError(`"${name}" is not a part name: camelCase letters and digits, starting with a lower-case letter, not a JavaScript word`);
  const index = tree.read(`src/modules/${module}/index.ts`);
  if (new RegExp(`\\b${name}\\b`).test(index.replace(/'[^']*'/g, ''))) throw new UsageError(`src/modules/${module}/index.ts has a ${name} already`);
  return { tree, n: names(tree, module), name };
}

/** Imports the part into the module's index.ts and adds it to the definition's list. */
function wire(tree: AppTree, n: ModuleNames, key: 'projections' | 'processes', name: string, from: string): void {
  const index = `src/modules/${n.module}/index.ts`;
  tree.change(index, addToList(addImport(tree.read(index), `import { ${name} } from '${from}';`), key, name, index));
}

/** An event as a part of `module` may use it: its own, or another module's public one, with where its contract is exported. */
function eventSource(tree: AppTree, modules: readonly ModuleDefinition[], module: string, type: string, key?: string): EventSource {
  const owner = modules.find((m) => [...m.publicEvents, ...m.privateEvents].some((e) => e.type === type));
  const contract: EventContract | undefined = owner && [...owner.publicEvents, ...owner.privateEvents].find((e) => e.type === type);
  if (!owner || !contract) throw new UsageError(`no event ${type} in the application's modules (seams modules lists them)`);
  const own = owner.name === module;
  if (!own && !owner.publicEvents.includes(contract)) throw new UsageError(`${type} is private to ${owner.name}: another module may use only its public events`);
  const name = type.slice(type.indexOf('.') + 1);
  const files = own ? ['contracts', 'events'] : ['contracts'];
  const file = files.find((f) => tree.exists(`src/modules/${owner.name}/${f}.ts`) && new RegExp(`^export const ${name}\\b`, 'm').test(tree.read(`src/modules/${owner.name}/${f}.ts`)));
  if (!file) throw new UsageError(`${type}: no \`export const ${name}\` in src/modules/${owner.name}/${files.join('.ts or ')}.ts`);
  const fields = eventFields(contract);
  const chosen = key ? fields.find((f) => f.name === key && f.required) : keyField(fields);
  if (!chosen) throw new UsageError(key ? `${type} has no required field ${key}` : `${type} has no string field to key by; give --key`);
  return { name, from: own ? `../${file}.js` : `../../${owner.name}/${file}.js`, fields, key: chosen };
}
