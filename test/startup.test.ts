/**
 * Start-up: the functions an `auth token list` calls are compiled with their module, so Node's compile
 * cache holds them (scripts/eager-compile.js, the last step of `npm run build`). The rewrite is checked
 * for what it must not change, then the built CLI is run against the real control plane with V8's
 * function log, which says which of the runtime's functions it compiled lazily.
 */
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {startServerProcess, type ServerProcess} from '@ndcli/server/testing'

import {compileEagerly} from '../scripts/eager-compile.js'
import {ACCOUNT, BIN} from './support/cli.js'
import {loggedInWithPat, type Cli} from './support/harness.js'

const RUNTIME = fileURLToPath(new URL('../packages/core/dist/runtime.cjs', import.meta.url))

/** Rewrites `code` with every function whose text starts with one of `marks` called. */
function rewrite(code: string, marks: string[]): string {
  const called = new Set(marks.map((mark) => code.indexOf(mark)).filter((at) => at >= 0))
  return compileEagerly(code, called).code
}

/** Runs a CommonJS module's text and returns its exports. */
function evaluate(code: string): Record<string, unknown> {
  const module = {exports: {} as Record<string, unknown>}
  new Function('module', 'exports', code)(module, module.exports)
  return module.exports
}

describe('start-up: functions compiled with their module', function () {
  this.timeout(60_000)

  it('a moved declaration is called before the place it was written, recursively, under its own name', () => {
    const code = '"use strict";const early=twice(3);function twice(n){return n<=0?0:2+twice(n-1)}module.exports={early,name:twice.name,hoisted:typeof later};function later(){}'
    const rewritten = rewrite(code, ['function twice', 'function later'])
    expect(rewritten).to.include('var twice=(function twice(').and.include('var later=(function later(')
    expect(rewritten.indexOf('var twice=')).to.be.below(rewritten.indexOf('const early'))
    expect(evaluate(rewritten)).to.deep.equal(evaluate(code)).and.deep.equal({early: 6, name: 'twice', hoisted: 'function'})
  })

  it('moves a declaration inside a moved one along with it, and leaves uncalled ones where they are', () => {
    const code = 'function outer(){return inner()+idle.length;function inner(){return 1}function idle(a){}}module.exports={value:outer()}'
    const rewritten = rewrite(code, ['function outer', 'function inner'])
    expect(rewritten).to.match(/^var outer=\(function outer\(\)\{var inner=\(function inner\(\)\{return 1\}\);return inner\(\)/)
    expect(rewritten).to.include('function idle(a){}')
    expect(evaluate(rewritten)).to.deep.equal({value: 2})
  })

  it('leaves a declaration whose name is reassigned or declared twice in its scope', () => {
    const code = 'function swapped(){return 1}swapped=()=>2;function twice(){return 1}{function twice(){return 2}}[other]=[1];function other(){}module.exports={a:swapped(),b:twice()}'
    const rewritten = rewrite(code, ['function swapped', 'function twice', 'function other'])
    expect(rewritten).to.not.include('var swapped=').and.not.include('var twice=').and.not.include('var other=')
    expect(evaluate(rewritten)).to.deep.equal(evaluate(code))
  })

  it('parenthesizes called arrows and function expressions once, and turns called module factories into function expressions', () => {
    const code = 'var __commonJS=(cb)=>cb;var m=__commonJS({"a.js"(exports){exports.f=x=>x+1;exports.g=function(){return 2};exports.h=(y=>y)}});var o={method(){return 3}};module.exports={m,o}'
    const rewritten = rewrite(code, ['"a.js"', 'x=>x+1', 'function(){return 2}', 'y=>y', 'method()'])
    expect(rewritten).to.include('"a.js":(function(exports){').and.include('exports.f=(function(x){return x+1})').and.include('exports.g=(function(){return 2})')
    expect(rewritten).to.include('exports.h=(function(y){return y})').and.not.include('((')
    expect(rewritten).to.include('{method(){return 3}}')
  })

  it("gives a function that is a call's only argument parentheses of its own (V8 compiles f(function…) lazily)", () => {
    const code =
      'var twice=[1,2].map(function(x){return x*2});var inc=[1].map(x=>x+1);var own=[3].map((function(x){return x}));' +
      'var sum=[1].reduce(function(a,b){return a+b},5);var made=new Promise(function(resolve){resolve(1)}) instanceof Promise;module.exports={twice,inc,own,sum,made}'
    const rewritten = rewrite(code, ['function(x){return x*2', 'x=>x+1', 'function(x){return x}', 'function(a,b)', 'function(resolve)'])
    expect(rewritten).to.include('.map((function(x){return x*2}))').and.include('.map((function(x){return x+1}))').and.include('.map((function(x){return x}))')
    expect(rewritten).to.include('.reduce((function(a,b){return a+b}),5)').and.include('new Promise((function(resolve){resolve(1)}))').and.not.include('(((')
    expect(evaluate(rewritten)).to.deep.equal(evaluate(code)).and.deep.equal({twice: [2, 4], inc: [2], own: [3], sum: 6, made: true})
  })

  it('writes a called arrow that needs nothing of its scope as a function expression (Node 22 compiles parenthesized arrows lazily), and keeps the others', () => {
    const code =
      'var add=(a,b=()=>2)=>a+b();var pair=x=>({x});var curry=y=>z=>y+z;var wait=async()=>await 1;var self=()=>this;var args=function(){return(()=>arguments.length)()};var make=()=>function(){return 5};' +
      'module.exports={add:add(1),pair:pair(3),curry:curry(1)(2),names:[add.name,pair.name],self:typeof self,args:args(1,2),wait:wait() instanceof Promise,made:make()()}'
    const rewritten = rewrite(code, ['(a,b=', '()=>2', 'x=>({', 'y=>z', 'z=>y', 'async()', '()=>this', '()=>arguments', '()=>function', 'function(){return 5'])
    expect(rewritten).to.include('var add=(function(a,b=(function(){return 2})){return a+b()})').and.include('var curry=(function(y){return (function(z){return y+z})})')
    expect(rewritten).to.include('(async function(){return await 1})').and.include('(()=>this)').and.include('(()=>arguments.length)')
    expect(rewritten).to.include('var make=(function(){return (function(){return 5})});')
    expect(evaluate(rewritten)).to.deep.equal(evaluate(code)).and.deep.include({add: 3, curry: 3, names: ['add', 'pair'], args: 2, made: 5})
  })

  it('moves called class methods, statics and accessor pairs into a static block, and leaves those a function expression would change', () => {
    const code =
      '"use strict";class A extends Object{static make(){return new A()} add(x){return x+this.#base} get base(){return this.#base} set base(v){this.#base=v} #base=1;' +
      'parent(){return super.toString()} shadow(){return shadow()} async*steps(){yield 1}}function shadow(){return "outer"}' +
      'const a=A.make();a.base=2;module.exports={add:a.add(1),base:a.base,parent:a.parent(),shadow:a.shadow(),names:[a.add.name,A.make.name],keys:Object.keys(A.prototype),steps:typeof a.steps().next}'
    const rewritten = rewrite(code, ['make()', 'add(x)', 'get base', 'parent()', 'shadow()', 'async*steps'])
    expect(rewritten).to.match(/^"use strict";class A extends Object\{static\{Object\.defineProperty\(this,"make",\{value:\(function make\(\)/)
    expect(rewritten).to.include('{get:(function base(){return this.#base}),set:(function base(v){this.#base=v}),configurable:!0}')
    expect(rewritten).to.include('(async function* steps(){yield 1})')
    expect(rewritten).to.include('parent(){return super.toString()}').and.include('shadow(){return shadow()}')
    expect(evaluate(rewritten)).to.deep.equal(evaluate(code)).and.deep.include({add: 3, base: 2, shadow: 'outer', names: ['add', 'make'], keys: []})
  })

  it('moves a method whose own name appears in it only as a property or a label', () => {
    const code =
      '"use strict";class O{#i={url:"u",freeze:2};get url(){return this.#i.url} freeze(){return {freeze:this.#i.freeze}} loop(){loop:for(;;)break loop;return 3} ' +
      'own(){const {own}={own:4};return own}}const o=new O();module.exports={url:o.url,freeze:o.freeze(),loop:o.loop(),own:o.own()}'
    const rewritten = rewrite(code, ['get url', 'freeze()', 'loop()', 'own()'])
    expect(rewritten).to.include('{get:(function url(){return this.#i.url}),configurable:!0}').and.include('value:(function freeze(){').and.include('value:(function loop(){')
    expect(rewritten, 'a destructured variable of its name: not moved').to.include('own(){const {own}=')
    expect(evaluate(rewritten)).to.deep.equal(evaluate(code)).and.deep.equal({url: 'u', freeze: {freeze: 2}, loop: 3, own: 4})
  })

  describe('the built CLI', () => {
    let server: ServerProcess
    let cli: Cli
    let pat: string
    let dir: string

    before(async () => {
      server = await startServerProcess()
      ;({cli, pat} = await loggedInWithPat(server, ACCOUNT.email, {name: 'start-up', scope: 'ro'}))
      dir = await mkdtemp(join(tmpdir(), 'ndcli-startup-'))
    })
    after(async () => {
      await cli?.cleanup()
      await server?.stop()
      if (dir) await rm(dir, {recursive: true, force: true})
    })

    it('an auth token list compiles lazily under a tenth of the runtime functions it calls (77 % before the rewrite, 17 % with its first form)', async () => {
      const log = join(dir, 'functions.log')
      const coverage = join(dir, 'coverage')
      const run = spawnSync(process.execPath, ['--log-function-events', `--logfile=${log}`, '--no-logfile-per-isolate', BIN, 'auth', 'token', 'list', '-f', 'json'], {
        // A cache of its own: the runtime is compiled in this run, so the log names it. The coverage counts the calls.
        env: {...process.env, ...cli.env, NDCLI_TOKEN: pat, NDCLI_CACHE_DIR: join(dir, 'cache'), NODE_V8_COVERAGE: coverage},
        encoding: 'utf8',
      })
      expect(run.status, run.stderr).to.equal(0)
      expect(JSON.parse(run.stdout).map((token: {name: string}) => token.name)).to.deep.equal(['start-up'])
      const lines = (await readFile(log, 'utf8')).split('\n').map((line) => line.split(','))
      const script = lines.find((fields) => fields[0] === 'script-details' && fields[2] === RUNTIME)?.[1]
      expect(script, 'the log names no runtime.cjs').to.be.a('string')
      const lazy = lines.filter((fields) => fields[0] === 'function' && fields[1] === 'parse-function' && fields[2] === script).length
      const [report] = await readdir(coverage)
      const functions: Array<{ranges: Array<{count: number}>}> = JSON.parse(await readFile(join(coverage, report!), 'utf8')).result.find((entry: {url: string}) => entry.url === pathToFileURL(RUNTIME).href).functions
      const called = functions.filter((fn) => fn.ranges[0]!.count > 0).length
      expect(called, 'functions of the runtime the list ran').to.be.above(500)
      expect(lazy / called, `${lazy} of ${called} compiled lazily`).to.be.below(1 / 10)
    })

    /** How often string-width's own function (the one that runs the emoji expression) ran in a run with NODE_V8_COVERAGE=coverage. */
    async function stringWidthCalls(coverage: string): Promise<number> {
      const code = await readFile(RUNTIME, 'utf8')
      const at = code.indexOf('string.replace(emojiRegex()')
      expect(at, "string-width's text in the runtime").to.be.above(0)
      // One report per thread (a scan's workers load no runtime): the main thread's has it.
      type Script = {url: string; functions: Array<{ranges: Array<{startOffset: number; endOffset: number; count: number}>}>}
      const reports = await Promise.all((await readdir(coverage)).map(async (file) => JSON.parse(await readFile(join(coverage, file), 'utf8')).result as Script[]))
      const {functions} = reports.flat().find((entry) => entry.url === pathToFileURL(RUNTIME).href)!
      const [innermost] = functions
        .map((fn) => fn.ranges[0]!)
        .filter((range) => range.startOffset <= at && at < range.endOffset)
        .sort((a, b) => a.endOffset - a.startOffset - (b.endOffset - b.startOffset))
      return innermost!.count
    }

    it("measures a table of ASCII and box drawing without string-width's emoji expression, and a wide one with it, aligned", async () => {
      const run = (name: string, args: string[], cwd?: string) => {
        const coverage = join(dir, name)
        const result = spawnSync(process.execPath, [BIN, ...args], {cwd, env: {...process.env, ...cli.env, NDCLI_TOKEN: pat, NDCLI_CACHE_DIR: join(dir, 'cache'), NODE_V8_COVERAGE: coverage, COLUMNS: '120'}, encoding: 'utf8'})
        return {...result, coverage}
      }
      const list = run('list-coverage', ['auth', 'token', 'list', '-f', 'table'])
      expect(list.status, list.stderr).to.equal(0)
      expect(list.stdout).to.match(/^╭─+┬/).and.include('│ start-up ')
      expect(await stringWidthCalls(list.coverage), 'string-width calls for an ASCII table').to.equal(0)

      // A path with CJK letters (two columns each) and an accented one: string-width's own count.
      const tree = join(dir, 'wide')
      await mkdir(join(tree, '日本語'), {recursive: true})
      await mkdir(join(tree, 'café'))
      await writeFile(join(tree, '日本語', 'ci.log'), `NDCLI_TOKEN=${pat}\n`)
      await writeFile(join(tree, 'café', 'notes.txt'), `${pat}\n`)
      const scan = run('scan-coverage', ['auth', 'token', 'scan', '-f', 'table'], tree)
      expect(scan.status, scan.stderr).to.equal(8)
      expect(await stringWidthCalls(scan.coverage), 'string-width calls for a wide table').to.be.above(0)
      const rows = scan.stdout.split('\n').filter((line) => /^[╭├│╰]/.test(line))
      expect(rows.some((row) => row.includes('日本語/ci.log:1:13'))).to.equal(true)
      // Every row as wide as the top border in terminal columns: CJK counted twice, the rest once.
      const columns = (line: string) => [...line].reduce((sum, char) => sum + (/\p{Script=Han}/u.test(char) ? 2 : 1), 0)
      expect(new Set(rows.map(columns)).size, rows.join('\n')).to.equal(1)
    })
  })
})
