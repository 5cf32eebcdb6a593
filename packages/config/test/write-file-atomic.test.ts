import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
const temps = (d: string) => readdirSync(d).filter((f) => f.endsWith('.tmp'));

describe('writeFileAtomic', () => {
  it('creates a file, and replaces one keeping its permission bits', async () => {
    const path = join(dir, 'a.json');
    await writeFileAtomic(path, 'one');
    expect(readFileSync(path, 'utf8')).toBe('one');
    chmodSync(path, 0o600);
    await writeFileAtomic(path, 'two, longer than one');
    expect(readFileSync(path, 'utf8')).toBe('two, longer than one');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(temps(dir)).toEqual([]);
  });

  it('replaces the target of a symlink, not the link', async () => {
    const target = join(dir, 'target.yaml');
    const link = join(dir, 'link.yaml');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    await writeFileAtomic(link, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readFileSync(link, 'utf8')).toBe('new');
  });

  it('on failure leaves what was there and removes its temporary file', async () => {
    // A directory where the file should go: the data is written, the rename fails.
    const sub = join(dir, 'sub');
    const blocked = join(sub, 'out.json');
    mkdirSync(join(blocked, 'inner'), { recursive: true });
    writeFileSync(join(blocked, 'inner', 'keep.txt'), 'kept');
    await expect(writeFileAtomic(blocked, 'data')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readFileSync(join(blocked, 'inner', 'keep.txt'), 'utf8')).toBe('kept');
    expect(temps(sub)).toEqual([]);
  });
});
