/**
 * Setup of jest's "memory" project (package.json): the shared core and Nest specs listed there
 * run again with every docket of test/support/docket-test.ts on the in-process memory backend.
 */
process.env.DOCKET_TEST_BACKEND = 'memory';
