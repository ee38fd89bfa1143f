#!/usr/bin/env node
// The installed kernel's `seams`: the CLI over the modules of the application in this directory.
import { runApplicationCli } from '../dist/src/kernel/cli/applicationCli.js';

process.exitCode = await runApplicationCli(process.argv.slice(2));
