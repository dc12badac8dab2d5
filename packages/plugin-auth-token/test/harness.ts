/** The end-to-end harness lives with the shell's tests, which use it too. */
export * from '../../../test/support/harness.js'
