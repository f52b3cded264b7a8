import { createHash } from 'node:crypto';
import type { RedisClient } from '../connection';
import { acquireScript } from './acquire.script';
import { cancelScript } from './cancel.script';
import { claimNextScript, claimScript } from './claim.script';
import { completeScript } from './complete.script';
import { depthsScript } from './depths.script';
import { progressScript } from './progress.script';
import { quarantineOutcomeScript } from './quarantine-outcome.script';
import { leaveScript } from './leave.script';
import { rateScript } from './rate.script';
import { releaseLeaseScript } from './release-lease.script';
import { scheduleScript } from './schedule.script';
import { scriptForConnection, type ScriptDefinition } from './script';
import { streamDueScript } from './stream-due.script';

const ALL = [scheduleScript, claimScript, claimNextScript, completeScript, cancelScript, streamDueScript, progressScript, releaseLeaseScript, acquireScript, quarantineOutcomeScript, leaveScript, depthsScript, rateScript];

type Arg = string | number;

/** The scripts as typed commands of a connection (and of its pipelines). */
export interface ScriptCommands {
  docketSchedule(numKeys: number, ...args: Arg[]): Promise<(number | [string, string, string, string])[]>;
  docketClaim(numKeys: number, ...args: Arg[]): Promise<string[][]>;
  docketClaimNext(...args: Arg[]): Promise<string[][]>;
  docketComplete(numKeys: number, ...args: Arg[]): Promise<string[]>;
  docketCancel(...args: Arg[]): Promise<string>;
  docketStreamDue(...args: Arg[]): Promise<(number | string)[]>;
  docketProgress(...args: Arg[]): Promise<number>;
  docketReleaseLease(...args: Arg[]): Promise<number>;
  docketAcquire(...args: Arg[]): Promise<number>;
  docketQuarantineOutcome(...args: Arg[]): Promise<number>;
  docketLeave(...args: Arg[]): Promise<number>;
  docketDepths(...args: Arg[]): Promise<(number | string)[]>;
  docketRate(...args: Arg[]): Promise<string>;
}

/** Registers every script on `client` once; ioredis then uses EVALSHA with a NOSCRIPT fallback. */
export function installScripts(client: RedisClient): RedisClient & ScriptCommands {
  for (const script of ALL) define(client, script);
  return client as RedisClient & ScriptCommands;
}

/**
 * Registers only the claim of a worker's blocking connection: ioredis copies every script
 * defined on a connection into each pipeline made on it, and that connection makes one per wait.
 */
export function installWaitScripts(client: RedisClient): RedisClient & Pick<ScriptCommands, 'docketClaimNext'> {
  define(client, claimNextScript);
  return client as RedisClient & Pick<ScriptCommands, 'docketClaimNext'>;
}

function define(client: RedisClient, script: ScriptDefinition): void {
  if (!(script.name in client)) {
    client.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: scriptForConnection(script.lua, client.isCluster) });
  }
}

const shas = new Map<string, string>();

/**
 * The SHA1 that EVALSHA names `script` by on this kind of connection: for a pipeline that must
 * see NOSCRIPT as an error instead of having ioredis resend the script behind what follows it.
 */
export function scriptSha(script: ScriptDefinition, cluster: boolean): string {
  const lua = scriptForConnection(script.lua, cluster);
  let sha = shas.get(lua);
  if (!sha) shas.set(lua, (sha = createHash('sha1').update(lua).digest('hex')));
  return sha;
}
