/**
 * https end to end: the real binary against the real control plane behind TLS (a node:https
 * reverse proxy with a certificate made at test time). got's node:https, node:tls and node:http2
 * load on first use (scripts/bundle.js, LAZY_IMPORTS): this is where that use is exercised, and
 * where an http:// run is shown not to load node:tls at all.
 */
import {expect} from 'chai'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'


import {runBinary} from '@ndcli/core/testing'
import {startServerProcess, type ServerProcess} from '@ndcli/server/testing'

import {ACCOUNT, BIN, expectOneLineError} from './support/cli.js'
import {loggedInWithPat, tokenFrom, type Cli} from './support/harness.js'
import {selfSignedCertificate, startTlsProxy, type Certificate, type TlsProxy} from './support/tls-proxy.js'

const LIST = ['auth', 'token', 'list', '-f', 'json']
const BUILTINS_HOOK = new URL('support/loaded-builtins.mjs', import.meta.url).href

describe('https (the real CLI through TLS in front of the real control plane)', function () {
  this.timeout(60_000)
  let server: ServerProcess
  let cli: Cli
  let dir: string
  let pat: string
  /** Issued for IP:127.0.0.1, the proxy's address. */
  let trusted: Certificate
  /** Issued for another host name only. */
  let elsewhere: Certificate
  let proxy: TlsProxy
  let wrongHostProxy: TlsProxy

  /** `ndcli <args>` under NDCLI_TOKEN against `url`. */
  const ndcli = (args: string[], url: string, env: Record<string, string> = {}, input?: string) =>
    runBinary(BIN, args, {env: {...cli.env, NDCLI_API_URL: url, NDCLI_TOKEN: pat, ...env}, input})

  /** The built-in modules a run of `ndcli <args>` against `url` loaded (test/support/loaded-builtins.mjs). */
  async function builtinsLoadedBy(args: string[], url: string, env: Record<string, string> = {}): Promise<string[]> {
    const file = join(dir, `builtins-${Math.random().toString(36).slice(2)}.txt`)
    const result = await ndcli(args, url, {...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${BUILTINS_HOOK}`.trim(), NDCLI_TEST_BUILTINS_FILE: file})
    expect(result.exitCode, result.stderr).to.equal(0)
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean)
  }

  before(async () => {
    server = await startServerProcess()
    ;({cli, pat} = await loggedInWithPat(server, ACCOUNT.email, {name: 'over-tls', scope: 'rw'}))
    dir = await mkdtemp(join(tmpdir(), 'ndcli-tls-'))
    ;[trusted, elsewhere] = await Promise.all([selfSignedCertificate(dir, 'control-plane', 'IP:127.0.0.1'), selfSignedCertificate(dir, 'elsewhere', 'DNS:elsewhere.example')])
    ;[proxy, wrongHostProxy] = await Promise.all([startTlsProxy(server.url, trusted), startTlsProxy(server.url, elsewhere)])
  })
  beforeEach(() => {
    proxy.requests.length = 0
    wrongHostProxy.requests.length = 0
  })
  after(async () => {
    await Promise.all([proxy?.close(), wrongHostProxy?.close()])
    await cli?.cleanup()
    await server?.stop()
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  it('a self-signed certificate is refused: exit 7, one line naming NODE_EXTRA_CA_CERTS, and no request sent', async () => {
    const result = await ndcli(LIST, proxy.url)
    expectOneLineError(result, 7)
    expect(result.stderr).to.match(/^Error: The control plane at https:\/\/127\.0\.0\.1:\d+ sent a certificate that this machine does not trust \(DEPTH_ZERO_SELF_SIGNED_CERT\)\.$/m)
    expect(result.stderr).to.match(/^Hint: .*set NODE_EXTRA_CA_CERTS to that CA's certificate/m)
    // -f json: the error's machine code on stdout as well.
    expect((JSON.parse(result.stdout) as {error: {code: string}}).error.code).to.equal('certificate_rejected')
    // Refused at the handshake: the token never went over the untrusted connection (and no retry was made).
    expect(proxy.requests).to.deep.equal([])
  })

  it('with NODE_EXTRA_CA_CERTS naming the certificate, auth token list works over https', async () => {
    const result = await ndcli(LIST, proxy.url, {NODE_EXTRA_CA_CERTS: trusted.certFile})
    expect(result.exitCode, result.stderr).to.equal(0)
    expect((JSON.parse(result.stdout) as Array<{name: string}>).map((token) => token.name)).to.deep.equal(['over-tls'])
    expect(proxy.requests.some((line) => line.startsWith('GET /api/v1/'))).to.equal(true)
  })

  it('scan --revoke (a POST without credential) is refused the same way, then ends the token once the certificate is trusted', async () => {
    const leaked = tokenFrom(await cli.ndcli(['auth', 'token', 'create', '--name', 'leaked', '--scope', 'ro']))
    const scan = ['auth', 'token', 'scan', '-', '--revoke']
    const refused = await ndcli(scan, proxy.url, {}, `job log: ${leaked}\n`)
    expectOneLineError(refused, 7)
    expect(refused.stderr).to.include('NODE_EXTRA_CA_CERTS')
    expect(proxy.requests).to.deep.equal([])

    const revoked = await ndcli(scan, proxy.url, {NODE_EXTRA_CA_CERTS: trusted.certFile}, `job log: ${leaked}\n`)
    expect(revoked.exitCode, revoked.stderr).to.equal(8)
    expect(revoked.stderr).to.include('revoke submitted')
    expect(proxy.requests).to.deep.equal(['POST /api/v1/credentials/revoke'])
    expect((await cli.ndcli(LIST, {token: leaked})).exitCode).to.equal(3)
  })

  it('a trusted certificate for another host name is refused: exit 7, naming the names it is for', async () => {
    const result = await ndcli(LIST, wrongHostProxy.url, {NODE_EXTRA_CA_CERTS: elsewhere.certFile})
    expectOneLineError(result, 7)
    expect(result.stderr).to.match(/^Error: The certificate of the control plane at https:\/\/127\.0\.0\.1:\d+ is not valid for 127\.0\.0\.1 \(it names DNS:elsewhere\.example\)\.$/m)
    expect(result.stderr).to.match(/^Hint: .*NDCLI_API_URL/m)
    expect(wrongHostProxy.requests).to.deep.equal([])
  })

  it('node:tls is loaded by an https run and not by an http:// one', async () => {
    // The https run shows the hook sees node:tls when it is loaded, so its absence below means something.
    expect(await builtinsLoadedBy(LIST, proxy.url, {NODE_EXTRA_CA_CERTS: trusted.certFile})).to.include.members(['tls', 'https'])
    const overHttp = await builtinsLoadedBy(LIST, server.url)
    expect(overHttp).to.include('http')
    expect(overHttp).not.to.include.oneOf(['tls', '_tls_wrap', 'https', 'http2'])
  })

  it("nor does an http:// list load what only other paths of oclif use: child_process (a Windows shell's name), perf_hooks (timings), readline (a flag read from stdin)", async () => {
    const overHttp = await builtinsLoadedBy(LIST, server.url)
    expect(overHttp).to.include('http')
    expect(overHttp).not.to.include.oneOf(['child_process', 'dgram', 'perf_hooks', 'readline'])
  })
})
