import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Docket, InvalidOptionsError, RedisUnavailableError, Worker } from '../../lib';
import { MemoryLogger, uniqueName } from '../support/docket-test';
import { freePort, RedisServer } from '../support/redis-server';

/** Makes a throwaway certificate authority and a server certificate for 127.0.0.1. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=docket-test-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > ${file('ext.cnf')}`]);
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt'), '-days', '1', '-extfile', file('ext.cnf'));
  return { ca: file('ca.crt'), cert: file('server.crt'), key: file('server.key') };
}

/** A redis-server with a TLS port too, its certificates (ca.crt, server.crt, server.key) in its directory. */
async function startTlsServer(authClients: 'yes' | 'no'): Promise<{ server: RedisServer; tlsPort: number }> {
  const tlsPort = await freePort();
  const server = await RedisServer.start({
    extraArgs: ['--tls-port', String(tlsPort), '--tls-auth-clients', authClients],
    prepare: (dir) => {
      const { ca, cert, key } = makeCertificates(dir);
      return ['--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', ca];
    },
  });
  return { server, tlsPort };
}

describe('rediss:// (TLS)', () => {
  it('runs a task end to end over a TLS connection', async () => {
    const { server, tlsPort } = await startTlsServer('no');
    try {
      const run = spawnSync(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', join(__dirname, 'fixtures', 'tls-roundtrip.ts'), `rediss://127.0.0.1:${tlsPort}/0`, uniqueName('tls')],
        { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(server.dir, 'ca.crt') }, encoding: 'utf8', timeout: 30_000 },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe('hello over TLS');
    } finally {
      await server.stop();
    }
  });

  it('takes a private CA and a client certificate as options, for a server that asks for one (mutual TLS)', async () => {
    const { server, tlsPort } = await startTlsServer('yes');
    const file = (name: string): Buffer => readFileSync(join(server.dir, name));
    const url = `rediss://127.0.0.1:${tlsPort}/0`;
    const name = uniqueName('mtls');
    // The CA alone is not enough: the server wants a certificate from the client too.
    const anonymous = new Docket({ name, url, tls: { ca: file('ca.crt') }, logger: new MemoryLogger() });
    const worker = new Docket({ name, url, tls: { ca: file('ca.crt'), cert: file('server.crt'), key: file('server.key') }, logger: new MemoryLogger() });
    try {
      await expect(anonymous.connect()).rejects.toThrow(RedisUnavailableError);
      worker.register(async function greet(who: string): Promise<string> {
        return `hello ${who} over mutual TLS`;
      });
      const execution = await worker.add('greet')('you');
      await new Worker(worker).runUntilFinished();
      await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('hello you over mutual TLS');
    } finally {
      await anonymous.close();
      await worker.close();
      await server.stop();
    }
  });

  it('refuses TLS options for a URL that does not use TLS', () => {
    expect(() => new Docket({ url: 'redis://127.0.0.1:6379/0', tls: { rejectUnauthorized: false } })).toThrow(InvalidOptionsError);
    expect(() => new Docket({ url: 'redis://127.0.0.1:6379/0', tls: {} })).toThrow(/use a rediss:\/\/ \(or rediss\+cluster:\/\/, rediss\+sentinel:\/\/\) URL/);
  });
});
