// integration/schema-drift.test.ts again, read through pgoutput slots and publications.
process.env.TAP_TEST_PLUGIN = 'pgoutput';
await import('../integration/schema-drift.test.js');
