import { memoryStore } from '../src/index.js';
import { describeTrackingStore } from '../src/testing/index.js';

describeTrackingStore({
  name: 'memory',
  capabilities: {
    persistent: false,
    deleteTraces: true,
    assessments: true,
    searchRunsFilter: true,
  },
  create: () => memoryStore(),
});
