/** The example plugin's own test: run the command in-process with the helpers of @ndcli/core/testing. */
import {expect} from 'chai'

import {isolatedDirs, runCommand} from '@ndcli/core/testing'

import Hello, {type Greeting} from '../src/commands/hello.js'

describe('hello', () => {
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  const hello = (argv: string[]) => runCommand<unknown>(Hello, argv, {root: import.meta.url, env: dirs.env})

  beforeEach(async () => {
    dirs = await isolatedDirs()
  })
  afterEach(() => dirs.cleanup())

  it('greets the world by default, in the table format', async () => {
    const {stdout, stderr, exitCode} = await hello([])
    expect({stdout, stderr, exitCode}).to.deep.equal({stdout: 'Greeting: Hello, world!\n', stderr: '', exitCode: 0})
  })

  it('-f json prints the greeting document', async () => {
    const {stdout, exitCode} = await hello(['Ada', '-f', 'json'])
    expect(exitCode).to.equal(0)
    const greeting = JSON.parse(stdout) as Greeting
    expect(greeting).to.include({name: 'Ada', greeting: 'Hello, Ada!'})
    expect(greeting.cli).to.match(/^ndcli-plugin-hello\/0\.1\.0 /)
  })

  it('an empty name is a usage error (exit 2) naming the fix', async () => {
    const {stdout, stderr, exitCode} = await hello(['  '])
    expect({stdout, exitCode}).to.deep.equal({stdout: '', exitCode: 2})
    expect(stderr).to.match(/^Error: NAME must not be empty, e\.g\. \S+ hello Ada\n$/)
  })
})
