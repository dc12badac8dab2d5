import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {copyFileSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {isCompatible} from '../src/shared-runtime.js'

const DIST = fileURLToPath(new URL('../dist/', import.meta.url))

describe('shared runtime', () => {
  describe('isCompatible(offered, wanted)', () => {
    const cases: Array<[string, string, boolean]> = [
      ['0.1.0', '0.1.0', true],
      ['0.1.3', '0.1.0', true],
      ['0.1.0', '0.1.3', false], // older than the plugin was built against
      ['0.2.0', '0.1.0', false], // 0.x: a minor is a major
      ['1.4.0', '1.2.9', true],
      ['1.2.0', '1.4.0', false],
      ['2.0.0', '1.9.0', false],
      ['1.2.0-beta.1', '1.2.0', true],
    ]
    for (const [offered, wanted, expected] of cases) {
      it(`${offered} serves code built against ${wanted}: ${expected}`, () => {
        expect(isCompatible(offered, wanted)).to.equal(expected)
      })
    }
  })

  // In a process of its own: the registry is global to a process.
  it('shares the first runtime with compatible copies and loads its own otherwise', function () {
    this.timeout(20_000)
    const copy = mkdtempSync(join(tmpdir(), 'ndcli-runtime-copy-'))
    try {
      copyFileSync(join(DIST, 'runtime.cjs'), join(copy, 'runtime.cjs'))
      const script = `
        const {loadSharedRuntime} = await import(${JSON.stringify(pathToFileURL(join(DIST, 'shared-runtime.js')).href)})
        const first = loadSharedRuntime(new URL('runtime.cjs', ${JSON.stringify(pathToFileURL(DIST).href)}), '0.1.0')
        const copy = new URL('runtime.cjs', ${JSON.stringify(pathToFileURL(copy + '/').href)})
        const same = loadSharedRuntime(copy, '0.1.0')
        const newer = loadSharedRuntime(copy, '0.1.9')
        const major = loadSharedRuntime(copy, '1.0.0')
        console.log(JSON.stringify({
          shared: same === first,
          newerOwn: newer !== first && newer.oclif !== first.oclif && typeof newer.NdCommand === 'function',
          majorOwn: major !== first && major.oclif !== first.oclif,
        }))`
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'})
      expect(JSON.parse(output)).to.deep.equal({shared: true, newerOwn: true, majorOwn: true})
    } finally {
      rmSync(copy, {recursive: true, force: true})
    }
  })
})
