// integration/large-values.test.ts again, read through pgoutput slots and publications.
process.env.TAP_TEST_PLUGIN = 'pgoutput';
await import('../integration/large-values.test.js');
