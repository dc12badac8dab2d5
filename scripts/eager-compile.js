#!/usr/bin/env node
/**
 * The last step of `npm run build`: the functions of @ndcli/core's runtime (packages/core/dist/runtime.cjs)
 * that start-up calls are written so that V8 compiles them with their module.
 *
 * Node's compile cache (packages/core/src/compile-cache.ts) keeps the code V8 compiled as the module was
 * compiled, before it ran. V8 compiles most functions lazily, on first call, so every run compiled again
 * the ~870 functions of it an `auth token list` calls. It compiles a function expression in parentheses with its
 * module (its PIFE heuristic), and that code is cached. So, for the functions these runs call:
 *   - module factories (esbuild's `"path"(exports, module) {…}`) become `"path": (function (exports, module) {…})`;
 *   - a function expression gets parentheses (a call's own around its only argument do not count), and
 *     so does an arrow that uses its scope's `this`, `arguments`, `super` or `new.target`; any other
 *     arrow becomes `(function (…) {return …})`, as Node 22's V8 compiles a parenthesized arrow lazily
 *     all the same;
 *   - a function declaration at the top level of a body moves to the start of that body as
 *     `var name = (function name(…) {…});`, where its binding is created anyway. Not when the name is
 *     declared twice in that scope or assigned anywhere in the runtime (the function's own name inside it
 *     would then differ from the binding).
 *   - a class method, getter or setter moves into a static block at the start of its class body (see
 *     moveMethods), as methods have no expression form.
 *
 * Which functions: the real CLI runs `--version`, `auth token list -f json`, `auth token list` and
 * `auth token scan` (a small tree holding one token) against the real control plane (SQLite,
 * loopback) with NODE_V8_COVERAGE, which records every function called.
 * The output is plain JavaScript for any Node line; what no profiled run called compiles on first call, as
 * before. bench/notes.md has the measurements.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {isMethodValue, namesProperty, parseBundle, walk} from './ast.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const RUNTIME = join(ROOT, 'packages', 'core', 'dist', 'runtime.cjs')
const PROFILED = [['--version'], ['auth', 'token', 'list', '-f', 'json'], ['auth', 'token', 'list']]
/** Then `auth token scan` of a small tree holding one token (exit 8: found). */
const SCAN = ['auth', 'token', 'scan', '-f', 'json']
const ACCOUNT = {email: 'startup@example.com', password: 'startup profile password'}

/** Start offsets of the runtime's functions that the profiled runs called. */
async function calledFunctions() {
  const {deviceFlowSession, seedAccount, startServerProcess} = await import('@ndcli/server/testing')
  const server = await startServerProcess()
  const home = mkdtempSync(join(tmpdir(), 'ndcli-eager-compile-'))
  try {
    await seedAccount(server, ACCOUNT)
    const session = (await deviceFlowSession(server.url, ACCOUNT)).access_token
    let pat
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${server.url}/api/v1/auth/tokens`, {
        method: 'POST',
        headers: {authorization: `Bearer ${session}`, 'content-type': 'application/json'},
        body: JSON.stringify({name: `startup-${i}`, scope: 'RO'}),
      })
      if (response.status !== 201) throw new Error(`creating a token failed: ${response.status} ${await response.text()}`)
      pat ??= (await response.json()).token
    }
    const coverage = join(home, 'coverage')
    const env = {
      ...process.env,
      NDCLI_CONFIG_DIR: join(home, 'config'),
      NDCLI_DATA_DIR: join(home, 'data'),
      NDCLI_CACHE_DIR: join(home, 'cache'),
      NDCLI_API_URL: server.url,
      NDCLI_TOKEN: pat,
      NODE_V8_COVERAGE: coverage,
      COLUMNS: '120',
    }
    const tree = join(home, 'tree')
    mkdirSync(tree)
    writeFileSync(join(tree, 'ci.log'), `deploying\nNDCLI_TOKEN=${pat}\ndone\n`)
    writeFileSync(join(tree, 'notes.txt'), 'nothing here\n')
    for (const [argv, status] of [...PROFILED.map((argv) => [argv, 0]), [[...SCAN, tree], 8]]) {
      const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...argv], {env, encoding: 'utf8'})
      if (run.status !== status) throw new Error(`ndcli ${argv.join(' ')} exited ${run.status}: ${run.stderr}`)
    }
    const url = pathToFileURL(RUNTIME).href
    const called = new Set()
    for (const file of readdirSync(coverage)) {
      const script = JSON.parse(readFileSync(join(coverage, file), 'utf8')).result.find((entry) => entry.url === url)
      for (const fn of script?.functions ?? []) if (fn.ranges[0].count > 0) called.add(fn.ranges[0].startOffset)
    }
    if (called.size === 0) throw new Error(`no profiled run called a function of ${RUNTIME}: is it still what @ndcli/core loads?`)
    return called
  } finally {
    await server.stop()
    rmSync(home, {recursive: true, force: true})
  }
}

/**
 * The rewritten runtime: `called` holds the start offsets of the functions to compile eagerly.
 * Exported for its test; edits are insertions and removals of the original text, and a moved
 * declaration carries the edits inside it.
 */
export function compileEagerly(code, called) {
  const edits = []
  const insert = (at, ...parts) => edits.push({start: at, end: at, parts})
  const assigned = new Set()
  const stats = {expressions: 0, declarations: 0, methods: 0, factories: 0}
  const tree = parseBundle(code)
  // Every name a function could be reassigned through: assignment targets (patterns included), ++/--, for-in/of heads.
  walk(tree, (node) => {
    const target = node.type === 'AssignmentExpression' ? node.left : node.type === 'UpdateExpression' ? node.argument : /^For(In|Of)Statement$/.test(node.type) ? node.left : undefined
    if (target) for (const name of boundNames(target)) assigned.add(name)
  })
  walk(tree, (node, parent) => {
    if (node.type === 'CallExpression' && /^__(commonJS|esm)$/.test(node.callee.name) && node.arguments[0]?.type === 'ObjectExpression') {
      for (const property of node.arguments[0].properties) {
        if (property.method && called.has(property.start)) {
          insert(property.key.end, ':(function')
          insert(property.value.end, ')')
          stats.factories++
        }
      }
    }
    if (node.type === 'ClassBody') moveMethods(node)
    if (node.type === 'Program') moveDeclarations(node.body)
    else if (/Function/.test(node.type) && node.body.type === 'BlockStatement') moveDeclarations(node.body.body)
    if ((node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression') && !isMethodValue(parent) && called.has(node.start)) {
      // A call's own parentheses around its only argument are not the expression's: V8 compiles `f(function…)` lazily.
      const ofCall = (parent.type === 'CallExpression' || parent.type === 'NewExpression') && code.indexOf('(', parent.callee.end) === node.start - 1
      const parenthesized = code[node.start - 1] === '(' && code[node.end] === ')' && !ofCall
      if (node.type === 'ArrowFunctionExpression' && !arrowSpecific(node)) asFunctionExpression(node, parenthesized)
      else if (!parenthesized) {
        insert(node.start, '(')
        insert(node.end, ')')
      }
      stats.expressions++
    }
  })

  /**
   * Node 22's V8 compiles a parenthesized arrow lazily all the same (26's does not): an arrow that uses
   * nothing of its own scope's (this, arguments, super, new.target) is written as the function
   * expression it behaves like, `(function (…) {return …})`; its name, when it is assigned one, is the same.
   */
  function asFunctionExpression(node, parenthesized) {
    const {params, body} = node
    const parts = [`${parenthesized ? '' : '('}${node.async ? 'async ' : ''}function(`]
    if (params.length > 0) parts.push({start: params[0].start, end: params.at(-1).end, inner: true})
    parts.push(node.expression ? '){return ' : ')', {start: body.start, end: body.end, inner: true}, `${node.expression ? '}' : ''}${parenthesized ? '' : ')'}`)
    edits.push({start: node.start, end: node.end, parts, covers: true})
  }

  function moveDeclarations(body) {
    const declared = functionNamesOfScope(body)
    const first = body.find((statement) => !statement.directive)
    if (!first) return
    const moved = []
    for (const statement of body) {
      if (statement.type !== 'FunctionDeclaration' || !called.has(statement.start)) continue
      const {name} = statement.id
      if (declared.get(name) > 1 || assigned.has(name)) continue
      const removal = {start: statement.start, end: statement.end, parts: []}
      edits.push(removal)
      moved.push(`var ${name}=(`, removal, ');')
      stats.declarations++
    }
    if (moved.length > 0) insert(first.start, ...moved)
  }

  /**
   * Class methods have no expression form, so the called ones move into a static block at the start of
   * their class body: `static{Object.defineProperty(this.prototype, "m", {value: (function m(…) {…}), …})}`.
   * V8 compiles a static block, and the function expressions in it, with the module. Inside the class
   * body, private names and the class's own name still resolve; the block runs before any other static
   * element. Not moved: constructors, computed or private keys, a method that uses `super` (a function
   * expression cannot) or refers to a variable spelled like itself (its own name would then shadow it),
   * a name the class defines twice (but for a getter and setter pair, which move together).
   */
  function moveMethods(body) {
    const members = body.body.filter((member) => member.type === 'MethodDefinition' && member.kind !== 'constructor' && !member.computed && member.key.type === 'Identifier')
    const byName = Map.groupBy(members, (member) => `${member.static ? 'static ' : ''}${member.key.name}`)
    const defined = []
    for (const group of byName.values()) {
      const accessors = group.every((member) => member.kind === 'get' || member.kind === 'set')
      if (group.length > (accessors ? 2 : 1) || (accessors && group.length === 2 && group[0].kind === group[1].kind)) continue
      if (!group.some((member) => called.has(methodStart(code, member)))) continue
      const {name} = group[0].key
      if (RESERVED.has(name) || group.some((member) => usesSuperOrName(member.value, name))) continue
      const fn = (member) => [`(${member.value.async ? 'async ' : ''}function${member.value.generator ? '*' : ''} ${name}`, {start: member.value.start, end: member.value.end}, ')']
      const descriptor = accessors ? group.flatMap((member) => [`${member.kind}:`, ...fn(member), ',']) : ['value:', ...fn(group[0]), ',writable:!0,']
      defined.push(`Object.defineProperty(${group[0].static ? 'this' : 'this.prototype'},${JSON.stringify(name)},{`, ...descriptor, 'configurable:!0});')
      for (const member of group) edits.push({start: member.start, end: member.end, parts: []})
      stats.methods += group.length
    }
    if (defined.length > 0) insert(body.start + 1, 'static{', ...defined, '}')
  }

  // Zero-length insertions first where edits start together: a body's moved declarations go before its first statement, even when that is one of them.
  edits.sort((a, b) => a.start - b.start || a.end - a.start - (b.end - b.start))
  // Renders code[start, end) with the edits inside it; `moved` is the removal of the declaration being rendered where it moved to.
  const render = (start, end, moved = null) => {
    let out = ''
    let cursor = start
    let covered = -1
    for (const edit of edits) {
      if (edit === moved || edit.start < cursor || edit.end > end) continue // before, or inside a declaration rendered where it moved to
      if (edit.start === edit.end && edit.start === covered) continue // rendered inside the arrow that ends here
      // What the enclosing body inserts before the moved declaration is not part of it.
      if (moved && edit.start === edit.end && (edit.start === start || edit.start === end)) continue
      out += code.slice(cursor, edit.start)
      for (const part of edit.parts) out += typeof part === 'string' ? part : render(part.start, part.end, part.inner ? null : part)
      cursor = edit.end
      if (edit.covers) covered = edit.end
    }
    return out + code.slice(cursor, end)
  }
  const output = render(0, code.length)
  parseBundle(output)
  return {code: output, stats}
}

/** Names a method cannot have as a function expression's name. */
const RESERVED = new Set(
  'arguments await break case catch class const continue debugger default delete do else enum eval export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield'.split(' '),
)

/** Where V8 starts a method (its coverage's startOffset): the method's own text, after `static`. */
function methodStart(code, member) {
  if (!member.static) return member.start
  let at = member.start + 'static'.length
  while (/\s/.test(code[at])) at++
  return at
}

/** Whether an arrow uses what only an arrow has: its scope's this, arguments, super or new.target (or holds a class, to be safe). */
function arrowSpecific(arrow) {
  let found = false
  const visit = (node) => {
    if (found || (node !== arrow && (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration'))) return
    if (/^(ThisExpression|Super|MetaProperty|ClassExpression|ClassDeclaration)$/.test(node.type) || (node.type === 'Identifier' && node.name === 'arguments')) found = true
    for (const child of Object.values(node)) {
      for (const item of Array.isArray(child) ? child : [child]) if (item && typeof item.type === 'string') visit(item)
    }
  }
  visit(arrow)
  return found
}

/**
 * Whether a method's function uses `super` or refers to a variable called `name` (which its own name
 * would shadow); `this.#x.name`, `{name: …}` and the like name a property, not the variable.
 */
function usesSuperOrName(fn, name) {
  let found = false
  walk(fn, (node, parent) => {
    if (node.type === 'Super' || (node.type === 'Identifier' && node.name === name && !namesProperty(node, parent))) found = true
  })
  return found
}

/** The names a pattern (or a plain identifier) assigns to; a member expression assigns to no name. */
function boundNames(pattern) {
  if (!pattern) return []
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name]
    case 'ObjectPattern':
      return pattern.properties.flatMap((property) => boundNames(property.type === 'RestElement' ? property.argument : property.value))
    case 'ArrayPattern':
      return pattern.elements.flatMap(boundNames)
    case 'RestElement':
      return boundNames(pattern.argument)
    case 'AssignmentPattern':
      return boundNames(pattern.left)
    case 'VariableDeclaration': // for (var name in …): a declaration, not an assignment of an outer name
    default:
      return []
  }
}

/** How often each name is declared as a function in the scope of `body`: its statements and blocks, not nested functions. */
function functionNamesOfScope(body) {
  const names = new Map()
  const visit = (node) => {
    if (node.type === 'FunctionDeclaration') names.set(node.id.name, (names.get(node.id.name) ?? 0) + 1)
    if (/Function|Class/.test(node.type)) return
    for (const child of Object.values(node)) {
      for (const item of Array.isArray(child) ? child : [child]) if (item && typeof item.type === 'string') visit(item)
    }
  }
  for (const statement of body) {
    if (statement.type === 'FunctionDeclaration') names.set(statement.id.name, (names.get(statement.id.name) ?? 0) + 1)
    else visit(statement)
  }
  return names
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const code = readFileSync(RUNTIME, 'utf8')
  const called = await calledFunctions()
  const {code: output, stats} = compileEagerly(code, called)
  if (stats.declarations + stats.expressions + stats.methods < called.size / 3) {
    throw new Error(`only ${stats.declarations + stats.expressions} of the ${called.size} functions start-up calls could be compiled eagerly: has esbuild's output changed shape?`)
  }
  writeFileSync(RUNTIME, output)
  process.stdout.write(
    `eager-compile: of ${called.size} functions start-up calls, ${stats.declarations} declarations, ${stats.expressions} expressions, ${stats.methods} class methods and ${stats.factories} module factories are now compiled with their module\n`,
  )
}
