/**
 * TLS in front of the real control plane, which serves plain http only: a node:https reverse
 * proxy, with a self-signed certificate that openssl makes at test time (no key is committed).
 */
import {execFile} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {request} from 'node:http'
import {createServer} from 'node:https'
import type {AddressInfo, Socket} from 'node:net'
import {join} from 'node:path'
import {promisify} from 'node:util'

export interface Certificate {
  /** The certificate's PEM file: what NODE_EXTRA_CA_CERTS names to trust it. */
  certFile: string
  keyFile: string
}

/** A self-signed certificate (its own CA) for `subjectAltName`, e.g. `IP:127.0.0.1` or `DNS:elsewhere.example`, written into `dir`. */
export async function selfSignedCertificate(dir: string, name: string, subjectAltName: string): Promise<Certificate> {
  const certFile = join(dir, `${name}.crt`)
  const keyFile = join(dir, `${name}.key`)
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-addext', `subjectAltName=${subjectAltName}`, '-keyout', keyFile, '-out', certFile,
  ])
  return {certFile, keyFile}
}

export interface TlsProxy {
  url: string
  /** `METHOD /path` of each request that reached the proxy through an accepted TLS connection. */
  requests: string[]
  close(): Promise<void>
}

/** https://127.0.0.1:<free port>, forwarding every request to `target` (http) as it came. */
export async function startTlsProxy(target: string, certificate: Certificate): Promise<TlsProxy> {
  const requests: string[] = []
  const sockets = new Set<Socket>()
  const [cert, key] = await Promise.all([readFile(certificate.certFile), readFile(certificate.keyFile)])
  const server = createServer({cert, key}, (incoming, outgoing) => {
    requests.push(`${incoming.method} ${incoming.url}`)
    const upstream = request(new URL(incoming.url ?? '/', target), {method: incoming.method, headers: incoming.headers}, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(outgoing)
    })
    upstream.on('error', (error) => outgoing.writeHead(502).end(`tls proxy: ${error.message}`))
    incoming.pipe(upstream)
  })
  // A client that refuses the certificate ends the handshake: not an error of the proxy.
  server.on('tlsClientError', () => {})
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
