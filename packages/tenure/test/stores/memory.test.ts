import { createMemoryStore } from '../../src/stores/memory.ts';
import { runStoreConformance } from '../../src/testing/store-conformance.ts';

runStoreConformance('memory', async () => ({ store: createMemoryStore(), cleanup: async () => undefined }));
