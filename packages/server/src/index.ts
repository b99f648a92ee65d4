/** The standalone service, for embedding or tests: configuration, the runtime and the Fastify app. */
export { buildApp, logOptions } from './app.ts';
export type { AppOptions } from './app.ts';
export { loadConfig, isSharedStore } from './config.ts';
export type { LoadedConfig, ServerConfig } from './config.ts';
export { createRuntime, openStorage } from './runtime.ts';
export type { Runtime, RuntimeOptions } from './runtime.ts';
export type { ServerDeps } from './context.ts';
