// integration/log-based-lsn.test.ts again, read through pgoutput slots and publications.
process.env.TAP_TEST_PLUGIN = 'pgoutput';
await import('../integration/log-based-lsn.test.js');
