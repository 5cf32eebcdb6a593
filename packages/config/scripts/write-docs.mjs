// Regenerates CONFIG_REFERENCE.md at the repository root from the built package.
import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../dist/index.js';

const target = new URL('../../../CONFIG_REFERENCE.md', import.meta.url);
writeFileSync(target, renderConfigReference());
console.log(`wrote ${target.pathname}`);
