#!/usr/bin/env node
/**
 * npm run demo — the main job, end to end on an embedded control plane:
 * start it on a free port in a temporary directory, add a user and the `ops`
 * organization, log in through the device flow (approving the code through the
 * sign-in form, as a browser would), run the reference page's examples, use a
 * PAT through NDCLI_TOKEN, revoke it and show it rejected, then stop. Every
 * command is printed before it runs; nothing is left behind.
 */
import {spawn} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {seedAccount, startServerProcess, submitActivation} from '@ndcli/server/testing'

const BIN = new URL('../bin/run.js', import.meta.url).pathname
const ACCOUNT = {email: 'ada@example.com', password: 'demo-password-1', name: 'Ada Lovelace'}
const bold = (text) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001B[1m${text}\u001B[22m` : text)

const home = await mkdtemp(join(tmpdir(), 'ndcli-demo-'))
const env = {
  ...process.env,
  NDCLI_CONFIG_DIR: join(home, 'config'),
  NDCLI_DATA_DIR: join(home, 'data'),
  NDCLI_CACHE_DIR: join(home, 'cache'),
  NDCLI_TOKEN: '',
}
let server

/** Runs `ndcli …`, echoing the command line and its output; returns what it printed. */
function ndcli(args, {extraEnv = {}, expectExit = 0, onStderr} = {}) {
  const shown = Object.entries(extraEnv).map(([k, v]) => `${k}=${k === 'NDCLI_TOKEN' ? v.slice(0, 12) + '…' : v} `).join('')
  process.stdout.write(`\n${bold(`$ ${shown}ndcli ${args.map(quote).join(' ')}`)}\n`)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {env: {...env, ...extraEnv}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => ((stdout += chunk), process.stdout.write(chunk)))
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      process.stdout.write(chunk)
      onStderr?.(stderr)
    })
    child.on('close', (code) => {
      if (code === expectExit) resolve({stdout, stderr})
      else reject(new Error(`ndcli ${args.join(' ')} exited ${code}, expected ${expectExit}`))
    })
  })
}

function quote(arg) {
  return /^[\w./:=@-]+$/.test(arg) ? arg : `"${arg}"`
}

function tokenFrom(output) {
  const match = /^Token: (ndpat_\S+)$/m.exec(output)
  if (!match) throw new Error('no token in the create output')
  return match[1]
}

try {
  process.stdout.write(bold('Starting the embedded control plane (SQLite in a temporary directory)…') + '\n')
  server = await startServerProcess({env: {NDCLI_SERVER_DEVICE_INTERVAL: '1'}})
  env.NDCLI_API_URL = server.url
  process.stdout.write(`control plane: ${server.url}\n`)
  process.stdout.write(`\n${bold(`$ ndcli-server user add --email ${ACCOUNT.email} --password-stdin && ndcli-server org add --slug ops && ndcli-server member add --org ops --email ${ACCOUNT.email} --role superuser`)}\n`)
  await seedAccount(server, {...ACCOUNT, orgs: [{slug: 'ops', role: 'superuser'}]})
  process.stdout.write('user, organization and membership added\n')

  let approving
  await ndcli(['auth', 'login', '--no-browser'], {
    onStderr(text) {
      const code = /\b([A-Z]{4}-[A-Z]{4})\b/.exec(text)?.[1]
      // Approve once the CLI has printed its instructions and is polling.
      if (!code || approving || !text.includes('Waiting')) return
      process.stdout.write(bold(`(approving ${code} on the sign-in page as ${ACCOUNT.email})`) + '\n')
      approving = submitActivation(server.url, {userCode: code, email: ACCOUNT.email, password: ACCOUNT.password, action: 'approve'})
    },
  })
  if ((await approving)?.status !== 200) throw new Error('approving the code failed')

  const ci = await ndcli(['auth', 'token', 'create', '--name', 'github-ci', '--scope', 'rw', '--expiry', '90d'])
  await ndcli(['auth', 'token', 'create', '--name', 'readonly-monitor', '--scope', 'ro', '--org', 'ops', '--expiry', 'never'])
  await ndcli(['auth', 'token', 'list'])

  const pat = tokenFrom(ci.stdout)
  await ndcli(['auth', 'token', 'list', '-f', 'json'], {extraEnv: {NDCLI_TOKEN: pat}})
  await ndcli(['auth', 'status'], {extraEnv: {NDCLI_TOKEN: pat}})
  await ndcli(['auth', 'token', 'revoke', 'github-ci', '--yes'])
  await ndcli(['auth', 'token', 'list'], {extraEnv: {NDCLI_TOKEN: pat}, expectExit: 3})
  process.stdout.write(`\n${bold('✓ Demo complete: the revoked token was rejected (exit 3).')}\n`)
} catch (error) {
  process.stderr.write(`\ndemo failed: ${error.message}\n`)
  if (server) process.stderr.write(`--- server log ---\n${server.log().slice(-4000)}\n`)
  process.exitCode = 1
} finally {
  await server?.stop()
  await rm(home, {recursive: true, force: true})
}
