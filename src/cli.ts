/** Entry of the `seams` command: the kernel's CLI over this application's modules. */
import { runCli } from './kernel/host.js';
import { modules } from './application.js';

process.exitCode = await runCli(process.argv.slice(2), { modules });
