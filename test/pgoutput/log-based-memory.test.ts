// integration/log-based-memory.test.ts again, read through pgoutput slots and publications.
process.env.TAP_TEST_PLUGIN = 'pgoutput';
await import('../integration/log-based-memory.test.js');
