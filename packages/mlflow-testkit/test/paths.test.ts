import { afterEach, describe, expect, it } from 'vitest';
import {
  MLFLOW_CI_VERSIONS,
  MLFLOW_MATRIX_VERSIONS,
  mlflowPipPackages,
  mlflowVersionsUnderTest,
  venvDir,
} from '../src/index.js';

describe('the MLflow versions under test', () => {
  const saved = process.env.GRAPHTRACE_MLFLOW_VERSIONS;
  afterEach(() => {
    if (saved === undefined) delete process.env.GRAPHTRACE_MLFLOW_VERSIONS;
    else process.env.GRAPHTRACE_MLFLOW_VERSIONS = saved;
  });

  it('are both ends of the supported range by default, every minor for `matrix`, or a list', () => {
    delete process.env.GRAPHTRACE_MLFLOW_VERSIONS;
    expect(mlflowVersionsUnderTest()).toEqual(['3.9.0', '3.17.2']);
    expect(MLFLOW_CI_VERSIONS).toEqual(['3.9.0', '3.17.2']);
    process.env.GRAPHTRACE_MLFLOW_VERSIONS = 'matrix';
    expect(mlflowVersionsUnderTest()).toEqual(MLFLOW_MATRIX_VERSIONS);
    expect(MLFLOW_MATRIX_VERSIONS.map((v) => v.split('.').slice(0, 2).join('.'))).toEqual([
      '3.9',
      '3.10',
      '3.11',
      '3.12',
      '3.13',
      '3.14',
      '3.15',
      '3.16',
      '3.17',
    ]);
    process.env.GRAPHTRACE_MLFLOW_VERSIONS = ' 3.12.0 , 3.15.2 ';
    expect(mlflowVersionsUnderTest()).toEqual(['3.12.0', '3.15.2']);
  });

  it('refuse a value that is not a release, naming it', () => {
    process.env.GRAPHTRACE_MLFLOW_VERSIONS = '3.12.0,latest';
    expect(() => mlflowVersionsUnderTest()).toThrow(/GRAPHTRACE_MLFLOW_VERSIONS: "latest"/);
  });

  it('each get their own venv and pip line', () => {
    expect(venvDir('3.17.2')).toMatch(/mlflow-3\.17\.2-venv$/);
    expect(mlflowPipPackages('3.17.2')).toEqual(['mlflow==3.17.2', 'psycopg2-binary']);
  });
});
