#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
// The compile cache makes repeat starts cheaper; `seal` is run on every commit, so startup counts.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');
const { processArgv } = await import('../dist/src/config.js');

process.exitCode = await main(processArgv());
