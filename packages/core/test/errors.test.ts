import {expect} from 'chai'

import {ApiError, AuthenticationError, ConflictError, ExitCode, ForbiddenError, InterruptedError, NotFoundError, toNdError, UnreachableError, UsageError} from '../src/errors.js'

describe('errors → exit codes (cli.md)', () => {
  const table: Array<[string, unknown, number]> = [
    ['usage error', new UsageError('bad'), 2],
    ['oclif parse error', Object.assign(new Error('Expected --scope=x to be one of: RW, RO\nSee more help with --help'), {oclif: {exit: 2}}), 2],
    ['authentication', new AuthenticationError('no'), 3],
    ['forbidden', new ForbiddenError('no'), 4],
    ['not found', new NotFoundError('no'), 5],
    ['conflict', new ConflictError('no'), 6],
    ['unreachable', new UnreachableError('no'), 7],
    ['interrupted', new InterruptedError('no'), 130],
    ['prompt cancelled (Ctrl-C in inquirer)', Object.assign(new Error('User force closed the prompt'), {name: 'ExitPromptError'}), 130],
    ['unknown error', new Error('boom'), 1],
    ['API 400', new ApiError(400, 'invalid_input', 'x'), 2],
    ['API 401', new ApiError(401, 'token_revoked', 'x'), 3],
    ['API 403', new ApiError(403, 'insufficient_scope', 'x'), 4],
    ['API 404', new ApiError(404, 'not_found', 'x'), 5],
    ['API 409', new ApiError(409, 'name_taken', 'x'), 6],
    ['API 429', new ApiError(429, 'rate_limited', 'x'), 1],
    ['API 500', new ApiError(500, 'internal_error', 'x'), 7],
    ['API 503', new ApiError(503, 'unavailable', 'x'), 7],
  ]
  for (const [name, error, code] of table) {
    it(`${name} → ${code}`, () => {
      expect(toNdError(error).exitCode).to.equal(code)
    })
  }

  it('keeps the API error code for json output', () => {
    expect(toNdError(new ApiError(409, 'name_taken', 'taken')).code).to.equal('name_taken')
  })

  it('turns a multi-line oclif message into one line without the help pointer', () => {
    const error = toNdError(Object.assign(new Error('Expected --scope=x to be one of: RW, RO\nSee more help with --help'), {oclif: {exit: 2}}))
    expect(error.message).to.equal('Expected --scope=x to be one of: RW, RO')
    expect(ExitCode.usage).to.equal(error.exitCode)
  })

  it("drops oclif's `Parsing --flag` wrapper around a flag's own parse error", () => {
    const wrapped = 'Parsing --scope \n\tExpected --scope=rx to be one of: RW, RO\nSee more help with --help'
    expect(toNdError(Object.assign(new Error(wrapped), {oclif: {exit: 2}})).message).to.equal('Expected --scope=rx to be one of: RW, RO')
  })

  it("drops oclif's 'The following error occurred:' wrapper and names the missing flag as typed", () => {
    const error = toNdError(Object.assign(new Error('The following error occurred:\n  Missing required flag scope\nSee more help with --help'), {oclif: {exit: 2}}))
    expect(error.message).to.equal('Missing required flag --scope')
  })

  it("names missing arguments in one line from oclif's definitions, with what each is and its values", () => {
    const missing = (args: unknown[]) => toNdError(Object.assign(new Error('Missing 1 required arg:\nkey  Setting name\nSee more help with --help'), {oclif: {exit: 2}, args})).message
    expect(missing([{name: 'key', description: 'Setting name', options: ['api.url', 'output.format']}])).to.equal('Missing required argument KEY: Setting name, one of api.url, output.format')
    expect(missing([{name: 'name', description: 'Name of the token.'}])).to.equal('Missing required argument NAME: Name of the token')
    expect(missing([{name: 'slug'}])).to.equal('Missing required argument SLUG')
    expect(missing([{name: 'key'}, {name: 'value'}])).to.equal('Missing required arguments KEY and VALUE')
    // UnexpectedArgsError carries the words given: its own message stands.
    expect(toNdError(Object.assign(new Error('Unexpected argument: extra\nSee more help with --help'), {oclif: {exit: 2}, args: ['extra']})).message).to.equal('Unexpected argument: extra')
  })

  it('names every missing required flag in one sentence', () => {
    const both = 'The following errors occurred:\n  Missing required flag name\n  Missing required flag scope\nSee more help with --help'
    expect(toNdError(Object.assign(new Error(both), {oclif: {exit: 2}})).message).to.equal('Missing required flags --name and --scope')
    const three = 'Missing required flag name\nMissing required flag scope\nMissing required flag allowed-scopes'
    expect(toNdError(Object.assign(new Error(three), {oclif: {exit: 2}})).message).to.equal('Missing required flags --name, --scope and --allowed-scopes')
  })
})
