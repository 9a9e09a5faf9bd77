import type { Config } from '../core/config.js';
import type { LoadPipelineOptions } from '../node/createPipeline.js';
import type { Pipeline } from '../pipeline.js';
import { configKey } from './requests.js';

/** What the service uses of a Pipeline (tests give a slow or failing stand-in). */
export type ServedPipeline = Pick<Pipeline, 'analyze' | 'transform' | 'dispose' | 'detectors' | 'config' | 'fingerprints' | 'keyFingerprint'>;
export type PipelineLoader = (options: LoadPipelineOptions) => Promise<ServedPipeline>;

/**
 * The server's own pipeline, loaded once at start, and the pipelines of requests that bring
 * their own `config`, kept by config fingerprint: at most `size`, least recently used dropped
 * (disposed once no request uses it). Requests for the same new config share one load. A failed
 * load is not kept, so the next request tries again. Real state (loads in flight, recency), so a class.
 */
export class PipelineCache {
  private readonly others = new Map<string, { readonly pipeline: Promise<ServedPipeline>; users: number; dropped: boolean }>();
  private readonly serverKey: string;

  constructor(
    private readonly server: Promise<ServedPipeline>,
    serverConfig: Config,
    private readonly load: (config: Config) => Promise<ServedPipeline>,
    private readonly size: number,
  ) {
    this.serverKey = configKey(serverConfig);
  }

  /** Runs `use` with the pipeline for `config`, keeping it loaded while it runs. */
  async with<T>(config: Config, use: (pipeline: ServedPipeline) => Promise<T>): Promise<T> {
    const key = configKey(config);
    if (key === this.serverKey) return use(await this.server);
    let entry = this.others.get(key);
    if (entry === undefined) {
      entry = { pipeline: this.load(config), users: 0, dropped: false };
    } else {
      this.others.delete(key);
    }
    // Most recently used last (a Map keeps insertion order); counted as in use before anything is dropped.
    this.others.set(key, entry);
    entry.users += 1;
    this.evict();
    try {
      let pipeline: ServedPipeline;
      try {
        pipeline = await entry.pipeline;
      } catch (err) {
        if (this.others.get(key) === entry) this.others.delete(key);
        throw err;
      }
      return await use(pipeline);
    } finally {
      entry.users -= 1;
      if (entry.dropped && entry.users === 0) void disposeQuietly(entry.pipeline);
    }
  }

  /** Pipelines other than the server's held now (tests and the ready report). */
  get cached(): number {
    return this.others.size;
  }

  private evict(): void {
    while (this.others.size > this.size) {
      const [oldest, entry] = this.others.entries().next().value!;
      this.others.delete(oldest);
      entry.dropped = true;
      if (entry.users === 0) void disposeQuietly(entry.pipeline);
    }
  }

  /** Disposes every pipeline (after the last request finished). */
  async close(): Promise<void> {
    const all = [this.server, ...[...this.others.values()].map((e) => e.pipeline)];
    this.others.clear();
    await Promise.all(all.map(disposeQuietly));
  }
}

async function disposeQuietly(pipeline: Promise<ServedPipeline>): Promise<void> {
  try {
    await (await pipeline).dispose();
  } catch {
    // A pipeline that failed to load has nothing to dispose; the load's error went to its request.
  }
}
