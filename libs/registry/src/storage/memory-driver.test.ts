import { describeStorageConformance } from './conformance.testkit';
import { MemoryDriver } from './memory-driver';

describeStorageConformance('in-memory', async () => ({ driver: new MemoryDriver(), close: async () => undefined }));
