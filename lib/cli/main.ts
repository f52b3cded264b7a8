#!/usr/bin/env node
/** The `docket` executable. */
import { runCli } from './program';

// `docket watch KEY | head -3`: the reader went away, so there is nobody left to tell anything.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

void runCli(process.argv.slice(2)).then((code) => {
  // Exit explicitly once output is flushed: a connection some library left open must not keep
  // a finished command alive.
  process.stdout.write('', () => process.exit(code));
});
