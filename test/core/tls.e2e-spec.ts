import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { uniqueName } from '../support/docket-test';
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

describe('rediss:// (TLS)', () => {
  it('runs a task end to end over a TLS connection', async () => {
    const tlsPort = await freePort();
    const server = await RedisServer.start({
      extraArgs: ['--tls-port', String(tlsPort), '--tls-auth-clients', 'no'],
      prepare: (dir) => {
        const { ca, cert, key } = makeCertificates(dir);
        return ['--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', ca];
      },
    });
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
});
