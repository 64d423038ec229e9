#!/usr/bin/env node
import { runCli } from './cli/run.js';

// A reader that stops early (`poolkeeper request ... | head`) closes the pipe: that ends the output, it is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await runCli(process.argv);
