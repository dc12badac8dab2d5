// One lint configuration for every workspace: typescript-eslint's recommended rules, and the
// boundaries between the rooms of the tree (design/architecture.md): the shell (src/, test/) and
// the plugins import @ndcli/core through its package exports only, core imports no shell or
// plugin, nothing reaches into another package by a relative path, and the server's SQL stays in
// packages/server/src/db/. Tests obey the same rules as the code they test.
import {readFileSync} from 'node:fs'
import {dirname, relative, resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const ROOT = dirname(fileURLToPath(import.meta.url))

/** The rooms, by folder; everything else (src/, test/, scripts/, bench/, bin/) is the shell's. */
const ROOMS = {
  core: 'packages/core',
  server: 'packages/server',
  'plugin-auth-token': 'packages/plugin-auth-token',
  'plugin-hello': 'examples/plugin-hello',
}
function roomOf(file) {
  const path = relative(ROOT, file).split(sep).join('/')
  return Object.entries(ROOMS).find(([, folder]) => path === folder || path.startsWith(folder + '/'))?.[0] ?? 'shell'
}

const HOW_TO_REACH = {
  core: "import @ndcli/core or one of its package exports instead",
  server: 'import @ndcli/server or @ndcli/server/testing instead',
  'plugin-auth-token': 'a plugin is reached through the CLI, not imported',
  'plugin-hello': 'a plugin is reached through the CLI, not imported',
  shell: 'the shell is no library: move what is shared to @ndcli/core (or @ndcli/server/testing for test harnesses)',
}

/** A relative import that lands in another room: each room is a package, reached by its name. */
const stayInRoom = {
  meta: {type: 'problem', messages: {crossing: "'{{source}}' reaches from {{from}} into {{to}}: {{fix}}."}},
  create(context) {
    const from = roomOf(context.filename)
    const check = (node) => {
      const source = node?.type === 'Literal' && typeof node.value === 'string' ? node.value : undefined
      if (!source?.startsWith('.')) return
      const to = roomOf(resolve(dirname(context.filename), source))
      if (to === from) return
      context.report({node, messageId: 'crossing', data: {source, from, to, fix: HOW_TO_REACH[to]}})
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    }
  },
}

/** @ndcli/core's public entry points, as its package.json exports them (one list, read from there). */
const coreEntryPoints = Object.keys(JSON.parse(readFileSync(resolve(ROOT, 'packages/core/package.json'), 'utf8')).exports).map((key) =>
  key === '.' ? '@ndcli/core' : `@ndcli/core/${key.slice(2)}`,
)
const coreSubpaths = coreEntryPoints.filter((name) => name !== '@ndcli/core').map((name) => name.slice('@ndcli/core/'.length))
const onlyCoreEntryPoints = {
  regex: `^@ndcli/core/(?!(${coreSubpaths.join('|')})$)`,
  message: `Import @ndcli/core through its package exports only: ${coreEntryPoints.join(', ')}.`,
}
const noShellOrPlugin = {
  group: ['ndcli', 'ndcli/*', '@ndcli/plugin-*', 'ndcli-plugin-*'],
  message: 'Core and the server know no shell and no plugin: a plugin extends them, not the other way round.',
}
const databaseDrivers = {
  paths: [
    {name: 'better-sqlite3', message: 'The database is reached through packages/server/src/db/ only (openStore, Store).'},
    {name: 'pg', message: 'The database is reached through packages/server/src/db/ only (openStore, Store).'},
  ],
}
/** A string or template that starts like SQL: the statements live in src/db/ (store.ts, migrations.ts). */
const SQL = '^\\s*(SELECT|INSERT\\s+INTO|UPDATE\\s+\\w+\\s+SET|DELETE\\s+FROM|CREATE\\s+(TABLE|INDEX|UNIQUE|SCHEMA|TRIGGER)|ALTER\\s+TABLE|DROP\\s+(TABLE|INDEX|SCHEMA|TRIGGER)|WITH\\s+\\w+\\s+AS)\\b'
const noSqlOutsideDb = [
  {selector: `Literal[value=/${SQL}/i]`, message: 'SQL belongs in packages/server/src/db/: add a Store method there.'},
  {selector: `TemplateElement[value.raw=/${SQL}/i]`, message: 'SQL belongs in packages/server/src/db/: add a Store method there.'},
]

export default tseslint.config(
  {ignores: ['**/dist/**', '**/node_modules/**', 'artifacts/**', '**/*.d.ts', 'bench/tmp/**', 'tmp/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', AbortController: 'readonly', fetch: 'readonly', setInterval: 'readonly', clearInterval: 'readonly'},
    },
    plugins: {rooms: {rules: {'stay-in-room': stayInRoom}}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-console': 'off',
      'rooms/stay-in-room': 'error',
      'no-restricted-imports': ['error', {patterns: [onlyCoreEntryPoints]}],
    },
  },
  {
    files: ['packages/core/**'],
    rules: {'no-restricted-imports': ['error', {patterns: [onlyCoreEntryPoints, noShellOrPlugin]}]},
  },
  {
    files: ['packages/server/**'],
    ignores: ['packages/server/src/db/**', 'packages/server/test/backends.ts'],
    rules: {
      'no-restricted-imports': ['error', {...databaseDrivers, patterns: [onlyCoreEntryPoints, noShellOrPlugin]}],
      'no-restricted-syntax': ['error', ...noSqlOutsideDb],
    },
  },
  {
    // The database code itself, and the tests' database administration (a schema per test, dumped to look for secrets).
    files: ['packages/server/src/db/**', 'packages/server/test/backends.ts'],
    rules: {'no-restricted-imports': ['error', {patterns: [onlyCoreEntryPoints, noShellOrPlugin]}]},
  },
)
