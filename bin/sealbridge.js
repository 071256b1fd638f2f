#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { main } from '../dist/cli/main.js';
import { processArgv } from '../dist/src/config.js';

process.exitCode = await main(processArgv());
