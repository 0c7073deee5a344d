#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv);
process.exitCode = code;
// Open sockets must not keep a finished run alive; stdout is already flushed by then.
setTimeout(() => process.exit(code), 5000).unref();
