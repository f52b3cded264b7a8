/**
 * A private three-master Redis Cluster for tests, on free loopback ports.
 */
import { execFileSync } from 'node:child_process';
import Redis from 'ioredis';
import { RedisServer } from './redis-server';

export class RedisCluster {
  private constructor(readonly nodes: RedisServer[]) {}

  /** `redis+cluster://` URL naming every node as a seed. */
  get url(): string {
    return `redis+cluster://${this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  }

  static async start(): Promise<RedisCluster> {
    const nodes = await Promise.all(
      [0, 1, 2].map(() => RedisServer.start({ extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] })),
    );
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], { stdio: 'ignore' });
    const probe = new Redis({ port: nodes[0].port, host: '127.0.0.1' });
    try {
      for (let i = 0; i < 200; i++) {
        const info = (await probe.cluster('INFO')) as string;
        if (info.includes('cluster_state:ok')) return new RedisCluster(nodes);
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('the test cluster did not reach cluster_state:ok');
    } finally {
      probe.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
