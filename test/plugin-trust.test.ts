/** The plugin trust rules in-process: @ndcli/core ranges, the prompt on a terminal, plugins.allow values. */
import {expect} from 'chai'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {ConfigStore, type Prompter} from '@ndcli/core'
import {isolatedDirs} from '@ndcli/core/testing'

import {checkPluginInstall} from '../src/plugins/check-install.js'
import {admitsMajor} from '../src/plugins/core-range.js'

describe('plugin trust', () => {
  describe('admitsMajor', () => {
    const cases: Array<[string, number, boolean | undefined]> = [
      ['0.1.0', 0, true],
      ['^0.1.0', 1, false],
      ['^1.4.2', 1, true],
      ['~2.0', 1, false],
      ['1.x', 1, true],
      ['*', 3, true],
      ['>=1.0.0 <3.0.0', 2, true],
      ['>=1.0.0 <3.0.0', 3, false],
      ['>=1 <2.1.0', 2, true],
      ['^1.0.0 || ^3.0.0', 2, false],
      ['^1.0.0 || ^3.0.0', 3, true],
      ['1.0.0 - 2.5.0', 2, true],
      ['>=4', 3, false],
      ['<2.0.0', 2, false],
      ['>=3 <2', 2, false], // contradicts itself: admits nothing
      ['=1.2.3', 1, true],
      ['v1.2.3', 1, true],
      // pre-releases: a bundled copy's exact version counts for its major; a range admits them as npm does
      ['2.0.0-beta.1', 2, true],
      ['2.0.0-beta.1', 1, false],
      ['^2.0.0-rc.0', 2, true],
      ['^2.0.0-rc.0', 3, false],
      ['>=2.0.0-alpha', 1, false],
      ['1.0.0-beta.1 - 2.0.0', 2, true],
      ['1.2.0+build.7', 1, true],
      ['', 1, true], // npm reads an empty range as *
      ['file:../core', 0, undefined],
      ['latest', 0, undefined],
      ['workspace:^', 0, undefined],
      ['git+https://github.com/acme/core.git', 0, undefined],
    ]
    for (const [range, major, admitted] of cases) {
      it(`${range} admits major ${major}: ${admitted}`, () => expect(admitsMajor(range, major)).to.equal(admitted))
    }
  })

  describe('on a terminal, another @ndcli/core major asks first', () => {
    let dirs: Awaited<ReturnType<typeof isolatedDirs>>
    let url: string
    before(async () => {
      dirs = await isolatedDirs()
      const folder = join(dirs.root, 'acme-legacy')
      await mkdir(folder)
      const packageJson = {name: 'acme-legacy', version: '2.0.0', oclif: {commands: './dist/commands'}, dependencies: {'@ndcli/core': '^7.0.0'}}
      await writeFile(join(folder, 'package.json'), JSON.stringify(packageJson))
      await writeFile(join(folder, 'oclif.manifest.json'), JSON.stringify({version: '2.0.0', commands: {'legacy:run': {}}}))
      url = `file:${folder}`
    })
    after(() => dirs.cleanup())

    function terminal(answer: boolean): Prompter & {asked: string[]} {
      const asked: string[] = []
      return {
        asked,
        interactive: () => true,
        async confirm(message, {default: defaultAnswer}) {
          asked.push(`${message} (default ${defaultAnswer})`)
          return answer
        },
      }
    }
    const check = (prompter: Prompter, allowed: string[] = []) =>
      checkPluginInstall({type: 'repo', url}, {shellCoreVersion: '0.1.0', allowed: new Set(allowed), prompter})
    const silenced = async <T>(action: () => Promise<T>): Promise<{value: T; stderr: string}> => {
      const write = process.stderr.write.bind(process.stderr)
      let stderr = ''
      process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write
      try {
        return {value: await action(), stderr}
      } finally {
        process.stderr.write = write
      }
    }

    for (const [answer, decision] of [[true, 'install'], [false, 'declined']] as const) {
      it(`answering ${answer ? 'yes' : 'no'} → ${decision}`, async () => {
        const prompter = terminal(answer)
        const {value, stderr} = await silenced(() => check(prompter))
        expect(value).to.equal(decision)
        expect(prompter.asked).to.deep.equal(['Install acme-legacy anyway? (default false)'])
        expect(stderr).to.match(/^Warning: acme-legacy@2\.0\.0 is built for @ndcli\/core \^7\.0\.0, but this ndcli has @ndcli\/core 0\.1\.0/)
      })
    }

    it('no question when the allow-list names it', async () => {
      const prompter = terminal(false)
      const {value} = await silenced(() => check(prompter, ['acme-legacy']))
      expect([value, prompter.asked]).to.deep.equal(['install', []])
    })
  })

  describe('plugins.allow', () => {
    let dirs: Awaited<ReturnType<typeof isolatedDirs>>
    beforeEach(async () => (dirs = await isolatedDirs()))
    afterEach(() => dirs.cleanup())

    it('is stored as a normalized comma-separated list', async () => {
      const store = new ConfigStore(dirs.env.NDCLI_CONFIG_DIR!)
      expect(await store.set('plugins.allow', ' @acme/plugin-deploy, ndcli-plugin-hello,,@acme/plugin-deploy ')).to.equal('@acme/plugin-deploy,ndcli-plugin-hello')
    })

    for (const value of ['Acme Deploy', ' , ']) {
      it(`refuses ${JSON.stringify(value)}`, async () => {
        const store = new ConfigStore(dirs.env.NDCLI_CONFIG_DIR!)
        await store.set('plugins.allow', value).then(
          () => expect.fail('accepted'),
          (error: Error) => expect(error.message).to.match(/^plugins.allow must list npm package names or git URLs/),
        )
      })
    }
  })
})
