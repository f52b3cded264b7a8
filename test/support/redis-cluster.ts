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
    // Ready means every node sees the others connected on the cluster bus, not only that node 0
    // has every slot covered: until then a message published on one node does not reach the
    // subscribers of another.
    const probes = nodes.map((n) => new Redis({ port: n.port, host: '127.0.0.1' }));
    const meshed = async (probe: Redis): Promise<boolean> => {
      const info = (await probe.cluster('INFO')) as string;
      const lines = ((await probe.cluster('NODES')) as string).trim().split('\n');
      return info.includes('cluster_state:ok') && lines.length === nodes.length && lines.every((l) => / connected\b/.test(l));
    };
    try {
      for (let i = 0; i < 400; i++) {
        if ((await Promise.all(probes.map(meshed))).every(Boolean)) return new RedisCluster(nodes);
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('the test cluster did not reach cluster_state:ok with every node connected to the others');
    } finally {
      for (const probe of probes) probe.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
