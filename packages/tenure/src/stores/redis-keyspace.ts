/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { PARTITIONS, partitionIn, partitionOf } from '../core/partition.ts';
import { guardRedis } from './redis-connection.ts';
import * as scripts from './redis-scripts.ts';

/** The store's Lua scripts, by the name the client knows them under. */
export const SCRIPTS = {
  tenureCreate: scripts.CREATE,
  tenureFindByToken: scripts.FIND_BY_TOKEN,
  tenureGetWithGeneration: scripts.GET_WITH_GENERATION,
  tenureTouch: scripts.TOUCH,
  tenureRotate: scripts.ROTATE,
  tenureSetData: scripts.SET_DATA,
  tenureEnd: scripts.END,
  tenureList: scripts.LIST,
  tenureInsertRefresh: scripts.INSERT_REFRESH,
  tenureRotateRefresh: scripts.ROTATE_REFRESH,
  tenureDeleteRefresh: scripts.DELETE_REFRESH,
  tenureSweep: scripts.SWEEP,
} as const;
export type ScriptName = keyof typeof SCRIPTS;
const REPLICA_REFRESH_MS = 1000;
const IN_FLIGHT = 64;
type Scripted = Record<ScriptName, (routingKey: string, space: string, ...args: string[]) => Promise<unknown>>;

/**
 * Where the Redis store's keys live. On a single node every key is under the prefix (`tenure:{t}:`).
 * On a Cluster each partition (core/partition.ts) is its own key space `<prefix>{<partition>}:`: one
 * hash tag, so one slot, so every script over a partition is legal, while the 1024 partitions spread
 * over every master. A subject's sessions, index, generation and refresh families share its partition.
 */
export interface Keyspace {
  /** Learns which masters have replicas, and keeps learning it every second. */
  start(): Promise<void>;
  stop(): void;
  readonly cluster: boolean;
  /** Every partition a global operation visits (just 0 on a single node). */
  readonly partitions: readonly number[];
  space(partition: number): string;
  /** The partition a subject's keys live in. */
  ofSubject(subjectKey: string): number;
  /** The partition a value (id or hash) names itself; where its locator lives if it lives elsewhere. */
  home(value: string): number;
  /**
   * Runs `run` over partitions, at most 64 at a time: a global operation's 1024 calls never queue so
   * deep behind each other that one of them outlives the command timeout.
   */
  each<T>(partitions: readonly number[], run: (partition: number) => Promise<T>): Promise<T[]>;
  /** Runs a script in a partition. */
  run(partition: number, name: ScriptName, ...args: (string | number)[]): Promise<unknown>;
  /**
   * Runs a script once per argument list in one partition, in one pipeline (one round trip; its keys
   * share the partition's slot, so it is legal on a Cluster). Answers the replies in order; rejects
   * with the first command's error.
   */
  runMany(partition: number, name: ScriptName, calls: readonly (readonly (string | number)[])[]): Promise<unknown[]>;
  /**
   * Runs a write in a partition and, when its master has replicas, waits (bounded) for one replica to
   * acknowledge it (`WAIT 1 <ms>`), so an acknowledged write survives the master's loss.
   */
  write(partition: number, queue: (pipeline: ChainableCommander & Scripted) => unknown): Promise<unknown>;
  /** Like `write` for one script. */
  writeScript(partition: number, name: ScriptName, ...args: (string | number)[]): Promise<unknown>;
}

export function createKeyspace(client: Redis | Cluster, options: { readonly prefix: string; readonly cluster: boolean; readonly waitMs: number; readonly what: string }): Keyspace {
  const { prefix, cluster, waitMs } = options;
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: 1, lua });
  const spaces = cluster ? Array.from({ length: PARTITIONS }, (_, p) => `${prefix}{${p}}:`) : [prefix];
  const slots = cluster ? Array.from({ length: PARTITIONS }, (_, p) => calculateSlot(String(p))) : [];
  const guard = <T>(run: () => Promise<T>) => guardRedis(run, options.what);
  const space = (partition: number): string => spaces[cluster ? partition : 0]!;
  const args = (partition: number, rest: (string | number)[]): [string, string, ...string[]] => [`${space(partition)}A`, space(partition), ...rest.map(String)];
  // Online replicas per master ("host:port"), as each master last reported them (INFO replication).
  // CLUSTER SLOTS is no guide: it leaves out a replica that has not reported an offset yet.
  const replicas = new Map<string, number>();
  const replicated = (partition: number): boolean => cluster && (replicas.get((client as Cluster).slots[slots[partition]!]?.[0] ?? '') ?? 0) > 0;
  const refreshReplicas = async (): Promise<void> => {
    if (!cluster) return;
    await Promise.all(
      (client as Cluster).nodes('master').map(async (node) => {
        const info = await node.info('replication').catch(() => null);
        if (info !== null) replicas.set(`${node.options.host}:${node.options.port}`, (info.match(/^slave\d+:.*state=online/gm) ?? []).length);
      }),
    );
  };
  let timer: NodeJS.Timeout | null = null;

  const write: Keyspace['write'] = (partition, queue) =>
    guard(async () => {
      const pipeline = client.pipeline() as ChainableCommander & Scripted;
      queue(pipeline);
      if (replicated(partition)) pipeline.wait(1, waitMs);
      const replies = (await pipeline.exec()) ?? [];
      const [error, value] = replies[0] ?? [new Error('Connection is closed (no reply)'), null];
      if (error !== null) throw error;
      return value;
    });

  return {
    async start() {
      await refreshReplicas();
      if (cluster && timer === null) {
        timer = setInterval(() => void refreshReplicas(), REPLICA_REFRESH_MS);
        timer.unref();
      }
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
    async each(partitions, run) {
      const results = new Array<Awaited<ReturnType<typeof run>>>(partitions.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < partitions.length) {
          const i = next++;
          results[i] = await run(partitions[i]!);
        }
      };
      await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, partitions.length) }, worker));
      return results;
    },
    cluster,
    partitions: cluster ? Array.from({ length: PARTITIONS }, (_, p) => p) : [0],
    space,
    ofSubject: (subjectKey) => (cluster ? partitionOf(subjectKey) : 0),
    home: (value) => (cluster ? partitionIn(value) : 0),
    run: (partition, name, ...rest) => guard(() => (client as unknown as Scripted)[name](...args(partition, rest))),
    runMany: (partition, name, calls) =>
      guard(async () => {
        const pipeline = client.pipeline() as ChainableCommander & Scripted;
        for (const call of calls) pipeline[name](...args(partition, [...call]));
        const replies = (await pipeline.exec()) ?? [];
        if (replies.length !== calls.length) throw new Error('Connection is closed (no reply)');
        return replies.map(([error, value]) => {
          if (error !== null) throw error;
          return value;
        });
      }),
    write,
    writeScript: (partition, name, ...rest) => write(partition, (pipeline) => pipeline[name](...args(partition, rest))),
  };
}
