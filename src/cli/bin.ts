#!/usr/bin/env node
import { runCli } from './index.js';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
// exitCode, not exit(): lets stdout drain when piped.
process.exitCode = code;
