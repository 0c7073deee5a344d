// The workload checker's reduced form again, read through a pgoutput slot and publication.
process.env.TAP_TEST_PLUGIN = 'pgoutput';
await import('../workload/workload.test.js');
