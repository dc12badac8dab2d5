/** The example plugin's own test: run the command in-process with the helpers of @ndcli/core/testing. */
import {expect} from 'chai'

import {NdCommand, type RawView, type RecordView, type Rendered} from '@ndcli/core'
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

  describe('a command declaring the credential it needs', () => {
    const doneView: RecordView<{done: boolean}> = {kind: 'record', fields: [{header: 'DONE', label: 'Done', value: (row) => String(row.done)}]}
    /** As a plugin author would write a command that must not run on a CI token. */
    class SessionOnly extends NdCommand<typeof SessionOnly> {
      static override id = 'deploy:approve'
      static override credential = 'session' as const
      async run(): Promise<Rendered<{done: boolean}>> {
        return {view: doneView, data: {done: true}}
      }
    }
    const pat = 'ndpat_' + 'a'.repeat(37)

    it("static credential = 'session' is refused under NDCLI_TOKEN (exit 4) before run()", async () => {
      const {stdout, stderr, exitCode} = await runCommand(SessionOnly, [], {root: import.meta.url, env: {...dirs.env, NDCLI_TOKEN: pat}})
      expect({stdout, stderr, exitCode}).to.deep.equal({
        stdout: '',
        stderr: "Error: deploy approve requires interactive authentication — unset NDCLI_TOKEN and log in with 'ndcli auth login'\n",
        exitCode: 4,
      })
    })

    it('runs without NDCLI_TOKEN (the refusal above is not vacuous)', async () => {
      const {stdout, exitCode} = await runCommand(SessionOnly, [], {root: import.meta.url, env: dirs.env})
      expect({stdout, exitCode}).to.deep.equal({stdout: 'Done: true\n', exitCode: 0})
    })
  })

  it('runCommand gives the command its own IO: stdin from `input`, output captured, process.stdout left alone', async () => {
    const echoView: RawView<string> = {kind: 'raw', text: (text) => text}
    class Echo extends NdCommand<typeof Echo> {
      static override credential = 'none' as const
      async run(): Promise<Rendered<string>> {
        this.info('read stdin')
        return {view: echoView, data: (await this.readStdin()).toUpperCase()}
      }
    }
    const write = process.stdout.write
    const {stdout, stderr, exitCode} = await runCommand(Echo, [], {root: import.meta.url, env: dirs.env, input: 'piped\n'})
    expect({stdout, stderr, exitCode, patched: process.stdout.write !== write}).to.deep.equal({stdout: 'PIPED\n', stderr: 'read stdin\n', exitCode: 0, patched: false})
  })
})
