/**
 * The sign-in page in a real browser (Chromium through playwright-core): the
 * CLI runs `auth login --no-browser` as a subprocess against the real control
 * plane while the browser enters the code and credentials, as a person would.
 * Screenshots go to artifacts/browser/ (git-ignored) for a person to look at.
 *
 * Chromium: NDCLI_CHROMIUM, default /usr/bin/chromium. Missing → the suite
 * fails in CI (CI set) and is skipped locally, saying why.
 */
import {expect} from 'chai'
import {access, mkdir, mkdtemp, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {chromium, type BrowserContext, type Page} from 'playwright-core'

import {isolatedDirs, runBinary} from '@ndcli/core/testing'
import {seedAccount, startServerProcess, type ServerProcess} from '@ndcli/server/testing'

import {ACCOUNT, BIN, startLogin, storedSession, waitFor, type LoginProcess} from './support/cli.js'

const CHROMIUM = process.env.NDCLI_CHROMIUM || '/usr/bin/chromium'
const ARTIFACTS = fileURLToPath(new URL('../artifacts/browser/', import.meta.url))
/** Required on this machine: no sandbox (containers), no GPU, and no background traffic to Google. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

describe('sign-in page in a real browser', function () {
  this.timeout(90_000)
  let server: ServerProcess
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  let env: Record<string, string>
  let profileDir: string
  let browser: BrowserContext
  let page: Page
  let cli: LoginProcess | undefined

  before(async function () {
    try {
      await access(CHROMIUM)
    } catch {
      const message = `Chromium not found at ${CHROMIUM} (set NDCLI_CHROMIUM to its path)`
      if (process.env.CI) throw new Error(`${message}: the browser test cannot be skipped in CI.`)
      console.warn(`      Skipping the browser tests: ${message}.`)
      this.skip()
    }
    await mkdir(ARTIFACTS, {recursive: true})
    server = await startServerProcess({env: {NDCLI_SERVER_DEVICE_INTERVAL: '1', NDCLI_SERVER_TEST_CLOCK: '1'}})
    await seedAccount(server, {...ACCOUNT, orgs: [{slug: 'acme', role: 'read-write'}]})
  })
  after(() => server?.stop())

  beforeEach(async () => {
    dirs = await isolatedDirs()
    env = {...dirs.env, NDCLI_API_URL: server.url}
    // A new, empty profile per test: no cookies or cache carried between cases.
    profileDir = await mkdtemp(join(tmpdir(), 'ndcli-chromium-'))
    browser = await chromium.launchPersistentContext(profileDir, {executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS})
    page = browser.pages()[0] ?? (await browser.newPage())
  })
  afterEach(async function () {
    const name = (this.currentTest?.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').toLowerCase()
    await page.screenshot({path: join(ARTIFACTS, `${name}.png`), fullPage: true}).catch(() => undefined)
    cli?.interrupt()
    await cli?.exited
    cli = undefined
    await browser.close()
    await rm(profileDir, {recursive: true, force: true})
    await server.shiftClock(0)
    await dirs.cleanup()
  })

  /** Opens /activate as the URL printed by the CLI says, and fills in the form. */
  async function fillForm(userCode: string, password = ACCOUNT.password): Promise<void> {
    await page.goto(`${server.url}/activate`)
    await page.getByLabel('Code').fill(userCode)
    await page.getByLabel('Email').fill(ACCOUNT.email)
    await page.getByLabel('Password').fill(password)
  }

  /** Clicks a form button and returns the HTTP status of the page it leads to. */
  async function submit(button: 'Approve' | 'Deny'): Promise<number> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/activate'),
      page.getByRole('button', {name: button}).click(),
    ])
    await page.waitForLoadState()
    return response.status()
  }

  it('approve: the CLI logs in, and auth status shows the user', async () => {
    cli = startLogin(env)
    await fillForm(await cli.userCode())
    expect(await submit('Approve')).to.equal(200)
    await page.getByRole('heading', {name: 'Device approved'}).waitFor()

    const result = await cli.exited
    expect(result.exitCode, result.stderr).to.equal(0)
    expect(result.stderr).to.include(`✓ Logged in as ${ACCOUNT.email}`)
    const status = await runBinary(BIN, ['auth', 'status', '-f', 'json'], {env})
    expect(status.exitCode, status.stderr).to.equal(0)
    expect(JSON.parse(status.stdout)).to.deep.include({email: ACCOUNT.email, name: ACCOUNT.name, credential: {type: 'session'}})

    const screenshot = join(ARTIFACTS, 'approved.png')
    await page.screenshot({path: screenshot, fullPage: true})
    expect((await stat(screenshot)).size).to.be.greaterThan(0)
  })

  it('deny: the CLI exits non-zero saying access was denied', async () => {
    cli = startLogin(env)
    await fillForm(await cli.userCode())
    expect(await submit('Deny')).to.equal(200)
    await page.getByRole('heading', {name: 'Device denied'}).waitFor()

    const result = await cli.exited
    expect(result.exitCode).to.equal(3)
    expect(result.stderr).to.include('Access was denied in the browser.')
    expect(await storedSession(env, server.url)).to.equal(undefined)
  })

  it('wrong password: the page shows an error and the CLI keeps waiting, then a correct retry logs in', async () => {
    cli = startLogin(env)
    await fillForm(await cli.userCode(), 'not the password')
    expect(await submit('Approve')).to.equal(401)
    expect(await page.getByRole('alert').textContent()).to.match(/\S/)
    await page.screenshot({path: join(ARTIFACTS, 'wrong-password-error.png'), fullPage: true})

    // The CLI is still polling: alive, and the server keeps answering authorization_pending.
    const pollsBefore = pendingPolls(server.log())
    await waitFor('another authorization_pending poll after the failed sign-in', () => (pendingPolls(server.log()) > pollsBefore ? true : undefined))
    expect(cli.running(), cli.stderr()).to.equal(true)

    // The re-rendered form keeps the code and email: only the password is typed again.
    await page.getByLabel('Password').fill(ACCOUNT.password)
    expect(await submit('Approve')).to.equal(200)
    const result = await cli.exited
    expect(result.exitCode, result.stderr).to.equal(0)
  })

  it('expired code: the CLI says the code expired, and the page refuses it', async () => {
    cli = startLogin(env)
    const userCode = await cli.userCode()
    await server.shiftClock(11 * 60) // device codes live 10 minutes

    const result = await cli.exited
    expect(result.exitCode).to.equal(3)
    expect(result.stderr).to.include("The code expired before it was approved. Run 'ndcli auth login' again.")
    await fillForm(userCode)
    expect(await submit('Approve')).to.equal(400)
    expect(await page.getByRole('alert').textContent()).to.match(/\S/)
  })
})

/** Token requests the server has logged so far: while nobody has approved, each one is a pending poll. */
function pendingPolls(log: string): number {
  return (log.match(/"path":"\/oauth\/token"/g) ?? []).length
}
